// Matrix factorisation without biases: logit = <e_user, e_item>. The CoLLM paper's MF baseline.
// Reference: CoLLM (arXiv 2310.19488) baseline_train_mf_ood.py; Koren et al. 2009.
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import type { Rng } from '../core/rng';
import type { InteractionSplit } from '../data/types';
import { bceWithLogits } from '../core/loss';
import { normalVar } from './init';
import type { CFBatch, CFCommonConfig, CFModel, CFSpec } from './types';
import type { ForwardMode } from '../core/types';

/** MF hyper-parameters. */
export interface MFConfig extends CFCommonConfig {
  /** Std of the N(0, std^2) embedding init; default 0.1. CoLLM kept nn.Embedding's N(0, 1) and needed ~465 epochs; 0.1 converges in ~30 (measured). */
  readonly initStd: number;
}

/** MF defaults (CoLLM ML-1M: d = 256). nUsers/nItems come from the dataset. */
export const MF_DEFAULTS: MFConfig = Object.freeze({ nUsers: 0, nItems: 0, dEmb: 256, maxHistory: 0, initStd: 0.1 });

function makeConfig(options: Readonly<Partial<MFConfig>>, dims: { nUsers: number; nItems: number }): MFConfig {
  const cfg = mergeConfig('MFConfig', MF_DEFAULTS, { ...dims, ...options });
  checkInt('MFConfig', 'nUsers', cfg.nUsers);
  checkInt('MFConfig', 'nItems', cfg.nItems);
  checkInt('MFConfig', 'dEmb', cfg.dEmb);
  checkInt('MFConfig', 'maxHistory', cfg.maxHistory, 0);
  checkRange('MFConfig', 'initStd', cfg.initStd, 0, 10, true);
  return Object.freeze(cfg);
}

function init(cfg: MFConfig, rng: Rng, _train: InteractionSplit): CFModel<MFConfig> {
  return {
    kind: 'mf',
    config: cfg,
    params: { userEmb: normalVar([cfg.nUsers, cfg.dEmb], cfg.initStd, rng), itemEmb: normalVar([cfg.nItems, cfg.dEmb], cfg.initStd, rng) },
    buffers: {},
  };
}

function userRepr(m: CFModel<MFConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => tf.gather(m.params['userEmb']!, b.userIdx) as tf.Tensor2D);
}

function itemRepr(m: CFModel<MFConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => tf.gather(m.params['itemEmb']!, b.itemIdx) as tf.Tensor2D);
}

function score(m: CFModel<MFConfig>, b: CFBatch, mode: ForwardMode): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(userRepr(m, b, mode), itemRepr(m, b, mode)), -1) as tf.Tensor1D);
}

/**
 * Loss and hand-derived gradients: with s = <u, v> and g = (sigmoid(s) - y) / B, dL/du = g v and dL/dv = g u,
 * scattered into the tables by row index (summed where a row repeats), as autodiff of gather would.
 */
function lossAndGrads(m: CFModel<MFConfig>, b: CFBatch, _mode: ForwardMode): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  return tf.tidy(() => {
    const u = tf.gather(m.params['userEmb']!, b.userIdx) as tf.Tensor2D, v = tf.gather(m.params['itemEmb']!, b.itemIdx) as tf.Tensor2D;
    const s = tf.sum(tf.mul(u, v), -1) as tf.Tensor1D;
    const g = tf.reshape(tf.div(tf.sub(tf.sigmoid(s), b.label), s.shape[0]), [-1, 1]);
    return {
      value: bceWithLogits(s, b.label),
      grads: {
        userEmb: tf.unsortedSegmentSum(tf.mul(g, v), b.userIdx, m.config.nUsers),
        itemEmb: tf.unsortedSegmentSum(tf.mul(g, u), b.itemIdx, m.config.nItems),
      },
    };
  });
}

/** The MF model functions (see CFSpec). */
export const MF: CFSpec<MFConfig> = { kind: 'mf', makeConfig, init, score, userRepr, itemRepr, lossAndGrads };
