// DIN: the target item attends over the user's last positives with a local activation unit (an MLP
// over [q, h, q-h, q*h], unnormalised weights, padding weighted 0); an MLP over [e_item, pooled
// history, e_user] gives the logit. Follows CoLLM's RecEncoder_DIN.
// Reference: Zhou et al., Deep Interest Network (KDD 2018); CoLLM rec_base_models.py RecEncoder_DIN.
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import type { Rng } from '../core/rng';
import type { InteractionSplit } from '../data/types';
import { fusedDice, fusedDiceAvailable } from '../backend/dice';
import { constVar, normalVar } from './init';
import { dropout, lastColumns, linear, paddedGather } from './layers';
import type { CFBatch, CFCommonConfig, CFModel, CFSpec } from './types';
import type { ForwardMode } from '../core/types';

/** DIN hyper-parameters. */
export interface DINConfig extends CFCommonConfig {
  /** Dropout after each hidden Dice of the output MLP (default 0.2, as CoLLM; none in the attention unit). */
  readonly dropout: number;
  /** Hidden widths of the local activation unit before its final Linear(-, 1) (default [64, 16], as CoLLM). */
  readonly attnHidden: readonly number[];
  /** Hidden widths of the output MLP before its final Linear(-, 1) (default [200, 80], as CoLLM). */
  readonly mlpHidden: readonly number[];
}

/**
 * DIN defaults (CoLLM ML-1M: embedding_size 192 = 3 fields of 64, the last 10 history items). dEmb is
 * the width of userRepr/itemRepr; each of the user, item and history tables is dEmb / 3 wide.
 */
export const DIN_DEFAULTS: DINConfig = Object.freeze({
  nUsers: 0, nItems: 0, dEmb: 192, maxHistory: 10, dropout: 0.2,
  attnHidden: Object.freeze([64, 16]), mlpHidden: Object.freeze([200, 80]),
});

function makeConfig(options: Readonly<Partial<DINConfig>>, dims: { nUsers: number; nItems: number }): DINConfig {
  const cfg = mergeConfig('DINConfig', DIN_DEFAULTS, { ...dims, ...options });
  checkInt('DINConfig', 'nUsers', cfg.nUsers);
  checkInt('DINConfig', 'nItems', cfg.nItems);
  checkInt('DINConfig', 'dEmb', cfg.dEmb);
  if (cfg.dEmb % 3 !== 0) throw new Error(`DINConfig: dEmb must be divisible by 3 (user, item and history fields), got ${cfg.dEmb}`);
  checkInt('DINConfig', 'maxHistory', cfg.maxHistory);
  checkRange('DINConfig', 'dropout', cfg.dropout, 0, 0.99);
  for (const field of ['attnHidden', 'mlpHidden'] as const) {
    const v = cfg[field];
    if (!Array.isArray(v) || v.length === 0) throw new Error(`DINConfig: ${field} must be a non-empty array of widths, got ${JSON.stringify(v)}`);
    v.forEach((w, k) => checkInt('DINConfig', `${field}[${k}]`, w));
  }
  return Object.freeze({ ...cfg, attnHidden: Object.freeze([...cfg.attnHidden]), mlpHidden: Object.freeze([...cfg.mlpHidden]) });
}

/** nn.init.xavier_normal_: N(0, 2 / (fanIn + fanOut)). */
function xavierVar(shape: [number, number], rng: Rng): tf.Variable {
  return normalVar(shape, Math.sqrt(2 / (shape[0] + shape[1])), rng);
}

/** Linear(dIn, dOut) as CoLLM initialises it: xavier-normal weight [dIn, dOut], zero bias. */
function xavierLinear(prefix: string, dIn: number, dOut: number, rng: Rng): Record<string, tf.Variable> {
  return { [`${prefix}.weight`]: xavierVar([dIn, dOut], rng), [`${prefix}.bias`]: constVar([dOut], 0) };
}

/** Dice activation parameters for width w: alpha 0, gate gain 1, gate shift 0 (see dice). */
function diceVars(prefix: string, w: number): Record<string, tf.Variable> {
  return { [`${prefix}.alpha`]: constVar([w], 0), [`${prefix}.gain`]: constVar([w], 1), [`${prefix}.shift`]: constVar([w], 0) };
}

/** CoLLM's FullyConnectedLayer: Linear, then (Dice, dropout, Linear) per further width; no activation after the last. */
function mlpVars(prefix: string, dIn: number, widths: readonly number[], rng: Rng): Record<string, tf.Variable> {
  const out = xavierLinear(`${prefix}.0`, dIn, widths[0]!, rng);
  for (let k = 1; k < widths.length; k++) Object.assign(out, diceVars(`${prefix}.dice${k - 1}`, widths[k - 1]!), xavierLinear(`${prefix}.${k}`, widths[k - 1]!, widths[k]!, rng));
  return out;
}

function init(cfg: DINConfig, rng: Rng, _train: InteractionSplit): CFModel<DINConfig> {
  const e = cfg.dEmb / 3;
  const params: Record<string, tf.Variable> = {
    userEmb: xavierVar([cfg.nUsers, e], rng),
    itemEmb: xavierVar([cfg.nItems, e], rng),
    // CoLLM embeds history items with their own table (sequence_embed_layers), not the target's
    histEmb: xavierVar([cfg.nItems, e], rng),
    ...mlpVars('attn.fc', 4 * e, cfg.attnHidden, rng),
    ...xavierLinear('attn.out', cfg.attnHidden[cfg.attnHidden.length - 1]!, 1, rng),
    ...mlpVars('mlp', 3 * e, [...cfg.mlpHidden, 1], rng),
  };
  return { kind: 'din', config: cfg, params, buffers: {} };
}

/**
 * Dice(x) = alpha * (1 - p) * x + p * x with p = sigmoid(gain * x + shift), per channel (last axis).
 * CoLLM's p is sigmoid(BatchNorm(x)); this is BatchNorm's inference form with the running statistics
 * folded into gain/shift, so scores do not depend on the batch and the model has no running buffers.
 * One native kernel each way when the addon has it (backend/dice.ts), else the op chain.
 * @returns x.shape float32
 */
function dice(m: CFModel<DINConfig>, prefix: string, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const alpha = m.params[`${prefix}.alpha`]!, gain = m.params[`${prefix}.gain`]!, shift = m.params[`${prefix}.shift`]!;
    if (fusedDiceAvailable()) return fusedDice(x, alpha, gain, shift);
    const p = tf.sigmoid(tf.add(tf.mul(x, gain), shift));
    return tf.add(tf.mul(tf.mul(alpha, tf.sub(1, p)), x), tf.mul(p, x));
  });
}

/** Forward of an mlpVars stack; dropout (when rate > 0) follows each Dice. @returns [..., widths.at(-1)] float32 */
function mlp(m: CFModel<DINConfig>, prefix: string, nLayers: number, x: tf.Tensor, rate: number, mode: ForwardMode): tf.Tensor {
  return tf.tidy(() => mlpAfterFirst(m, prefix, nLayers, linear(m.params, `${prefix}.0`, x), rate, mode));
}

/** The rest of an mlpVars stack from the output y of its first Linear. @returns [..., widths.at(-1)] float32 */
function mlpAfterFirst(m: CFModel<DINConfig>, prefix: string, nLayers: number, y: tf.Tensor, rate: number, mode: ForwardMode): tf.Tensor {
  return tf.tidy(() => {
    for (let k = 1; k < nLayers; k++) {
      y = dropout(dice(m, `${prefix}.dice${k - 1}`, y), rate, mode, `${prefix}.${k}`);
      y = linear(m.params, `${prefix}.${k}`, y);
    }
    return y;
  });
}

/**
 * CoLLM's all_encode: [e_item, attention-pooled history, e_user] for each row. It depends on the
 * target item; CoLLM hands it to the LLM as the "user" embedding. @returns [B, dEmb] float32
 */
export function allEncode(m: CFModel<DINConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => {
    const { nItems, maxHistory } = m.config;
    const e = m.config.dEmb / 3;
    const user = tf.gather(m.params['userEmb']!, b.userIdx); // [B, e]
    const item = tf.gather(m.params['itemEmb']!, b.itemIdx); // [B, e]
    const B = item.shape[0]!;
    if (b.hist.shape[1] === 0) return tf.concat([item, tf.zeros([B, e]), user], -1) as tf.Tensor2D;
    const h = lastColumns(b.hist, maxHistory);
    const T = h.shape[1];
    const hist = paddedGather(m.params['histEmb'] as tf.Tensor2D, h); // [B, T, e]
    // the unit's first Linear over [q, h, q - h, q * h] (q = the item at every position), split by blocks
    // of W: q (W1 + W3) + h (W2 - W3) + (q * h) W4. The same function without tiling q and concatenating
    // [B, T, 4e] (Tile and the concat's gradient were ~40% of an epoch).
    const W = m.params['attn.fc.0.weight']!, h1 = W.shape[1]!;
    const Wk = (k: number) => tf.slice(W, [k * e, 0], [e, h1]);
    const qi = tf.expandDims(item, 1); // [B, 1, e]
    const fromQ = tf.add(tf.matMul(item, tf.add(Wk(0), Wk(2))), m.params['attn.fc.0.bias']!); // [B, h1]
    const fromH = tf.matMul(tf.reshape(hist, [B * T, e]), tf.sub(Wk(1), Wk(2))); // [B*T, h1]
    const fromQH = tf.matMul(tf.reshape(tf.mul(qi, hist), [B * T, e]), Wk(3)); // [B*T, h1]
    const first = tf.add(tf.reshape(tf.add(fromH, fromQH), [B, T, h1]), tf.expandDims(fromQ, 1)); // [B, T, h1]
    // the attention unit has no dropout in CoLLM (FullyConnectedLayer(dropout=None))
    const hidden = mlpAfterFirst(m, 'attn.fc', m.config.attnHidden.length, first, 0, { training: false, seed: 0 });
    const w = tf.mul(linear(m.params, 'attn.out', hidden), tf.expandDims(tf.cast(tf.notEqual(h, nItems), 'float32'), -1)); // [B, T, 1], no softmax
    const pooled = tf.sum(tf.mul(w, hist), 1); // [B, e]
    return tf.concat([item, pooled, user], -1) as tf.Tensor2D;
  });
}

function userRepr(m: CFModel<DINConfig>, b: CFBatch, mode: ForwardMode): tf.Tensor2D {
  return allEncode(m, b, mode);
}

/** CoLLM's item_encoder: the target item's embedding repeated for the three fields. */
function itemRepr(m: CFModel<DINConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => tf.tile(tf.gather(m.params['itemEmb']!, b.itemIdx), [1, 3]) as tf.Tensor2D);
}

function score(m: CFModel<DINConfig>, b: CFBatch, mode: ForwardMode): tf.Tensor1D {
  return tf.tidy(() => {
    const logit = mlp(m, 'mlp', m.config.mlpHidden.length + 1, allEncode(m, b, mode), m.config.dropout, mode); // [B, 1]
    return tf.reshape(logit, [-1]) as tf.Tensor1D;
  });
}

/** The DIN model functions (see CFSpec); userRepr is CoLLM's all_encode (target-dependent), itemRepr the tiled item embedding. */
export const DIN: CFSpec<DINConfig> = { kind: 'din', makeConfig, init, score, userRepr, itemRepr };
