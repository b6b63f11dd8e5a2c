// The LLM-method registry: a method defined in its own folder (test/rec/demo-method) and registered with
// one line trains, scores and reloads through the same runner path as the built-in methods; experiment
// configs are validated through the method's spec (unknown methods, options, variants, CF and stage-1 use).
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { readJson } from '../../src/core/io';
import { encodePrompts } from '../../src/rec/encode';
import { scoreRows } from '../../src/rec/train';
import { loadRecRun } from '../../src/runner/load-rec-run';
import { recMethodNames, recMethodSpec, registerRecMethod } from '../../src/runner/methods';
import { makeRecExperiment, recRunTag } from '../../src/runner/rec-config';
import { runRecExperiment } from '../../src/runner/rec-experiment';
import { CALIBRATED_SPEC } from './demo-method/method';
import { tinySetting } from './helpers';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  ({ dir } = tinySetting());
  registerRecMethod(CALIBRATED_SPEC);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('LLM-method registry', () => {
  it('lists the built-in methods first and refuses unknown or duplicate names', () => {
    expect(recMethodNames().slice(0, 4)).toEqual(['base', 'tallrec', 'collm', 'cora']);
    expect(() => recMethodSpec('binllm2')).toThrow(/unknown LLM method "binllm2"; registered: base, tallrec, collm, cora, binllm, calibrated/);
    expect(() => registerRecMethod(CALIBRATED_SPEC)).toThrow(/already registered/);
    expect(() => registerRecMethod({ ...CALIBRATED_SPEC, name: 'Bad Name' })).toThrow(/lower-case/);
  });

  it('trains, scores and reloads a registered method through the shared runner path', async () => {
    const outDir = path.join(dir, 'run-calibrated');
    const exp = makeRecExperiment({
      dataset: 'synthetic-tiny', method: 'calibrated', options: { initScale: 0.5 }, llmDir: dir, backend: 'wasm', seed: 1,
      train: { lr: 5e-2, warmupSteps: 0, batchSize: 4, itersPerEpoch: 3, maxEpochs: 2, patience: 2, evalBatchSize: 8 }, validRows: 16, testRows: 12,
    });
    expect(recRunTag(exp)).toBe('calibrated');
    const r = await runRecExperiment(exp, { outDir });
    expect(r.method).toBe('calibrated');
    expect(r.trainableParameters).toBe(2);
    expect(r.stepsTrained).toBe(r.training!.history.length * 3);
    expect(r.samplesSeen).toBe(r.stepsTrained * 4);
    const saved = readJson<{ test: { logit: number[] } }>(path.join(outDir, 'scores.json'));
    const before = tf.memory().numTensors;
    const run = await loadRecRun(outDir);
    const got = await scoreRows(run.method, encodePrompts('tallrec', run.dataset, run.testSplit, run.tokenizer), run.testSplit, run.padId, 5);
    got.forEach((v, i) => expect(Math.abs(v - saved.test.logit[i]!)).toBeLessThan(1e-5));
    // trained away from the initial scale
    expect(Math.abs(run.method.params['scale']!.dataSync()[0]! - 0.5)).toBeGreaterThan(0);
    run.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 180_000);

  it('validates configs through the method spec before any work', () => {
    const base = { dataset: 'synthetic-tiny' as const, llmDir: dir };
    expect(() => makeRecExperiment({ ...base, method: 'nope' })).toThrow(/method: "nope" is not a registered LLM method/);
    expect(() => makeRecExperiment({ ...base, method: 'calibrated', options: { initScale: -1 } })).toThrow(/initScale: must be > 0/);
    expect(() => makeRecExperiment({ ...base, method: 'collm', options: { variant: 'T9' } })).toThrow(/variant: "T9" is not one of stage2, T1, T2, T3/);
    expect(() => makeRecExperiment({ ...base, method: 'tallrec', options: { rank: 4 } })).toThrow(/tallrec options: unknown field "rank"/);
    expect(() => makeRecExperiment({ ...base, method: 'tallrec', options: { lora: { r: 0 } } })).toThrow(/r must be an integer >= 1/);
    expect(() => makeRecExperiment({ ...base, method: 'tallrec', cf: { model: 'mf', runDir: null } })).toThrow(/tallrec reads no CF backbone/);
    expect(() => makeRecExperiment({ ...base, method: 'cora', stage1RunDir: 'x' })).toThrow(/has no stage 1/);
    expect(() => makeRecExperiment({ ...base, method: 'cora', options: { preset: 'huge' } })).toThrow(/preset: "huge" is not one of official, kit/);
    expect(() => makeRecExperiment({ ...base, method: 'base', testRows: 7.9 })).toThrow(/testRows must be an integer >= 0, got 7.9/);
    expect(() => makeRecExperiment({ ...base, method: 'base', testRows: -5 })).toThrow(/testRows must be an integer >= 0, got -5/);
    expect(makeRecExperiment({ ...base, method: 'collm' }).cf).toEqual({ model: 'mf', runDir: null });
  });

  it('resolves presets in full and keeps alpha / r when only the rank is given', () => {
    const official = makeRecExperiment({ dataset: 'synthetic-tiny', method: 'cora', cf: { model: 'lightgcn', runDir: null }, options: { preset: 'official' } }).options;
    expect(official).toMatchObject({ preset: 'official', rank: 64, alpha: 128, dropout: 0.05 });
    expect(official['generator']).toMatchObject({ nLayers: 8, nHeads: 8, normOrder: 'post', activation: 'gelu', dropout: 0.1, widthRule: 'twice-cf' });
    expect(makeRecExperiment({ dataset: 'synthetic-tiny', method: 'cora', options: { preset: 'official' } }).options).toMatchObject({ rank: 16, alpha: 32 });
    expect(makeRecExperiment({ dataset: 'synthetic-tiny', method: 'cora', options: { rank: 4 } }).options).toMatchObject({ preset: 'kit', rank: 4, alpha: 8 });
  });
});
