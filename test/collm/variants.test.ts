// Fidelity of what each method trains and from which state: CoLLM stage 2 trains only the mapping
// (LoRA and CF frozen), T1 also the pretrained CF model, T2 a CF model re-initialised from scratch
// (the pretrained one untouched), T3 the mapping and a fresh LoRA jointly without a stage 1; CoRA trains
// the generator and zero-initialised P only. One AdamW step each, then every parameter is compared.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import type { CfBackbone } from '../../src/cf/backbone';
import { COLLM_SPEC } from '../../src/collm/method';
import { CORA_SPEC } from '../../src/cora/method';
import { namedGrads } from '../../src/core/grads';
import { bceWithLogits } from '../../src/core/loss';
import { adamStep, initAdamState, disposeAdamState } from '../../src/core/optim';
import type { Dataset } from '../../src/data/types';
import { loadHfModel } from '../../src/llm/hf-load';
import { initLora } from '../../src/llm/lora';
import { loadTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';
import { makePromptBatch } from '../../src/rec/batch';
import { answerTokenId, encodePrompts } from '../../src/rec/encode';
import type { RecMethod } from '../../src/rec/method';
import { TALLREC_LORA, tallrecMethod } from '../../src/rec/text-methods';
import { makeCFExperiment, runCFExperiment } from '../../src/runner/cf-experiment';
import { loadCFRun } from '../../src/runner/rec-run';
import { tinySetting } from '../rec/helpers';

let ds: Dataset, dir: string, llm: LlamaModel, yesId: number, cf: CfBackbone;
let enc: { tallrec: ReturnType<typeof encodePrompts>; collm: ReturnType<typeof encodePrompts> };

beforeAll(async () => {
  await initBackend('wasm');
  ({ ds, dir } = tinySetting());
  llm = loadHfModel(dir);
  const tok = await loadTokenizer(dir);
  yesId = answerTokenId(tok);
  enc = { tallrec: encodePrompts('tallrec', ds, ds.splits.train, tok), collm: encodePrompts('collm', ds, ds.splits.train, tok) };
  await runCFExperiment(makeCFExperiment({ dataset: 'synthetic-tiny', model: 'mf', seed: 0, backend: 'wasm', train: { lr: 1e-2, maxEpochs: 3, patience: 3 }, modelOptions: { dEmb: 16 } }), { outDir: path.join(dir, 'cf'), datasetOverride: ds });
  cf = loadCFRun(path.join(dir, 'cf'), ds);
}, 120_000);
afterAll(() => {
  disposeLlama(llm);
  tf.dispose([...Object.values(cf.model.params)]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const snap = (vars: Readonly<Record<string, tf.Variable>>): Record<string, Float32Array> => Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.dataSync().slice() as Float32Array]));
const changed = (a: Float32Array, b: Float32Array): boolean => a.some((x, i) => x !== b[i]);

/** One AdamW step of the method on a few rows. */
function step(m: RecMethod): void {
  const b = makePromptBatch(m.promptKind === 'collm' ? enc.collm : enc.tallrec, ds.splits.train, [0, 3, 7, 11, 19, 23], 0);
  const adam = initAdamState(m.params);
  const { value, grads } = namedGrads(() => tf.tidy(() => bceWithLogits(m.logits(b, { training: true, seed: 1 }), b.label)), m.params);
  adamStep(m.params, grads, adam, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: true }, 1e-2);
  tf.dispose([value, ...Object.values(grads)]);
  disposeAdamState(adam);
}

function build(options: Record<string, unknown>, stage1: RecMethod | null): RecMethod {
  return COLLM_SPEC.build({ llm, yesId, seed: 5, train: ds.splits.train, cf, stage1 }, COLLM_SPEC.makeOptions(options, 'mf'));
}

describe('CoLLM variants train exactly their parameters, from the intended states', () => {
  it('stage 2: the mapping only; the stage-1 LoRA and the CF model stay as they were', () => {
    const s1 = tallrecMethod(llm, yesId, { config: TALLREC_LORA, seed: 2 });
    const cfBefore = snap(cf.model.params), loraBefore = snap(s1.params);
    const m = build({}, s1);
    expect(Object.keys(m.params).sort()).toEqual(['mapping.0.bias', 'mapping.0.weight', 'mapping.2.bias', 'mapping.2.weight']);
    expect(m.lora).toBe(s1.lora);
    step(m);
    for (const [k, v] of Object.entries(snap(cf.model.params))) expect(changed(v, cfBefore[k]!), k).toBe(false);
    for (const [k, v] of Object.entries(snap(s1.params))) expect(changed(v, loraBefore[k]!), k).toBe(false);
    m.dispose();
    s1.dispose();
  });

  it('T1: the pretrained CF model is trained further (starts from its pretrained values)', () => {
    const s1 = tallrecMethod(llm, yesId, { config: TALLREC_LORA, seed: 2 });
    const cfBefore = snap(cf.model.params);
    const m = build({ variant: 'T1' }, s1);
    expect(Object.keys(m.params).filter((k) => k.startsWith('cf.')).sort()).toEqual(Object.keys(cf.model.params).map((k) => `cf.${k}`).sort());
    for (const k of Object.keys(cf.model.params)) expect(m.params[`cf.${k}`]).toBe(cf.model.params[k]);
    step(m);
    expect(changed(snap(cf.model.params)['userEmb']!, cfBefore['userEmb']!)).toBe(true);
    m.dispose();
    s1.dispose();
    // restore the shared backbone for the other tests
    for (const [k, v] of Object.entries(cfBefore)) cf.model.params[k]!.assign(tf.tensor(v, cf.model.params[k]!.shape));
  });

  it('T2: a CF model initialised from scratch is trained; the pretrained backbone is untouched', () => {
    const s1 = tallrecMethod(llm, yesId, { config: TALLREC_LORA, seed: 2 });
    const cfBefore = snap(cf.model.params);
    const before = tf.memory().numTensors;
    const m = build({ variant: 'T2' }, s1);
    const fresh = snap(Object.fromEntries(Object.entries(m.params).filter(([k]) => k.startsWith('cf.')).map(([k, v]) => [k.slice(3), v])));
    expect(Object.keys(fresh).sort()).toEqual(Object.keys(cf.model.params).sort());
    expect(changed(fresh['userEmb']!, cfBefore['userEmb']!), 'T2 does not start from the pretrained embeddings').toBe(true);
    step(m);
    for (const [k, v] of Object.entries(snap(cf.model.params))) expect(changed(v, cfBefore[k]!), k).toBe(false);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    s1.dispose();
  });

  it('T3: mapping and a fresh LoRA (B = 0) train jointly, with no stage 1', () => {
    expect(COLLM_SPEC.stage1(COLLM_SPEC.makeOptions({ variant: 'T3' }, 'mf'))).toBeNull();
    expect(COLLM_SPEC.stage1(COLLM_SPEC.makeOptions({}, 'mf'))).toEqual({ method: 'tallrec', options: { lora: TALLREC_LORA } });
    const m = build({ variant: 'T3' }, null);
    const loraKeys = Object.keys(m.params).filter((k) => k.includes('lora_'));
    expect(loraKeys.length).toBe(2 * 2 * llm.config.numHiddenLayers);
    for (const k of loraKeys.filter((x) => x.includes('lora_B'))) expect(Math.max(...snap({ x: m.params[k]! })['x']!.map(Math.abs))).toBe(0);
    const cfBefore = snap(cf.model.params);
    step(m);
    expect(loraKeys.some((k) => k.includes('lora_B') && Math.max(...snap({ x: m.params[k]! })['x']!.map(Math.abs)) > 0)).toBe(true);
    for (const [k, v] of Object.entries(snap(cf.model.params))) expect(changed(v, cfBefore[k]!), k).toBe(false);
    m.dispose();
  });

  it('refuses stage 2 without a trained stage 1', () => {
    expect(() => build({}, null)).toThrow(/needs its trained TALLRec stage 1/);
  });
});

describe('CoRA trains its generator and P only', () => {
  it('starts with P = 0 and leaves the LLM and the CF model frozen', () => {
    const m = CORA_SPEC.build({ llm, yesId, seed: 5, train: ds.splits.train, cf, stage1: null }, CORA_SPEC.makeOptions({ rank: 4 }, 'mf'));
    const pKeys = Object.keys(m.params).filter((k) => !k.startsWith('generator.'));
    expect(pKeys.length).toBe(4 * llm.config.numHiddenLayers);
    for (const k of pKeys) expect(Math.max(...snap({ x: m.params[k]! })['x']!.map(Math.abs)), k).toBe(0);
    const cfBefore = snap(cf.model.params);
    const embBefore = llm.weights.embed.dataSync().slice();
    step(m);
    for (const [k, v] of Object.entries(snap(cf.model.params))) expect(changed(v, cfBefore[k]!), k).toBe(false);
    expect(changed(llm.weights.embed.dataSync() as Float32Array, embBefore as Float32Array)).toBe(false);
    expect(pKeys.some((k) => Math.max(...snap({ x: m.params[k]! })['x']!.map(Math.abs)) > 0)).toBe(true);
    m.dispose();
  });

  it('builds the official post-norm GELU generator with dropout only while training', () => {
    const m = CORA_SPEC.build({ llm, yesId, seed: 5, train: ds.splits.train, cf, stage1: null }, CORA_SPEC.makeOptions({ preset: 'official', rank: 4, generator: { nLayers: 2, nHeads: 4 } }, 'mf'));
    const cm = m as unknown as { sampleWeights: (s: typeof ds.splits.train, r: number[], mode?: { training: boolean; seed: number }) => tf.Tensor3D };
    const a = cm.sampleWeights(ds.splits.train, [0, 1]), b = cm.sampleWeights(ds.splits.train, [0, 1]);
    const t1 = cm.sampleWeights(ds.splits.train, [0, 1], { training: true, seed: 1 }), t2 = cm.sampleWeights(ds.splits.train, [0, 1], { training: true, seed: 2 });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(t1, t2))).dataSync()[0])).toBeGreaterThan(0);
    expect(Object.keys(m.params).some((k) => k.includes('final.norm'))).toBe(false);
    tf.dispose([a, b, t1, t2]);
    m.dispose();
  });
});

describe('the initial LoRA of T3 is seeded like TALLRec\'s', () => {
  it('matches initLora with the run seed', () => {
    const m = build({ variant: 'T3' }, null);
    const ref = initLora(llm, TALLREC_LORA, 5);
    const k = Object.keys(ref.params).find((x) => x.includes('lora_A'))!;
    expect(changed(snap(m.params)[k]!, snap(ref.params)[k]!)).toBe(false);
    tf.dispose(Object.values(ref.params));
    m.dispose();
  });
});
