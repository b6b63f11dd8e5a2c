// CoRA's collaborative weight generator: learnable query tokens pass through a small Q-Former-style
// stack (self-attention among queries, cross-attention to the single token u = concat(e_user, e_item),
// feed-forward; residual blocks, post-norm GELU as BLIP-2's Q-Former or pre-norm ReLU), each query is
// projected to dModel*r, the queries are averaged, the vector is L2-normalised and reshaped into W_ui [dModel, r].
// Reference: Liu et al., CoRA (AAAI 2025) §3; official code VanillaCreamer/CoRA (8 layers, 8 heads); docs/methods.md §6.
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import { makeRng, type Rng } from '../core/rng';
import { EVAL_MODE, type ForwardMode } from '../core/types';
import { ownedVariable } from '../core/variable';

/** Generator sizes. */
export interface CoraGeneratorConfig {
  /** Width of one CF embedding; u = concat(e_user, e_item) has 2*dCf. */
  readonly dCf: number;
  /** The LLM's width (rows of W_ui). */
  readonly dModel: number;
  /** Rank r (columns of W_ui). */
  readonly rank: number;
  /** Learnable query tokens k (official: 4). */
  readonly nQueries: number;
  /** Blocks (official: 8). */
  readonly nLayers: number;
  /** Attention heads (official: 8). */
  readonly nHeads: number;
  /** Token width inside the stack; 0 = from widthRule. */
  readonly width: number;
  /** How width 0 is resolved: 'twice-cf' = 2*dCf (official), 'min-cf-model' = min(2*dCf, dModel) (a smaller stack for small LLMs). */
  readonly widthRule: 'twice-cf' | 'min-cf-model';
  /** Feed-forward expansion. */
  readonly ffnMult: number;
  /** Std of the query initialisation (official N(0, 0.02)). */
  readonly queryInitStd: number;
  /** 'post': x = LN(x + f(x)) as BERT / BLIP-2's Q-Former (official); 'pre': x = x + f(LN(x)). */
  readonly normOrder: 'pre' | 'post';
  /** Feed-forward activation: 'gelu' (official) or 'relu'. */
  readonly activation: 'gelu' | 'relu';
  /** Dropout on attention probabilities and on each block's output while training (official 0.1). */
  readonly dropout: number;
}

/** The official generator: 8 post-norm GELU blocks, 8 heads, width 2*dCf, dropout 0.1, 4 queries. */
export const CORA_GENERATOR_OFFICIAL: Omit<CoraGeneratorConfig, 'dCf' | 'dModel' | 'rank'> = Object.freeze({
  nQueries: 4, nLayers: 8, nHeads: 8, width: 0, widthRule: 'twice-cf', ffnMult: 4, queryInitStd: 0.02, normOrder: 'post', activation: 'gelu', dropout: 0.1,
});

/** The kit's small generator for small LLMs: 2 pre-norm ReLU blocks, 4 heads, width min(2*dCf, dModel), no dropout. */
export const CORA_GENERATOR_DEFAULTS: Omit<CoraGeneratorConfig, 'dCf' | 'dModel' | 'rank'> = Object.freeze({
  nQueries: 4, nLayers: 2, nHeads: 4, width: 0, widthRule: 'min-cf-model', ffnMult: 2, queryInitStd: 0.02, normOrder: 'pre', activation: 'relu', dropout: 0,
});

/** Merges and checks a generator config. */
export function makeCoraGeneratorConfig(o: Partial<CoraGeneratorConfig> & Pick<CoraGeneratorConfig, 'dCf' | 'dModel' | 'rank'>): CoraGeneratorConfig {
  const c = mergeConfig<CoraGeneratorConfig>('CoraGeneratorConfig', { ...CORA_GENERATOR_DEFAULTS, dCf: o.dCf, dModel: o.dModel, rank: o.rank }, o);
  const w = 'CoraGeneratorConfig';
  for (const k of ['dCf', 'dModel', 'rank', 'nQueries', 'nHeads', 'ffnMult'] as const) checkInt(w, k, c[k], 1);
  checkInt(w, 'nLayers', c.nLayers, 0);
  checkInt(w, 'width', c.width, 0);
  checkRange(w, 'queryInitStd', c.queryInitStd, 0, 1, true);
  checkRange(w, 'dropout', c.dropout, 0, 0.9);
  if (c.widthRule !== 'twice-cf' && c.widthRule !== 'min-cf-model') throw new Error(`${w}: widthRule "${String(c.widthRule)}" is not one of twice-cf, min-cf-model`);
  if (c.normOrder !== 'pre' && c.normOrder !== 'post') throw new Error(`${w}: normOrder "${String(c.normOrder)}" is not one of pre, post`);
  if (c.activation !== 'gelu' && c.activation !== 'relu') throw new Error(`${w}: activation "${String(c.activation)}" is not one of gelu, relu`);
  const width = c.width || (c.widthRule === 'twice-cf' ? 2 * c.dCf : Math.min(2 * c.dCf, c.dModel));
  if (width % c.nHeads !== 0) throw new Error(`${w}: width ${width} must be divisible by nHeads ${c.nHeads}`);
  return Object.freeze({ ...c, width });
}

function linear(p: Record<string, tf.Variable>, name: string, inp: number, out: number, rng: Rng): void {
  const b = 1 / Math.sqrt(inp);
  p[`${name}.weight`] = ownedVariable(tf.tensor2d(Float32Array.from({ length: inp * out }, () => (2 * rng.next() - 1) * b), [inp, out]));
  p[`${name}.bias`] = ownedVariable(tf.zeros([out]));
}

function norm(p: Record<string, tf.Variable>, name: string, d: number): void {
  p[`${name}.weight`] = ownedVariable(tf.ones([d]));
  p[`${name}.bias`] = ownedVariable(tf.zeros([d]));
}

/** Seeded parameters (torch-default uniform linears, zero biases, unit layer norms, N(0, std) queries). */
export function initCoraGenerator(c: CoraGeneratorConfig, seed: number): Record<string, tf.Variable> {
  const rng = makeRng(seed), w = c.width, p: Record<string, tf.Variable> = {};
  p['queries'] = ownedVariable(tf.tensor2d(Float32Array.from({ length: c.nQueries * w }, () => rng.normal() * c.queryInitStd), [c.nQueries, w]));
  linear(p, 'input', 2 * c.dCf, w, rng);
  for (let l = 0; l < c.nLayers; l++) {
    for (const block of ['self', 'cross']) {
      norm(p, `layers.${l}.${block}.norm`, w);
      for (const m of ['q', 'k', 'v', 'o']) linear(p, `layers.${l}.${block}.${m}`, w, w, rng);
    }
    norm(p, `layers.${l}.ffn.norm`, w);
    linear(p, `layers.${l}.ffn.up`, w, c.ffnMult * w, rng);
    linear(p, `layers.${l}.ffn.down`, c.ffnMult * w, w, rng);
  }
  if (c.normOrder === 'pre') norm(p, 'final.norm', w);
  linear(p, 'output', w, c.dModel * c.rank, rng);
  return p;
}

/** Number of generator parameters. */
export function generatorParamCount(c: CoraGeneratorConfig): number {
  const w = c.width, lin = (i: number, o: number) => i * o + o;
  return c.nQueries * w + lin(2 * c.dCf, w) + c.nLayers * (2 * (2 * w + 4 * lin(w, w)) + 2 * w + lin(w, c.ffnMult * w) + lin(c.ffnMult * w, w)) + (c.normOrder === 'pre' ? 2 * w : 0) + lin(w, c.dModel * c.rank);
}

function lin(p: Record<string, tf.Variable>, name: string, x: tf.Tensor): tf.Tensor {
  const wt = p[`${name}.weight`]!, lead = x.shape.slice(0, -1);
  return tf.reshape(tf.add(tf.matMul(tf.reshape(x, [-1, wt.shape[0]!]), wt), p[`${name}.bias`]!), [...lead, wt.shape[1]!]);
}

function layerNorm(p: Record<string, tf.Variable>, name: string, x: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), p[`${name}.weight`]!), p[`${name}.bias`]!);
}

/** Dropout while training, seeded per step and site; identity otherwise. */
function drop<T extends tf.Tensor>(x: T, rate: number, mode: ForwardMode, site: string): T {
  return mode.training && rate > 0 ? (tf.dropout(x, rate, undefined, `${mode.seed}:gen:${site}`) as T) : x;
}

/** Multi-head attention of queries x [B, Q, w] over keys/values kv [B, S, w]. @returns [B, Q, w] */
function attend(p: Record<string, tf.Variable>, name: string, x: tf.Tensor3D, kv: tf.Tensor3D, c: CoraGeneratorConfig, mode: ForwardMode): tf.Tensor3D {
  const [B, Q, w] = x.shape, S = kv.shape[1], dh = w / c.nHeads;
  const heads = (t: tf.Tensor, n: number) => tf.transpose(tf.reshape(t, [B, n, c.nHeads, dh]), [0, 2, 1, 3]);
  const q = heads(lin(p, `${name}.q`, x), Q), k = heads(lin(p, `${name}.k`, kv), S), v = heads(lin(p, `${name}.v`, kv), S);
  const a = drop(tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), -1), c.dropout, mode, `${name}.probs`);
  return lin(p, `${name}.o`, tf.reshape(tf.transpose(tf.matMul(a, v), [0, 2, 1, 3]), [B, Q, w])) as tf.Tensor3D;
}

/** One residual sub-block in the configured norm order: post x = LN(x + drop(f(x))), pre x = x + drop(f(LN(x))). */
function residual(p: Record<string, tf.Variable>, norm: string, x: tf.Tensor3D, f: (h: tf.Tensor3D) => tf.Tensor3D, c: CoraGeneratorConfig, mode: ForwardMode): tf.Tensor3D {
  if (c.normOrder === 'post') return layerNorm(p, norm, tf.add(x, drop(f(x), c.dropout, mode, norm))) as tf.Tensor3D;
  return tf.add(x, drop(f(layerNorm(p, norm, x) as tf.Tensor3D), c.dropout, mode, norm)) as tf.Tensor3D;
}

/** W_ui for each sample from user and item embeddings [B, dCf] (dropout only in training mode). @returns [B, dModel, rank], each sample of unit Frobenius norm */
export function generateWeights(p: Record<string, tf.Variable>, c: CoraGeneratorConfig, userEmb: tf.Tensor2D, itemEmb: tf.Tensor2D, mode: ForwardMode = EVAL_MODE): tf.Tensor3D {
  return tf.tidy(() => {
    const B = userEmb.shape[0];
    const u = tf.reshape(lin(p, 'input', tf.concat([userEmb, itemEmb], 1)), [B, 1, c.width]) as tf.Tensor3D;
    const act = c.activation === 'gelu' ? gelu : tf.relu;
    let x = tf.tile(tf.expandDims(p['queries']!, 0), [B, 1, 1]) as tf.Tensor3D;
    for (let l = 0; l < c.nLayers; l++) {
      x = residual(p, `layers.${l}.self.norm`, x, (h) => attend(p, `layers.${l}.self`, h, h, c, mode), c, mode);
      x = residual(p, `layers.${l}.cross.norm`, x, (h) => attend(p, `layers.${l}.cross`, h, u, c, mode), c, mode);
      x = residual(p, `layers.${l}.ffn.norm`, x, (h) => lin(p, `layers.${l}.ffn.down`, act(lin(p, `layers.${l}.ffn.up`, h))) as tf.Tensor3D, c, mode);
    }
    // pre-norm stacks end with a norm; post-norm blocks already end normalised
    const top = c.normOrder === 'pre' ? layerNorm(p, 'final.norm', x) : x;
    const out = tf.mean(lin(p, 'output', top), 1); // [B, dModel*rank], mean over queries
    const unit = tf.div(out, tf.add(tf.norm(out, 'euclidean', 1, true), 1e-12));
    return tf.reshape(unit, [B, c.dModel, c.rank]) as tf.Tensor3D;
  });
}

/** GELU, tanh approximation (as BERT's gelu_new). */
function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))));
}
