// Seeded random initialisation of a decoder (weights N(0, 0.02^2), norms 1, biases 0), as tensors or
// as trainable variables. Reference: transformers LlamaPreTrainedModel._init_weights (initializer_range 0.02).
import * as tf from '@tensorflow/tfjs';
import { makeRng, type Rng } from '../core/rng';
import type { LlamaConfig } from './config';
import type { LlamaLayerWeights, LlamaModel } from './weights';
import { ownedVariable } from '../core/variable';

function normal(shape: number[], std: number, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal() * std;
  return tf.tensor(v, shape);
}

/**
 * A model with seeded random float32 weights, deterministic across runs (core/rng draws in a fixed order:
 * embed, each layer's q, k, v, o, gate, up, down, then lm_head). With `trainable`, every tensor is a
 * tf.Variable (for pretraining); otherwise plain tensors. The residual output projections (o, down) use std / sqrt(2 L)
 * when `scaledResiduals` (GPT-2 practice), else std.
 */
export function randomLlama(config: LlamaConfig, seed: number, opts: { std?: number; trainable?: boolean; scaledResiduals?: boolean } = {}): LlamaModel {
  const rng = makeRng(seed);
  const std = opts.std ?? 0.02;
  const resStd = opts.scaledResiduals ? std / Math.sqrt(2 * config.numHiddenLayers) : std;
  const wrap = (t: tf.Tensor): tf.Tensor => {
    if (!opts.trainable) return t;
    return ownedVariable(t);
  };
  const d = config.hiddenSize, q = config.numAttentionHeads * config.headDim, kv = config.numKeyValueHeads * config.headDim, f = config.intermediateSize;
  const ones = (n: number) => wrap(tf.ones([n])) as tf.Tensor1D;
  const zeros = (n: number) => wrap(tf.zeros([n])) as tf.Tensor1D;
  const mat = (shape: [number, number], s: number) => wrap(normal(shape, s, rng)) as tf.Tensor2D;
  const embed = mat([config.vocabSize, d], std);
  const layers: LlamaLayerWeights[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    layers.push({
      inputNorm: ones(d), q: mat([q, d], std), k: mat([kv, d], std), v: mat([kv, d], std), o: mat([d, q], resStd),
      qBias: config.attentionBias ? zeros(q) : null, kBias: config.attentionBias ? zeros(kv) : null, vBias: config.attentionBias ? zeros(kv) : null,
      postNorm: ones(d), gate: mat([f, d], std), up: mat([f, d], std), down: mat([d, f], resStd),
    });
  }
  return { config, weights: { embed, layers, finalNorm: ones(d), lmHead: config.tieWordEmbeddings ? null : mat([config.vocabSize, d], std) } };
}
