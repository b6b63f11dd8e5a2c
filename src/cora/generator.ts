// CoRA's collaborative weight generator: learnable query tokens pass through a small Q-Former-style
// stack (self-attention among queries, cross-attention to the single token u = concat(e_user, e_item),
// feed-forward; pre-norm residual blocks), each query is projected to dModel*r, the queries are
// averaged, the vector is L2-normalised and reshaped into the per-sample weight W_ui [dModel, r].
// Reference: Liu et al., CoRA (AAAI 2025) §3; official code VanillaCreamer/CoRA (8 layers, 8 heads).
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import { makeRng, type Rng } from '../core/rng';
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
  /** Token width inside the stack (official: 2*dCf); 0 = min(2*dCf, dModel), a smaller stack for small LLMs. */
  readonly width: number;
  /** Feed-forward expansion. */
  readonly ffnMult: number;
  /** Std of the query initialisation (official N(0, 0.02)). */
  readonly queryInitStd: number;
}

/** Defaults: a 2-layer, 4-head stack (the official 8x8 is sized for a 7B LLM). */
export const CORA_GENERATOR_DEFAULTS: Omit<CoraGeneratorConfig, 'dCf' | 'dModel' | 'rank'> = Object.freeze({ nQueries: 4, nLayers: 2, nHeads: 4, width: 0, ffnMult: 2, queryInitStd: 0.02 });

/** Merges and checks a generator config. */
export function makeCoraGeneratorConfig(o: Partial<CoraGeneratorConfig> & Pick<CoraGeneratorConfig, 'dCf' | 'dModel' | 'rank'>): CoraGeneratorConfig {
  const c = mergeConfig<CoraGeneratorConfig>('CoraGeneratorConfig', { ...CORA_GENERATOR_DEFAULTS, dCf: o.dCf, dModel: o.dModel, rank: o.rank }, o);
  const w = 'CoraGeneratorConfig';
  for (const k of ['dCf', 'dModel', 'rank', 'nQueries', 'nHeads', 'ffnMult'] as const) checkInt(w, k, c[k], 1);
  checkInt(w, 'nLayers', c.nLayers, 0);
  checkInt(w, 'width', c.width, 0);
  checkRange(w, 'queryInitStd', c.queryInitStd, 0, 1, true);
  const width = c.width || Math.min(2 * c.dCf, c.dModel);
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
  norm(p, 'final.norm', w);
  linear(p, 'output', w, c.dModel * c.rank, rng);
  return p;
}

/** Number of generator parameters. */
export function generatorParamCount(c: CoraGeneratorConfig): number {
  const w = c.width, lin = (i: number, o: number) => i * o + o;
  return c.nQueries * w + lin(2 * c.dCf, w) + c.nLayers * (2 * (2 * w + 4 * lin(w, w)) + 2 * w + lin(w, c.ffnMult * w) + lin(c.ffnMult * w, w)) + 2 * w + lin(w, c.dModel * c.rank);
}

function lin(p: Record<string, tf.Variable>, name: string, x: tf.Tensor): tf.Tensor {
  const wt = p[`${name}.weight`]!, lead = x.shape.slice(0, -1);
  return tf.reshape(tf.add(tf.matMul(tf.reshape(x, [-1, wt.shape[0]!]), wt), p[`${name}.bias`]!), [...lead, wt.shape[1]!]);
}

function layerNorm(p: Record<string, tf.Variable>, name: string, x: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), p[`${name}.weight`]!), p[`${name}.bias`]!);
}

/** Multi-head attention of queries x [B, Q, w] over keys/values kv [B, S, w]. @returns [B, Q, w] */
function attend(p: Record<string, tf.Variable>, name: string, x: tf.Tensor3D, kv: tf.Tensor3D, nHeads: number): tf.Tensor3D {
  const [B, Q, w] = x.shape, S = kv.shape[1], dh = w / nHeads;
  const heads = (t: tf.Tensor, n: number) => tf.transpose(tf.reshape(t, [B, n, nHeads, dh]), [0, 2, 1, 3]);
  const q = heads(lin(p, `${name}.q`, x), Q), k = heads(lin(p, `${name}.k`, kv), S), v = heads(lin(p, `${name}.v`, kv), S);
  const a = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), -1);
  return lin(p, `${name}.o`, tf.reshape(tf.transpose(tf.matMul(a, v), [0, 2, 1, 3]), [B, Q, w])) as tf.Tensor3D;
}

/** W_ui for each sample from user and item embeddings [B, dCf]. @returns [B, dModel, rank], each sample of unit Frobenius norm */
export function generateWeights(p: Record<string, tf.Variable>, c: CoraGeneratorConfig, userEmb: tf.Tensor2D, itemEmb: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const B = userEmb.shape[0];
    const u = tf.reshape(lin(p, 'input', tf.concat([userEmb, itemEmb], 1)), [B, 1, c.width]) as tf.Tensor3D;
    let x = tf.tile(tf.expandDims(p['queries']!, 0), [B, 1, 1]) as tf.Tensor3D;
    for (let l = 0; l < c.nLayers; l++) {
      const s = layerNorm(p, `layers.${l}.self.norm`, x) as tf.Tensor3D;
      x = tf.add(x, attend(p, `layers.${l}.self`, s, s, c.nHeads));
      x = tf.add(x, attend(p, `layers.${l}.cross`, layerNorm(p, `layers.${l}.cross.norm`, x) as tf.Tensor3D, u, c.nHeads));
      x = tf.add(x, lin(p, `layers.${l}.ffn.down`, tf.relu(lin(p, `layers.${l}.ffn.up`, layerNorm(p, `layers.${l}.ffn.norm`, x))))) as tf.Tensor3D;
    }
    const out = tf.mean(lin(p, 'output', layerNorm(p, 'final.norm', x)), 1); // [B, dModel*rank], mean over queries
    const unit = tf.div(out, tf.add(tf.norm(out, 'euclidean', 1, true), 1e-12));
    return tf.reshape(unit, [B, c.dModel, c.rank]) as tf.Tensor3D;
  });
}
