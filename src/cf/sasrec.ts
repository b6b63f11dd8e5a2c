// SASRec: a causal self-attention encoder over the user's last positives; the encoding at the last
// position is the user vector and logit = <user vector, e_item>, trained pointwise with BCE as in CoLLM.
// Reference: Kang & McAuley, SASRec (ICDM 2018); CoLLM rec_base_models.py SASRec and baseline_train_sasrec.py.
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import type { Rng } from '../core/rng';
import type { InteractionSplit } from '../data/types';
import { constVar, linearVars, normalVar, uniformVar } from './init';
import { dropout, lastColumns, layerNorm, linear, paddedGather } from './layers';
import type { CFBatch, CFCommonConfig, CFModel, CFSpec } from './types';
import type { ForwardMode } from '../core/types';

/** SASRec hyper-parameters. */
export interface SASRecConfig extends CFCommonConfig {
  /** Number of attention + feed-forward blocks (default 2, as CoLLM). */
  readonly nBlocks: number;
  /** Attention heads; dEmb must divide by it (default 1, as CoLLM). */
  readonly nHeads: number;
  /** Dropout rate on embeddings, attention weights and feed-forward layers (default 0.2, as CoLLM). */
  readonly dropout: number;
  /** Std of the N(0, std^2) item and position embeddings (default 1: CoLLM kept nn.Embedding's N(0, 1)). */
  readonly initStd: number;
  /**
   * Hide padding positions from attention, as the original SASRec does (default true: scores then do
   * not depend on the amount of left padding). false reproduces CoLLM's port, whose queries also attend
   * to the zeroed padding positions.
   */
  readonly maskPadding: boolean;
}

/** SASRec defaults (CoLLM ML-1M: d = 64, 2 blocks, 1 head, dropout 0.2, maxlen 25). */
export const SASREC_DEFAULTS: SASRecConfig = Object.freeze({
  nUsers: 0, nItems: 0, dEmb: 64, maxHistory: 25, nBlocks: 2, nHeads: 1, dropout: 0.2, initStd: 1, maskPadding: true,
});

/** Layer-norm epsilon of the official code (torch.nn.LayerNorm(eps=1e-8)). */
const LN_EPS = 1e-8;
/** Added to the attention logits of keys a query may not see (later positions and padding). */
const MASKED = -1e9;

function makeConfig(options: Readonly<Partial<SASRecConfig>>, dims: { nUsers: number; nItems: number }): SASRecConfig {
  const cfg = mergeConfig('SASRecConfig', SASREC_DEFAULTS, { ...dims, ...options });
  checkInt('SASRecConfig', 'nUsers', cfg.nUsers);
  checkInt('SASRecConfig', 'nItems', cfg.nItems);
  checkInt('SASRecConfig', 'dEmb', cfg.dEmb);
  checkInt('SASRecConfig', 'maxHistory', cfg.maxHistory);
  checkInt('SASRecConfig', 'nBlocks', cfg.nBlocks, 0);
  checkInt('SASRecConfig', 'nHeads', cfg.nHeads);
  if (cfg.dEmb % cfg.nHeads !== 0) throw new Error(`SASRecConfig: dEmb must be divisible by nHeads, got dEmb ${cfg.dEmb} and nHeads ${cfg.nHeads}`);
  checkRange('SASRecConfig', 'dropout', cfg.dropout, 0, 0.99);
  checkRange('SASRecConfig', 'initStd', cfg.initStd, 0, 10, true);
  if (typeof cfg.maskPadding !== 'boolean') throw new Error(`SASRecConfig: maskPadding must be true or false, got ${JSON.stringify(cfg.maskPadding)}`);
  return Object.freeze(cfg);
}

function init(cfg: SASRecConfig, rng: Rng, _train: InteractionSplit): CFModel<SASRecConfig> {
  const d = cfg.dEmb;
  const params: Record<string, tf.Variable> = {
    itemEmb: normalVar([cfg.nItems, d], cfg.initStd, rng),
    posEmb: normalVar([cfg.maxHistory, d], cfg.initStd, rng),
  };
  // nn.MultiheadAttention: in_proj xavier_uniform over the stacked [3d, d] matrix, zero in/out biases
  const inBound = Math.sqrt(6 / (d + 3 * d));
  for (let i = 0; i < cfg.nBlocks; i++) {
    const b = `blocks.${i}`;
    Object.assign(params, {
      [`${b}.attnNorm.weight`]: constVar([d], 1), [`${b}.attnNorm.bias`]: constVar([d], 0),
      [`${b}.attn.q.weight`]: uniformVar([d, d], inBound, rng), [`${b}.attn.q.bias`]: constVar([d], 0),
      [`${b}.attn.k.weight`]: uniformVar([d, d], inBound, rng), [`${b}.attn.k.bias`]: constVar([d], 0),
      [`${b}.attn.v.weight`]: uniformVar([d, d], inBound, rng), [`${b}.attn.v.bias`]: constVar([d], 0),
      [`${b}.attn.out.weight`]: uniformVar([d, d], 1 / Math.sqrt(d), rng), [`${b}.attn.out.bias`]: constVar([d], 0),
      [`${b}.ffnNorm.weight`]: constVar([d], 1), [`${b}.ffnNorm.bias`]: constVar([d], 0),
      ...linearVars(`${b}.ffn1`, d, d, rng),
      ...linearVars(`${b}.ffn2`, d, d, rng),
    });
  }
  params['lastNorm.weight'] = constVar([d], 1);
  params['lastNorm.bias'] = constVar([d], 0);
  return { kind: 'sasrec', config: cfg, params, buffers: {} };
}

/** Multi-head attention of the normalised queries q [B, Tq, d] over x [B, T, d], with an additive mask [., ., Tq, T]. @returns [B, Tq, d] float32 */
function attention(m: CFModel<SASRecConfig>, block: string, q: tf.Tensor3D, x: tf.Tensor3D, maskBias: tf.Tensor, mode: ForwardMode): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T, d] = x.shape;
    const Tq = q.shape[1];
    const h = m.config.nHeads, dh = d / h;
    // [B, t, d] -> [B, h, t, dh]; with one head that is a reshape (wasm copies even a trivial transpose)
    const heads = (t: tf.Tensor, len: number) => (h === 1 ? tf.reshape(t, [B, 1, len, dh]) : tf.transpose(tf.reshape(t, [B, len, h, dh]), [0, 2, 1, 3]));
    const Q = heads(linear(m.params, `${block}.attn.q`, q), Tq);
    const K = heads(linear(m.params, `${block}.attn.k`, x), T);
    const V = heads(linear(m.params, `${block}.attn.v`, x), T);
    const logits = tf.add(tf.div(tf.matMul(Q, K, false, true), Math.sqrt(dh)), maskBias); // [B, h, Tq, T]
    const w = dropout(tf.softmax(logits, -1), m.config.dropout, mode, `${block}.attn`);
    const wv = tf.matMul(w, V); // [B, h, Tq, dh]
    const o = tf.reshape(h === 1 ? wv : tf.transpose(wv, [0, 2, 1, 3]), [B, Tq, d]);
    return linear(m.params, `${block}.attn.out`, o) as tf.Tensor3D;
  });
}

/**
 * Encode the last maxHistory items of each (left-padded) history: CoLLM's log2feats. Positions are
 * counted from the right, so the most recent item always has position maxHistory - 1 whatever the
 * padding. With lastOnly, the final block computes only the last position (the one the score and
 * userRepr read; the result is the same, at about 60% of the cost).
 * @returns [B, T, dEmb] float32 with T = min(L, maxHistory) (1 when the history is empty), or [B, 1, dEmb] with lastOnly
 */
export function encodeHistory(m: CFModel<SASRecConfig>, hist: tf.Tensor2D, mode: ForwardMode, lastOnly = false): tf.Tensor3D {
  return tf.tidy(() => {
    const { nItems, maxHistory, dEmb, nBlocks } = m.config;
    const B = hist.shape[0];
    const h = hist.shape[1] === 0 ? tf.fill([B, 1], nItems, 'int32') as tf.Tensor2D : lastColumns(hist, maxHistory);
    const T = h.shape[1];
    const real = tf.cast(tf.notEqual(h, nItems), 'float32'); // [B, T]
    let keep = tf.expandDims(real, -1); // [B, T, 1]
    // scale the table, not the gathered [B, T, d] rows: the same values, a 30th of the work both ways
    let x = paddedGather(tf.mul(m.params['itemEmb']!, Math.sqrt(dEmb)) as tf.Tensor2D, h);
    x = tf.add(x, tf.slice(m.params['posEmb']!, [maxHistory - T, 0], [T, dEmb]));
    x = tf.mul(dropout(x, m.config.dropout, mode, 'emb'), keep);
    // query t sees keys s <= t (and, with maskPadding, only real items)
    const causal = tf.reshape(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), [1, 1, T, T]); // lower triangle
    const allowed = m.config.maskPadding ? tf.mul(causal, tf.reshape(real, [B, 1, 1, T])) : causal; // [B or 1, 1, T, T]
    let maskBias = tf.mul(tf.sub(1, allowed), MASKED);
    for (let i = 0; i < nBlocks; i++) {
      const b = `blocks.${i}`;
      let q = layerNorm(m.params, `${b}.attnNorm`, x, LN_EPS) as tf.Tensor3D;
      if (lastOnly && i === nBlocks - 1) {
        // positions are independent after this block's attention: keep only the last query row
        q = tf.slice(q, [0, T - 1, 0], [B, 1, dEmb]);
        maskBias = tf.slice(maskBias, [0, 0, T - 1, 0], [-1, -1, 1, T]);
        keep = tf.slice(keep, [0, T - 1, 0], [B, 1, 1]);
      }
      // residual from the normalised queries, as in the official pmixer/CoLLM port
      x = tf.add(q, attention(m, b, q, x as tf.Tensor3D, maskBias, mode));
      x = layerNorm(m.params, `${b}.ffnNorm`, x, LN_EPS);
      let f = dropout(linear(m.params, `${b}.ffn1`, x), m.config.dropout, mode, `${b}.ffn1`);
      f = dropout(linear(m.params, `${b}.ffn2`, tf.relu(f)), m.config.dropout, mode, `${b}.ffn2`);
      x = tf.mul(tf.add(f, x), keep);
    }
    const out = layerNorm(m.params, 'lastNorm', x, LN_EPS) as tf.Tensor3D;
    return lastOnly && nBlocks === 0 ? tf.slice(out, [0, T - 1, 0], [B, 1, dEmb]) : out;
  });
}

function userRepr(m: CFModel<SASRecConfig>, b: CFBatch, mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => {
    const enc = encodeHistory(m, b.hist, mode, true);
    return tf.reshape(enc, [enc.shape[0], enc.shape[2]]) as tf.Tensor2D;
  });
}

function itemRepr(m: CFModel<SASRecConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => tf.gather(m.params['itemEmb']!, b.itemIdx) as tf.Tensor2D);
}

function score(m: CFModel<SASRecConfig>, b: CFBatch, mode: ForwardMode): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(userRepr(m, b, mode), itemRepr(m, b, mode)), -1) as tf.Tensor1D);
}

/** The SASRec model functions (see CFSpec); userRepr is the last-position sequence encoding. */
export const SASREC: CFSpec<SASRecConfig> = { kind: 'sasrec', makeConfig, init, score, userRepr, itemRepr };
