// LightGCN: embeddings smoothed over the symmetric-normalised user-item graph of POSITIVE train
// pairs, mean over layers 0..K; logit = <e_user, e_item>, trained pointwise with BCE as in CoLLM.
// Reference: He et al., LightGCN (SIGIR 2020); CoLLM baseline_train_lightgcn_ood.py.
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import { segmentSum } from '../backend/segment-sum';
import { edgeSpmm, edgeSpmmAvailable } from '../backend/edge-spmm';
import type { Rng } from '../core/rng';
import type { InteractionSplit } from '../data/types';
import { normalVar } from './init';
import type { CFBatch, CFCommonConfig, CFModel, CFSpec } from './types';
import type { ForwardMode } from '../core/types';

/** LightGCN hyper-parameters. */
export interface LightGCNConfig extends CFCommonConfig {
  /** Number of propagation layers K (default 2, CoLLM's ML-1M setting). */
  readonly nLayers: number;
  /** Std of the N(0, std^2) initial embeddings (default 0.1, as CoLLM). */
  readonly initStd: number;
}

/** LightGCN defaults (CoLLM ML-1M: d = 64, 2 layers). */
export const LIGHTGCN_DEFAULTS: LightGCNConfig = Object.freeze({ nUsers: 0, nItems: 0, dEmb: 64, maxHistory: 0, nLayers: 2, initStd: 0.1 });

function makeConfig(options: Readonly<Partial<LightGCNConfig>>, dims: { nUsers: number; nItems: number }): LightGCNConfig {
  const cfg = mergeConfig('LightGCNConfig', LIGHTGCN_DEFAULTS, { ...dims, ...options });
  checkInt('LightGCNConfig', 'nUsers', cfg.nUsers);
  checkInt('LightGCNConfig', 'nItems', cfg.nItems);
  checkInt('LightGCNConfig', 'dEmb', cfg.dEmb);
  checkInt('LightGCNConfig', 'maxHistory', cfg.maxHistory, 0);
  checkInt('LightGCNConfig', 'nLayers', cfg.nLayers, 0);
  checkRange('LightGCNConfig', 'initStd', cfg.initStd, 0, 10, true);
  return Object.freeze(cfg);
}

/**
 * Edge list of the normalised adjacency D^-1/2 A D^-1/2 over nodes [users; items] (A holds each
 * distinct positive train pair once, both directions). @returns src, dst int32 and weight float32, each [2E].
 */
export function positiveGraph(train: InteractionSplit, nUsers: number, nItems: number): { src: Int32Array; dst: Int32Array; weight: Float32Array } {
  const seen = new Set<number>();
  const us: number[] = [], is: number[] = [];
  for (let r = 0; r < train.label.length; r++) {
    if (train.label[r] !== 1) continue;
    const u = train.userIdx[r]!, i = train.itemIdx[r]!;
    const key = u * nItems + i;
    if (seen.has(key)) continue;
    seen.add(key);
    us.push(u);
    is.push(i);
  }
  const deg = new Float64Array(nUsers + nItems);
  for (let e = 0; e < us.length; e++) {
    deg[us[e]!]! += 1;
    deg[nUsers + is[e]!]! += 1;
  }
  const E = us.length;
  const src = new Int32Array(2 * E), dst = new Int32Array(2 * E), weight = new Float32Array(2 * E);
  for (let e = 0; e < E; e++) {
    const u = us[e]!, i = nUsers + is[e]!;
    const w = 1 / Math.sqrt(deg[u]! * deg[i]!);
    src[e] = u; dst[e] = i; weight[e] = w;
    src[E + e] = i; dst[E + e] = u; weight[E + e] = w;
  }
  return { src, dst, weight };
}

function init(cfg: LightGCNConfig, rng: Rng, train: InteractionSplit): CFModel<LightGCNConfig> {
  const g = positiveGraph(train, cfg.nUsers, cfg.nItems);
  return {
    kind: 'lightgcn',
    config: cfg,
    params: { userEmb: normalVar([cfg.nUsers, cfg.dEmb], cfg.initStd, rng), itemEmb: normalVar([cfg.nItems, cfg.dEmb], cfg.initStd, rng) },
    buffers: { edgeSrc: tf.tensor1d(g.src, 'int32'), edgeDst: tf.tensor1d(g.dst, 'int32'), edgeWeight: tf.tensor2d(g.weight, [g.weight.length, 1]) },
  };
}

/** Propagated embeddings of every node. @returns [nUsers + nItems, dEmb] float32 (users first). */
export function propagate(m: CFModel<LightGCNConfig>): tf.Tensor2D {
  return tf.tidy(() => {
    const nNodes = m.config.nUsers + m.config.nItems;
    let h = tf.concat([m.params['userEmb']!, m.params['itemEmb']!] as tf.Tensor2D[], 0);
    let acc: tf.Tensor2D = h;
    const fused = edgeSpmmAvailable();
    for (let k = 0; k < m.config.nLayers; k++) {
      if (fused) {
        // one native pass per layer (and per gradient) instead of gather -> multiply -> segment sum
        h = edgeSpmm(h, m.buffers['edgeSrc'] as tf.Tensor1D, m.buffers['edgeDst'] as tf.Tensor1D, tf.reshape(m.buffers['edgeWeight']!, [-1]) as tf.Tensor1D);
        acc = tf.add(acc, h);
        continue;
      }
      // h' = A_norm h as a weighted scatter of neighbour rows: [2E, d] -> [nNodes, d]
      const msgs = tf.mul(tf.gather(h, m.buffers['edgeSrc']!), m.buffers['edgeWeight']!) as tf.Tensor2D;
      h = segmentSum(msgs, m.buffers['edgeDst']! as tf.Tensor1D, nNodes);
      acc = tf.add(acc, h);
    }
    return tf.div(acc, m.config.nLayers + 1);
  });
}

function userRepr(m: CFModel<LightGCNConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => tf.gather(propagate(m), b.userIdx) as tf.Tensor2D);
}

function itemRepr(m: CFModel<LightGCNConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => tf.gather(propagate(m), tf.add(b.itemIdx, tf.scalar(m.config.nUsers, 'int32'))) as tf.Tensor2D);
}

function score(m: CFModel<LightGCNConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor1D {
  return tf.tidy(() => {
    const all = propagate(m);
    const u = tf.gather(all, b.userIdx), i = tf.gather(all, tf.add(b.itemIdx, tf.scalar(m.config.nUsers, 'int32')));
    return tf.sum(tf.mul(u, i), -1) as tf.Tensor1D;
  });
}

/** The LightGCN model functions (see CFSpec). */
export const LIGHTGCN: CFSpec<LightGCNConfig> = { kind: 'lightgcn', makeConfig, init, score, userRepr, itemRepr };
