// The states a readout reads: decoderHidden at positions counted from the end, equal whether a row is
// alone or left-padded beside longer rows, one row per prompt or text, no tensors left behind; where the
// target title ends in TALLRec's prompt. And the text-readout
// run on the tiny world: a record with both readouts scored on every test row, and bad options refused
// before any work.
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import type { Dataset } from '../../src/data/types';
import { loadHfModel } from '../../src/llm/hf-load';
import { decoderHidden } from '../../src/llm/model';
import { loadTokenizer, type KitTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';
import { encodePrompts } from '../../src/rec/encode';
import { hiddenAt, promptStates, tallrecSuffixIds, textStates, titleEndFromEnd } from '../../src/rec/readout';
import { checkTextReadoutOptions, textReadout } from '../../src/analysis/text-readout';
import { tinySetting } from './helpers';

let ds: Dataset, dir: string, llm: LlamaModel, tok: KitTokenizer;
beforeAll(async () => {
  await initBackend('wasm');
  ({ ds, dir } = tinySetting());
  llm = loadHfModel(dir);
  tok = await loadTokenizer(dir);
}, 60_000);
afterAll(() => {
  disposeLlama(llm);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('readout states', () => {
  it('reads decoderHidden at positions counted from the end, with no tensors left behind', () => {
    const ids = tf.tensor2d([[0, 5, 9, 14], [0, 7, 7, 3]], [2, 4], 'int32'), mask = tf.ones([2, 4]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const [last, third] = hiddenAt(llm, ids, mask, [0, 2]);
    expect(tf.memory().numTensors).toBe(before + 2);
    const full = decoderHidden(llm, { ids, mask });
    for (const [h, t] of [[last!, 3], [third!, 1]] as const) {
      const want = tf.tidy(() => tf.reshape(tf.slice(full, [0, t, 0], [2, 1, 32]), [2, 32]));
      expect(h.shape).toEqual([2, 32]);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(h, want))).dataSync()[0])).toBeLessThan(1e-6);
      want.dispose();
    }
    tf.dispose([last!, third!, full]);
    expect(() => hiddenAt(llm, ids, mask, [4])).toThrow(/position 4 from the end is outside a batch of 4 positions/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, mask]);
  });

  it('finds where the target title ends in TALLRec prompts', () => {
    const enc = encodePrompts('tallrec', ds, ds.splits.valid, tok);
    const k = titleEndFromEnd(enc, [0, 1, 2], tok)!;
    expect(k).toBe(tallrecSuffixIds(tok).length);
    for (const r of [0, 1, 2]) {
      const t = Array.from(enc.ids[r]!);
      expect(tok.decode(t.slice(0, t.length - k))).toMatch(new RegExp(`${ds.items[ds.splits.valid.itemIdx[r]!]!.title.replace(/[()]/g, '\\$&')}"\\?$`));
    }
    const broken = { ...enc, ids: [Int32Array.from([...enc.ids[0]!].slice(0, -1))] };
    expect(titleEndFromEnd(broken, [0], tok)).toBeNull();
    expect(() => titleEndFromEnd(encodePrompts('collm', ds, ds.splits.valid, tok), [0], tok)).toThrow(/reads TALLRec prompts, got collm/);
  });

  it('gives a text the same state alone as left-padded beside a longer one', async () => {
    const short = `The genre of "${ds.items[0]!.title}" is`, long = `The genre of "${ds.items[1]!.title}" and of "${ds.items[2]!.title}" is`;
    const before = tf.memory().numTensors;
    const alone = await textStates(llm, tok, [short], 0);
    const padded = await textStates(llm, tok, [long, short, short], 0, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(padded).toHaveLength(3 * 32);
    for (const k of [1, 2]) for (let j = 0; j < 32; j++) expect(padded[k * 32 + j]!).toBeCloseTo(alone[j]!, 4);
  });

  it('returns one state per prompt row and position, in the order asked', async () => {
    const enc = encodePrompts('tallrec', ds, ds.splits.valid, tok);
    const [all, early] = await promptStates(llm, enc, ds.splits.valid, [3, 1, 4], 0, 2, [0, 5]);
    const [one] = await promptStates(llm, enc, ds.splits.valid, [4], 0);
    expect(all).toHaveLength(3 * 32);
    for (let j = 0; j < 32; j++) expect(all![2 * 32 + j]!).toBeCloseTo(one![j]!, 4);
    expect(Math.abs(early![0]! - all![0]!)).toBeGreaterThan(0);
    await expect(promptStates(llm, enc, ds.splits.valid, [1], 0, 0)).rejects.toThrow(/batchSize must be an integer >= 1/);
  });
});

describe('textReadout', () => {
  it('scores the item and prompt readouts on every test row and records what it read', async () => {
    const rec = await textReadout(ds, { llmDir: dir, trainRows: 300, l2: 1, seed: 3, backend: 'wasm', batchSize: 16 });
    expect(rec.dataset).toBe(ds.name);
    expect(rec.trainRows).toBe(300);
    expect(rec.readouts.map((r) => r.state)).toEqual(['item', 'title', 'prompt']);
    for (const r of rec.readouts) {
      expect(r.test.warm.n + r.test.cold.n).toBe(ds.splits.test.label.length);
      expect(r.test.auc!).toBeGreaterThan(0);
      expect(r.test.auc!).toBeLessThan(1);
      expect(r.trainAuc!).toBeGreaterThan(0.5);
    }
    expect(rec.genreSignal[0]!.rows).toBe('all');
    expect(rec.llmHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.meta.seed).toBe(3);
  }, 60_000);

  it('refuses bad options before any work', () => {
    const ok = { trainRows: 100, l2: 1, seed: 0, batchSize: 8 };
    expect(() => checkTextReadoutOptions({ ...ok, trainRows: 5 })).toThrow(/trainRows must be an integer >= 10, got 5/);
    expect(() => checkTextReadoutOptions({ ...ok, l2: -1 })).toThrow(/l2 must be a finite number > 0/);
    expect(() => checkTextReadoutOptions({ ...ok, seed: 1.5 })).toThrow(/seed must be an integer >= 0/);
    expect(() => checkTextReadoutOptions({ ...ok, batchSize: 0 })).toThrow(/batchSize must be an integer >= 1/);
  });
});
