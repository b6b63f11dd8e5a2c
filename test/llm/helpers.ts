// Test helpers for the decoder: seeded random weights for a config (independent of src/llm/init.ts),
// the Hugging Face rope row permutation, and tensor comparisons read outside tf.tidy.
import * as tf from '@tensorflow/tfjs';
import { makeRng, type Rng } from '../../src/core/rng';
import type { LlamaConfig } from '../../src/llm/config';
import type { LlamaLayerWeights, LlamaModel } from '../../src/llm/weights';

function normal(shape: number[], std: number, rng: Rng, mean = 0): tf.Tensor {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) v[i] = mean + rng.normal() * std;
  return tf.tensor(v, shape);
}

/** A model with seeded N(0, std^2) matrices, norms N(1, 0.1^2) and biases N(0, std^2) (when the config has them); plain tensors. */
export function randomModel(cfg: LlamaConfig, seed: number, std = 0.2): LlamaModel {
  const rng = makeRng(seed);
  const d = cfg.hiddenSize, q = cfg.numAttentionHeads * cfg.headDim, kv = cfg.numKeyValueHeads * cfg.headDim, f = cfg.intermediateSize;
  const mat = (r: number, c: number) => normal([r, c], std, rng) as tf.Tensor2D;
  const vec = (n: number, s: number, mean = 0) => normal([n], s, rng, mean) as tf.Tensor1D;
  const bias = (n: number) => (cfg.attentionBias ? vec(n, std) : null);
  const layers: LlamaLayerWeights[] = [];
  for (let i = 0; i < cfg.numHiddenLayers; i++) {
    layers.push({
      inputNorm: vec(d, 0.1, 1), q: mat(q, d), k: mat(kv, d), v: mat(kv, d), o: mat(d, q),
      qBias: bias(q), kBias: bias(kv), vBias: bias(kv),
      postNorm: vec(d, 0.1, 1), gate: mat(f, d), up: mat(f, d), down: mat(d, f),
    });
  }
  return { config: cfg, weights: { embed: mat(cfg.vocabSize, d), layers, finalNorm: vec(d, 0.1, 1), lmHead: cfg.tieWordEmbeddings ? null : mat(cfg.vocabSize, d) } };
}

/**
 * Source rows turning interleaved-rope q/k rows into half-layout rows, per head (transformers'
 * convert_llama_weights_to_hf permute): new row j takes old row 2j, new row D/2 + j takes 2j + 1.
 */
export function halfFromInterleavedRows(nHeads: number, headDim: number): number[] {
  const out: number[] = [];
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < headDim / 2; j++) out.push(h * headDim + 2 * j);
    for (let j = 0; j < headDim / 2; j++) out.push(h * headDim + 2 * j + 1);
  }
  return out;
}

/** Rows (axis 0) of t in the given order. */
export function takeRows<T extends tf.Tensor>(t: T, rows: readonly number[]): T {
  return tf.tidy(() => tf.gather(t, tf.tensor1d(rows as number[], 'int32')) as T);
}

/** max |a - b| over all elements (shapes must match). */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expectSameShape(a, b);
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

function expectSameShape(a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shape [${a.shape}] vs [${b.shape}]`);
}

/** An int32 [B, T] tensor from rows of ids. */
export function idsTensor(rows: readonly (readonly number[])[]): tf.Tensor2D {
  return tf.tensor2d(rows.map((r) => [...r]), [rows.length, rows[0]!.length], 'int32');
}

/** Frees every tensor of a model built by randomModel. */
export function disposeModel(m: LlamaModel): void {
  const w = m.weights;
  tf.dispose([w.embed, w.finalNorm, ...(w.lmHead ? [w.lmHead] : [])]);
  for (const l of w.layers) tf.dispose([l.inputNorm, l.q, l.k, l.v, l.o, l.postNorm, l.gate, l.up, l.down, ...[l.qBias, l.kBias, l.vBias].filter((b): b is tf.Tensor1D => b !== null)]);
}

/** Central finite difference of f at element `index` of variable v (restored afterwards), f must free its own tensors. */
export function finiteDiff(f: () => number, v: tf.Variable, index: number, eps: number): number {
  const base = v.dataSync().slice();
  const at = (delta: number): number => {
    const x = base.slice();
    x[index] = x[index]! + delta;
    tf.tidy(() => v.assign(tf.tensor(x, v.shape)));
    return f();
  };
  const plus = at(eps), minus = at(-eps);
  tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
  return (plus - minus) / (2 * eps);
}
