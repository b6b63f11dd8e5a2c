// Retention probes on a tiny random decoder with a character tokenizer: a LoRA with B = 0 measures
// exactly as the base, a nonzero one differs; several hooks give one measure each; the table and probe
// rows average them as the formulas say; generations side by side; held-out text from the corpus or
// the model folder's slice.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { initLora, loraHook, type Lora } from '../../src/llm/adapters';
import { EVAL_MODE } from '../../src/core/types';
import { makeLlamaConfig } from '../../src/llm/config';
import { randomLlama } from '../../src/llm/init';
import type { KitTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';
import type { ClozeResult } from '../../src/lm/probes';
import { heldOutText, measureRetention, retentionPoints, retentionProbeRows, retentionTable, sideBySideGenerations, type RetentionMeasure } from '../../src/lm/retention';

const V = 64;
const charTok: KitTokenizer = {
  encode: (text, opts) => [...(opts?.addBos ? [0] : []), ...Array.from(text, (ch) => 1 + (ch.charCodeAt(0) % (V - 1)))],
  decode: (ids) => ids.map((i) => String.fromCharCode(64 + i)).join(''),
  tokenId: () => null, bosId: 0, eosId: 0, vocabSize: V, dir: '',
};
const text = 'The capital of France is Paris. Water boils at one hundred degrees.';
const probes = [{ relation: 'continent' as const, phrasing: 'heldIn' as const }, { relation: 'symbol' as const, phrasing: 'unseen' as const }];
let m: LlamaModel, zero: Lora, nonzero: Lora;

beforeAll(async () => {
  await initBackend('wasm');
  m = randomLlama(makeLlamaConfig({ vocabSize: V, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2, numAttentionHeads: 4 }), 2, { std: 0.3 });
  const cfg = { r: 4, alpha: 8, dropout: 0.05, targets: ['q_proj', 'v_proj'] as const };
  zero = initLora(m, cfg, 0);
  nonzero = initLora(m, cfg, 0);
  Object.entries(nonzero.params).forEach(([k, v], i) => { if (k.includes('lora_B')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', i))); });
});
afterAll(() => {
  tf.dispose([...Object.values(zero.params), ...Object.values(nonzero.params)]);
  disposeLlama(m);
});

describe('measureRetention', () => {
  it('measures every hook of every set; B = 0 equals the base, a nonzero LoRA differs; no leaks', async () => {
    const before = tf.memory().numTensors;
    const lines: string[] = [];
    const ms = await measureRetention(m, charTok, [
      { name: 'base', hooks: [undefined] },
      { name: 'zero', hooks: [loraHook(zero, EVAL_MODE)] },
      { name: 'two', hooks: [loraHook(nonzero, EVAL_MODE), undefined] },
    ], { text, maxTokens: 40, window: 16, stride: 8, probes, maxFacts: 3, onProgress: (l) => lines.push(l) });
    expect(tf.memory().numTensors).toBe(before);
    expect(ms.map((x) => `${x.method}#${x.sample}`)).toEqual(['base#0', 'zero#0', 'two#0', 'two#1']);
    expect(ms[0]!.tokens).toBe(39);
    expect(ms[1]!.ppl).toBe(ms[0]!.ppl);
    expect(ms[1]!.probes).toEqual(ms[0]!.probes);
    expect(ms[3]!.ppl).toBe(ms[0]!.ppl);
    expect(Math.abs(ms[2]!.ppl - ms[0]!.ppl)).toBeGreaterThan(1e-3);
    expect(ms[0]!.probes.map((p) => [p.relation, p.phrasing, p.facts])).toEqual([['continent', 'heldIn', 3], ['symbol', 'unseen', 3]]);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^two #1\/2: ppl [\d.]+, top-1 [\d.]+%$/);
    // a hook object held by an earlier set is measured once: same numbers, flagged in the progress line
    const shared = loraHook(nonzero, EVAL_MODE);
    const again = await measureRetention(m, charTok, [{ name: 'a', hooks: [shared] }, { name: 'b', hooks: [shared] }],
      { text, maxTokens: 40, window: 16, stride: 8, probes, maxFacts: 3, onProgress: (l) => lines.push(l) });
    expect(again[1]).toEqual({ ...again[0], method: 'b' });
    expect(again[0]!.ppl).toBe(ms[2]!.ppl);
    expect(lines[5]).toMatch(/^b: .*\(same adapter as an earlier set\)$/);
    await expect(measureRetention(m, charTok, [{ name: 'none', hooks: [] }], { text, maxTokens: 10, window: 8, stride: 4, probes, maxFacts: 1 })).rejects.toThrow(/"none" has no hooks/);
  });
});

const probe = (relation: ClozeResult['relation'], phrasing: ClozeResult['phrasing'], facts: number, top1: number): ClozeResult =>
  ({ relation, phrasing, facts, candidates: 4, top1, chance: 0.25, meanRank: 1 });
const hand: RetentionMeasure[] = [
  { method: 'base', sample: 0, ppl: 100, tokens: 9, probes: [probe('capital', 'heldIn', 10, 0.5), probe('symbol', 'heldIn', 30, 0.1), probe('capital', 'unseen', 10, 0.2)] },
  { method: 'cora', sample: 0, ppl: 110, tokens: 9, probes: [probe('capital', 'heldIn', 10, 0.4), probe('symbol', 'heldIn', 30, 0.2), probe('capital', 'unseen', 10, 0.3)] },
  { method: 'cora', sample: 1, ppl: 130, tokens: 9, probes: [probe('capital', 'heldIn', 10, 0.2), probe('symbol', 'heldIn', 30, 0.0), probe('capital', 'unseen', 10, 0.1)] },
];

describe('retentionTable / retentionProbeRows / retentionPoints', () => {
  it('average over hooks, pool probes by facts and compare with the base', () => {
    const t = retentionTable(hand, 'base');
    const baseHeld = (10 * 0.5 + 30 * 0.1) / 40, c0 = (10 * 0.4 + 30 * 0.2) / 40, c1 = (10 * 0.2 + 30 * 0) / 40;
    expect(t[0]).toMatchObject({ method: 'base', samples: 1, ppl: 100, pplChangePct: 0, heldInChangePts: 0 });
    expect(t[0]!.top1HeldIn).toBeCloseTo(baseHeld, 12);
    expect(t[0]!.top1Unseen).toBeCloseTo(0.2, 12);
    expect(t[1]).toMatchObject({ method: 'cora', samples: 2, ppl: 120, pplMin: 110, pplMax: 130 });
    expect(t[1]!.pplChangePct).toBeCloseTo(20, 10);
    expect(t[1]!.top1HeldIn).toBeCloseTo((c0 + c1) / 2, 12);
    expect(t[1]!.heldInChangePts).toBeCloseTo(100 * ((c0 + c1) / 2 - baseHeld), 10);
    expect(t[1]!.top1Unseen).toBeCloseTo(0.2, 12);
    expect(() => retentionTable(hand, 'lora')).toThrow(/no measures of the base "lora" \(have: base, cora\)/);
    const rows = retentionProbeRows(hand);
    expect(rows.map((r) => `${r.method} ${r.probe}`)).toEqual(['base capital (heldIn)', 'base symbol (heldIn)', 'base capital (unseen)', 'cora capital (heldIn)', 'cora symbol (heldIn)', 'cora capital (unseen)']);
    expect(rows[3]!.top1).toBeCloseTo(0.3, 12);
    expect(rows[3]).toMatchObject({ chance: 0.25, facts: 10 });
    const pts = retentionPoints(hand);
    expect(pts.map((p) => [p.method, p.sample, p.ppl])).toEqual([['base', 0, 100], ['cora', 0, 110], ['cora', 1, 130]]);
    expect(pts[2]!.top1HeldIn).toBeCloseTo(c1, 12);
  });
});

describe('sideBySideGenerations', () => {
  it('gives each set\'s greedy continuation of each prompt (B = 0 equals the base)', async () => {
    const before = tf.memory().numTensors;
    const rows = await sideBySideGenerations(m, charTok, ['Once', 'The sea'], [{ name: 'base', hooks: [undefined] }, { name: 'zero', hooks: [loraHook(zero, EVAL_MODE)] }], 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(rows.map((r) => r.prompt)).toEqual(['Once', 'The sea']);
    for (const r of rows) {
      expect(Object.keys(r.outputs)).toEqual(['base', 'zero']);
      expect(r.outputs['zero']).toBe(r.outputs['base']);
      expect(r.outputs['base']!.length).toBeLessThanOrEqual(5);
    }
  });
});

describe('heldOutText', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-heldout-'));
  const corpus = path.join(tmp, 'corpus'), model = path.join(tmp, 'model'), empty = path.join(tmp, 'empty');
  fs.mkdirSync(corpus);
  fs.mkdirSync(model);
  fs.mkdirSync(empty);
  fs.writeFileSync(path.join(corpus, 'valid.txt.gz'), zlib.gzipSync('First book.\n<|endoftext|>\nSecond book.\n<|endoftext|>\n'));
  fs.writeFileSync(path.join(model, 'valid-slice.txt'), 'First book.\nSecond');
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  it('reads the corpus valid books (documents joined) when present', () => {
    expect(heldOutText(model, { maxChars: 1000, corpusDir: corpus })).toEqual({ text: 'First book.\nSecond book.\n', file: path.join(corpus, 'valid.txt.gz'), fromCorpus: true });
    expect(heldOutText(model, { maxChars: 5, corpusDir: corpus }).text).toBe('First');
  });
  it('falls back to the model folder\'s valid slice, and names what is missing', () => {
    expect(heldOutText(model, { maxChars: 1000, corpusDir: empty })).toEqual({ text: 'First book.\nSecond', file: path.join(model, 'valid-slice.txt'), fromCorpus: false });
    expect(heldOutText(model, { maxChars: 1000, corpusDir: null }).fromCorpus).toBe(false);
    expect(() => heldOutText(empty, { maxChars: 10, corpusDir: empty })).toThrow(/no held-out text/);
  });
});
