// BinLLM's binary code model: MF embeddings -> Linear(d, d) -> tanh -> sign (+1 for >= 0, else -1) with a
// straight-through gradient; while training, each element of the matched pair uses the binary value with
// probability beta (else the tanh value), beta rising by betaStep after every even epoch; logit = <o_u, o_i>.
// Reference: BinLLM (Zhang et al., ACL 2024, arXiv 2406.03210), hashGNN_ml.py; docs/methods.md §10.
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import type { Rng } from '../core/rng';
import type { ForwardMode } from '../core/types';
import type { InteractionSplit } from '../data/types';
import { linearVars, normalVar } from './init';
import { linear } from './layers';
import type { CFBatch, CFCommonConfig, CFModel, CFSpec } from './types';

/** Hash-MF hyper-parameters; dEmb is the code length in bits. */
export interface HashMFConfig extends CFCommonConfig {
  /** Std of the N(0, std^2) MF embedding init; default 1 (nn.Embedding's default, as the official code). */
  readonly initStd: number;
  /** Rise of beta after every even epoch (beta = min(1, betaStep * ceil(epoch / 2))); default 0.001 (the official run). */
  readonly betaStep: number;
}

/** Defaults of the official ML-1M code run: 32-bit codes, beta step 0.001. nUsers/nItems come from the dataset. */
export const HASH_MF_DEFAULTS: HashMFConfig = Object.freeze({ nUsers: 0, nItems: 0, dEmb: 32, maxHistory: 0, initStd: 1, betaStep: 0.001 });

function makeConfig(options: Readonly<Partial<HashMFConfig>>, dims: { nUsers: number; nItems: number }): HashMFConfig {
  const cfg = mergeConfig('HashMFConfig', HASH_MF_DEFAULTS, { ...dims, ...options });
  checkInt('HashMFConfig', 'nUsers', cfg.nUsers);
  checkInt('HashMFConfig', 'nItems', cfg.nItems);
  checkInt('HashMFConfig', 'dEmb', cfg.dEmb);
  checkInt('HashMFConfig', 'maxHistory', cfg.maxHistory, 0);
  checkRange('HashMFConfig', 'initStd', cfg.initStd, 0, 10, true);
  checkRange('HashMFConfig', 'betaStep', cfg.betaStep, 0, 1, true);
  return Object.freeze(cfg);
}

/** beta of an epoch: 0 in epoch 0, + betaStep after each even epoch, capped at 1 (hashGNN_ml.py update_beta). */
export function hashBeta(epoch: number, betaStep: number): number {
  return Math.min(1, betaStep * Math.ceil(epoch / 2));
}

/** The beta each model trains with; set per epoch by the CF loop (startEpoch), 0 before (beta_init). */
const BETA = new WeakMap<object, number>();

/** The beta this model's training steps use now. */
export function currentBeta(model: CFModel): number {
  return BETA.get(model) ?? 0;
}

/** Sign with +1 at 0 (my_sign) whose gradient passes straight through. @returns x.shape float32 of +-1 */
export const signST: (x: tf.Tensor) => tf.Tensor = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.sub(tf.mul(tf.cast(tf.greaterEqual(x, 0), 'float32'), 2), 1), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => dy as tf.Tensor };
}) as (x: tf.Tensor) => tf.Tensor;

function init(cfg: HashMFConfig, rng: Rng, _train: InteractionSplit): CFModel<HashMFConfig> {
  const model: CFModel<HashMFConfig> = {
    kind: 'hash-mf',
    config: cfg,
    params: {
      userEmb: normalVar([cfg.nUsers, cfg.dEmb], cfg.initStd, rng), itemEmb: normalVar([cfg.nItems, cfg.dEmb], cfg.initStd, rng),
      ...linearVars('projU', cfg.dEmb, cfg.dEmb, rng), ...linearVars('projI', cfg.dEmb, cfg.dEmb, rng),
    },
    buffers: {},
  };
  BETA.set(model, 0);
  return model;
}

/** tanh(Linear(e)) of the gathered rows. @returns [B, dEmb] float32 in (-1, 1) */
function continuous(m: CFModel<HashMFConfig>, side: 'user' | 'item', idx: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => tf.tanh(linear(m.params, side === 'user' ? 'projU' : 'projI', tf.gather(m.params[`${side}Emb`]!, idx))) as tf.Tensor2D);
}

function userRepr(m: CFModel<HashMFConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => signST(continuous(m, 'user', b.userIdx)) as tf.Tensor2D);
}

function itemRepr(m: CFModel<HashMFConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => signST(continuous(m, 'item', b.itemIdx)) as tf.Tensor2D);
}

/** Training: per element (one draw shared by user and item) the binary value where rand < beta, else tanh; eval: the codes. */
function score(m: CFModel<HashMFConfig>, b: CFBatch, mode: ForwardMode): tf.Tensor1D {
  return tf.tidy(() => {
    const zu = continuous(m, 'user', b.userIdx), zi = continuous(m, 'item', b.itemIdx);
    const hu = signST(zu), hi = signST(zi);
    if (!mode.training) return tf.sum(tf.mul(hu, hi), -1) as tf.Tensor1D;
    const keepContinuous = tf.less(tf.scalar(currentBeta(m)), tf.randomUniform(zu.shape, 0, 1, 'float32', mode.seed));
    return tf.sum(tf.mul(tf.where(keepContinuous, zu, hu), tf.where(keepContinuous, zi, hi)), -1) as tf.Tensor1D;
  });
}

function startEpoch(m: CFModel<HashMFConfig>, epoch: number): void {
  BETA.set(m, hashBeta(epoch, m.config.betaStep));
}

/** The 0/1 code bits of every user and item (bit = 1 where tanh(Linear(e)) >= 0). @returns row-major [n * dEmb] uint8 each */
export function hashCodeBits(m: CFModel): { user: Uint8Array; item: Uint8Array } {
  if (m.kind !== 'hash-mf') throw new Error(`hashCodeBits: a ${m.kind} model has no binary codes (needs hash-mf)`);
  const hm = m as CFModel<HashMFConfig>;
  const bits = (side: 'user' | 'item', n: number): Uint8Array => {
    const z = tf.tidy(() => continuous(hm, side, tf.range(0, n, 1, 'int32') as tf.Tensor1D));
    const v = z.dataSync();
    z.dispose();
    return Uint8Array.from(v, (x) => (x >= 0 ? 1 : 0));
  };
  return { user: bits('user', hm.config.nUsers), item: bits('item', hm.config.nItems) };
}

/** The hash-MF model functions (see CFSpec). */
export const HASH_MF: CFSpec<HashMFConfig> = { kind: 'hash-mf', makeConfig, init, score, userRepr, itemRepr, startEpoch };
