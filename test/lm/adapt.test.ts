// Domain-adaptive pretraining: config checks, a short run on the shipped model that learns from the
// domain text, leaves the base folder untouched, stores its before-probes and resumes from its checkpoint.
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { skillProbes } from '../../src/data/genre-skill';
import { itemCorpus, itemProbes, itemQuestions } from '../../src/data/item-text';
import { syntheticWorld } from '../../src/data/synthetic';
import { loadHfModel } from '../../src/llm/hf-load';
import { loadTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama } from '../../src/llm/weights';
import { candidateLoss, encodeCandidateQuestions } from '../../src/lm/candidate-loss';
import { makeAdaptConfig, runAdapt } from '../../src/lm/adapt';
import { ADAPT_PRESETS, adaptPreset } from '../../src/lm/adapt-presets';

const BASE = path.resolve(__dirname, '..', '..', 'models', 'kit-lm');
const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

beforeAll(async () => {
  await initBackend('wasm');
});

describe('makeAdaptConfig', () => {
  it('names the offending field', () => {
    expect(() => makeAdaptConfig({ steps: 0 })).toThrow(/steps/);
    expect(() => makeAdaptConfig({ itemShare: 0.7, skillShare: 0.2, factsShare: 0.2 })).toThrow(/exceeds 1/);
    expect(() => makeAdaptConfig({ minLr: 1, peakLr: 1e-3 })).toThrow(/minLr/);
    expect(() => makeAdaptConfig({ nope: 1 } as never)).toThrow(/nope/);
    expect(() => makeAdaptConfig({ questionBatch: 1.5 })).toThrow(/questionBatch/);
    expect(() => makeAdaptConfig({ questionWeight: -1 })).toThrow(/questionWeight/);
    expect(() => makeAdaptConfig({ questionShortSteps: 10 })).toThrow(/questionShortSteps = 10 needs questionBatch/);
    expect(() => makeAdaptConfig({ batchSize: 0 })).toThrow(/batchSize = 0 .* needs questionBatch/);
    expect(() => makeAdaptConfig({ adamBeta2: 1 })).toThrow(/adamBeta2/);
    expect(() => makeAdaptConfig({ questionSmoothing: 1 })).toThrow(/questionSmoothing/);
    expect(() => makeAdaptConfig({ probeEverySteps: -1 })).toThrow(/probeEverySteps/);
    expect(makeAdaptConfig({ batchSize: 0, questionBatch: 2 }).batchSize).toBe(0);
    expect(() => makeAdaptConfig({ itemQuestionBatch: -2 })).toThrow(/itemQuestionBatch/);
    expect(makeAdaptConfig({ batchSize: 0, itemQuestionBatch: 2 }).itemQuestionBatch).toBe(2);
  });
  it('presets are valid configs; an unknown preset is refused by name before any file is written', () => {
    for (const [name, p] of Object.entries(ADAPT_PRESETS)) {
      expect(() => makeAdaptConfig(p.config), name).not.toThrow();
      expect(p.titlesOnlyShare).toBeGreaterThanOrEqual(0);
      expect(p.titlesOnlyShare).toBeLessThanOrEqual(1);
    }
    expect(makeAdaptConfig(ADAPT_PRESETS['skill-questions']!.config).batchSize).toBe(0);
    expect(makeAdaptConfig({ ...ADAPT_PRESETS['mixed']!.config, steps: 7 }).steps).toBe(7);
    expect(() => adaptPreset('nope')).toThrow(/unknown --preset "nope" \(known: skill-questions, mixed\)/);
    const root = path.resolve(__dirname, '..', '..'), out = path.join(os.tmpdir(), `adapt-cli-${process.pid}`);
    const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli', 'adapt-lm.js'), '--dataset', 'synthetic', '--preset', 'nope', '--out', out, '--work', out + '-work'], { cwd: root, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown --preset "nope"/);
    expect(fs.existsSync(out) || fs.existsSync(out + '-work')).toBe(false);
    const kinds = spawnSync(process.execPath, [path.join(root, 'dist', 'cli', 'adapt-lm.js'), '--dataset', 'synthetic', '--item-question-kinds', 'genre', '--out', out, '--work', out + '-work'], { cwd: root, encoding: 'utf8' });
    expect(kinds.status).not.toBe(0);
    expect(kinds.stderr).toMatch(/--item-question-kinds needs --itemQuestionBatch > 0/);
    expect(fs.existsSync(out) || fs.existsSync(out + '-work')).toBe(false);
  });
  it('refuses a question loss without questions before touching the work folder', async () => {
    const work = path.join(os.tmpdir(), `adapt-noq-${process.pid}`);
    const inputs = { itemText: 'x', skillText: '', replayText: 'y', heldOutText: 'z', probes: {} };
    await expect(runAdapt(makeAdaptConfig({ questionBatch: 4 }), BASE, work, inputs)).rejects.toThrow(/questionBatch = 4 but no training questions/);
    const questions = skillProbes(syntheticWorld('tiny').items, { n: 4, seed: 1, withGenres: true });
    await expect(runAdapt(makeAdaptConfig({ questionBatch: 4, questionShortSteps: 2 }), BASE, work, { ...inputs, questions })).rejects.toThrow(/questionShortSteps = 2 but no short questions/);
    await expect(runAdapt(makeAdaptConfig({ itemQuestionBatch: 4 }), BASE, work, inputs)).rejects.toThrow(/itemQuestionBatch = 4 but no item questions/);
    expect(fs.existsSync(work)).toBe(false);
    fs.rmSync(work, { recursive: true, force: true });
  });
});

describe('runAdapt', () => {
  it('trains on the domain text, keeps the base read-only, and resumes', async () => {
    const items = syntheticWorld('tiny').items.slice(0, 30);
    const text = itemCorpus(items, { repeats: 10, seed: 0 });
    const inputs = {
      itemText: text, skillText: '', replayText: 'Once upon a time there was a little cat.\n\n'.repeat(400),
      heldOutText: 'The old man looked at the sea and smiled.\n\n'.repeat(40), probes: { genre: itemProbes(items, 'genre', 'heldIn', 3) },
    };
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'adapt-'));
    const before = sha(path.join(BASE, 'model.safetensors'));
    const cfg = makeAdaptConfig({ steps: 6, batchSize: 2, seqLen: 32, warmupSteps: 1, peakLr: 1e-3, evalTokens: 64, probeFacts: 1, replayChars: 10_000, factsShare: 0 });
    try {
      const first = await runAdapt(cfg, BASE, work, inputs, { maxSeconds: 0 });
      expect(first.finished).toBe(false);
      expect(first.state.step).toBe(0);
      expect(first.state.before!.probes['genre']!.n).toBe(3);
      disposeLlama(first.model);
      tf.disposeVariables();
      // a work folder written before a config field existed (here itemQuestionBatch) resumes with the field's default
      const cfgFile = path.join(work, 'adapt-config.json');
      const older = JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as { config: Record<string, unknown> };
      delete older.config['itemQuestionBatch'];
      fs.writeFileSync(cfgFile, JSON.stringify(older));
      const lines: string[] = [];
      const r = await runAdapt(cfg, BASE, work, inputs, { onProgress: (l) => lines.push(l) });
      expect(lines.some((l) => l.startsWith('resuming at step 0'))).toBe(true);
      expect(lines.some((l) => l.startsWith('probing the base'))).toBe(false);
      expect(r.finished).toBe(true);
      expect(r.state.step).toBe(6);
      expect(r.state.tokensSeen).toBe(6 * 2 * 32);
      expect(Number.isFinite(r.state.lastLoss)).toBe(true);
      disposeLlama(r.model);
      tf.disposeVariables();
      await expect(runAdapt({ ...cfg, steps: 7 }, BASE, work, inputs)).rejects.toThrow(/different adaptation/);
      expect(sha(path.join(BASE, 'model.safetensors'))).toBe(before);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);
  it('trains item questions alone (no LM windows): their listwise loss falls on the trained items', async () => {
    const items = syntheticWorld('tiny').items.slice(0, 12);
    const itemQs = itemQuestions(items, ['genre']);
    const inputs = {
      itemText: itemCorpus(items, { repeats: 4, seed: 0 }), skillText: '', itemQuestions: itemQs,
      replayText: 'Once upon a time there was a little cat.\n\n'.repeat(200),
      heldOutText: 'The old man looked at the sea and smiled.\n\n'.repeat(40), probes: {},
    };
    const work = path.join(os.tmpdir(), `adapt-items-${process.pid}`);
    const cfg = makeAdaptConfig({ steps: 8, batchSize: 0, itemQuestionBatch: 6, seqLen: 32, warmupSteps: 0, peakLr: 1e-3, minLr: 1e-3, adamBeta2: 0.999, clip: 1e6, weightDecay: 0,
      evalTokens: 64, probeFacts: 1, replayChars: 10_000, factsShare: 0 });
    const base = loadHfModel(BASE), tok = await loadTokenizer(BASE);
    const enc = encodeCandidateQuestions(tok, itemQs), rows = enc.prompts.map((_, i) => i);
    const lossOf = (m: typeof base): number => tf.tidy(() => candidateLoss(m, enc, rows).dataSync()[0]!);
    const before = lossOf(base);
    disposeLlama(base);
    try {
      const r = await runAdapt(cfg, BASE, work, inputs);
      expect(r.finished).toBe(true);
      expect(r.state.tokensSeen).toBe(0);
      expect(lossOf(r.model)).toBeLessThan(before * 0.8);
      disposeLlama(r.model);
      tf.disposeVariables();
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);
  it('runs a question-only phase (no LM windows) and reports its progress probes during training', async () => {
    const items = syntheticWorld('tiny').items;
    const questions = skillProbes(items, { n: 8, seed: 2, withGenres: true });
    const probe = skillProbes(items, { n: 4, seed: 9, withGenres: true });
    const inputs = {
      itemText: itemCorpus(items.slice(0, 10), { repeats: 4, seed: 0 }), skillText: '', questions,
      replayText: 'Once upon a time there was a little cat.\n\n'.repeat(200),
      heldOutText: 'The old man looked at the sea and smiled.\n\n'.repeat(40), probes: {}, progressProbes: { skill: probe },
    };
    const work = path.join(os.tmpdir(), `adapt-qonly-${process.pid}`);
    const cfg = makeAdaptConfig({ steps: 4, batchSize: 0, questionBatch: 4, seqLen: 32, warmupSteps: 0, peakLr: 1e-3, minLr: 1e-3, adamBeta2: 0.999,
      questionSmoothing: 0.1, probeEverySteps: 2, evalTokens: 64, probeFacts: 1, replayChars: 10_000, factsShare: 0 });
    try {
      const lines: string[] = [];
      const r = await runAdapt(cfg, BASE, work, inputs, { onProgress: (l) => lines.push(l) });
      expect(r.finished).toBe(true);
      expect(r.state.tokensSeen).toBe(0);
      expect(r.state.evals.filter((e) => e.probes).map((e) => e.step)).toEqual([2]);
      expect(r.state.evals[0]!.probes!['skill']!.pairAuc).not.toBeNull();
      expect(lines.some((l) => /step 2 probes: skill \d/.test(l))).toBe(true);
      expect(lines.some((l) => /steps\/s ETA/.test(l))).toBe(true);
      expect(Number.isFinite(r.state.lastLoss)).toBe(true);
      disposeLlama(r.model);
      tf.disposeVariables();
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);
});
