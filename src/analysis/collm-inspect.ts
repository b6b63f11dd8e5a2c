// What CoLLM's mapped CF tokens look like next to the LLM's real token embeddings: the mapped user and
// item vectors of chosen rows, their L2 norms beside the norms of every row of the embedding table, and
// each mapped vector's nearest real tokens by cosine similarity.
// Reference: Zhang et al., CoLLM (arXiv 2310.19488) §3.2; docs/methods.md §5.
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '../core/rng';
import type { InteractionSplit } from '../data/types';
import type { LlamaModel } from '../llm/weights';
import type { RecMethod } from '../rec/method';
import type { CollmMapping } from '../collm/mapping';
import { applyMapping } from '../collm/mapping';
import { cfEmbeddings, type CfBackbone } from '../cf/backbone';

/** The mapping parameters of a CoLLM method (its `mapping.*` params); throws for other methods. */
export function collmMappingOf(method: Pick<RecMethod, 'name' | 'params'>): CollmMapping {
  const m: CollmMapping = {};
  for (const [k, v] of Object.entries(method.params)) if (k.startsWith('mapping.')) m[k] = v;
  for (const k of ['mapping.0.weight', 'mapping.0.bias', 'mapping.2.weight', 'mapping.2.bias']) {
    if (!m[k]) throw new Error(`collmMappingOf: method "${method.name}" has no ${k} (not a CoLLM method?)`);
  }
  return m;
}

/** The mapped user and item tokens of rows of a split (CF in evaluation mode). @returns each [rows.length, dModel] float32 */
export function mappedTokens(mapping: CollmMapping, cf: CfBackbone, split: InteractionSplit, rows: readonly number[]): { user: tf.Tensor2D; item: tf.Tensor2D } {
  return tf.tidy(() => {
    const e = cfEmbeddings(cf, split, rows, { training: false, seed: 0 });
    return { user: applyMapping(mapping, e.user), item: applyMapping(mapping, e.item) };
  });
}

/** L2 norm of every row. @param x [n, d] @returns [n] float32 */
export function rowL2Norms(x: tf.Tensor2D): Float32Array {
  const n = tf.tidy(() => tf.norm(x, 'euclidean', 1));
  try {
    return n.dataSync() as Float32Array;
  } finally {
    n.dispose();
  }
}

/** Cosine similarity of every pair of rows (i < j), row-major over the upper triangle. @param x [n, d] @returns [n(n-1)/2] float32 */
export function pairwiseCosines(x: tf.Tensor2D): Float32Array {
  const g = tf.tidy(() => {
    const unit = tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
    return tf.matMul(unit, unit, false, true); // [n, n]
  });
  try {
    const v = g.dataSync(), n = x.shape[0], out = new Float32Array((n * (n - 1)) / 2);
    let k = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[k++] = v[i * n + j]!;
    return out;
  } finally {
    g.dispose();
  }
}

/** One neighbour of a vector in the embedding table. */
export interface TokenNeighbour {
  /** Row (token id) of the table. */
  readonly id: number;
  /** Cosine similarity with the vector. */
  readonly cosine: number;
}

/** The k rows of `table` most cosine-similar to each vector. @param vectors [n, d] @param table [V, d] @returns n lists of k, most similar first */
export function nearestRowsByCosine(vectors: tf.Tensor2D, table: tf.Tensor2D, k: number): TokenNeighbour[][] {
  if (vectors.shape[1] !== table.shape[1]) throw new Error(`nearestRowsByCosine: vectors have width ${vectors.shape[1]}, the table ${table.shape[1]}`);
  const kk = Math.min(k, table.shape[0]);
  const { values, indices } = tf.tidy(() => {
    const unit = (t: tf.Tensor2D) => tf.div(t, tf.maximum(tf.norm(t, 'euclidean', 1, true), 1e-12));
    return tf.topk(tf.matMul(unit(vectors), unit(table), false, true), kk); // [n, V] -> [n, kk]
  });
  try {
    const v = values.dataSync(), ix = indices.dataSync();
    return Array.from({ length: vectors.shape[0] }, (_, i) => Array.from({ length: kk }, (_, j) => ({ id: ix[i * kk + j]!, cosine: v[i * kk + j]! })));
  } finally {
    tf.dispose([values, indices]);
  }
}

/** One mapped CF token of the report. */
export interface MappedTokenRecord {
  /** Which placeholder it fills. */
  readonly kind: 'user' | 'item';
  /** Row of the split it came from. */
  readonly row: number;
  /** userIdx (kind user) or itemIdx (kind item) of that row. */
  readonly index: number;
  /** L2 norm of the mapped vector. */
  readonly norm: number;
  /** L2 norm of the CF embedding it was mapped from (near 0 for users / items the CF model never trained on). */
  readonly cfNorm: number;
  /** Nearest real tokens by cosine, with their text when a decoder was given ('' otherwise). */
  readonly nearest: readonly (TokenNeighbour & { readonly text: string })[];
}

/** The report of inspectMappedTokens. */
export interface MappedTokenReport {
  /** [vocab] L2 norm of every row of the input embedding table. */
  readonly tokenNorms: Float32Array;
  /** Users of all rows first, then items, each in row order. */
  readonly mapped: readonly MappedTokenRecord[];
  /** A reference scale for the cosines: for seeded sampled real tokens, the cosine of their nearest other token. */
  readonly realNearestCosine: Float32Array;
  /** Cosine of every pair of mapped users, and of mapped items (how spread out the mapped vectors are). */
  readonly mappedPairCosine: { readonly user: Float32Array; readonly item: Float32Array };
}

/**
 * Mapped user and item tokens of rows of a split next to the LLM's input embeddings: norms of both and
 * the k nearest real tokens of each mapped vector (decoded with `decode`, e.g. a tokenizer's).
 */
export function inspectMappedTokens(inp: {
  readonly method: Pick<RecMethod, 'name' | 'params'>;
  readonly cf: CfBackbone;
  readonly llm: LlamaModel;
  readonly split: InteractionSplit;
  readonly rows: readonly number[];
  /** Neighbours per vector (default 5). */
  readonly k?: number;
  readonly decode?: (ids: readonly number[]) => string;
  /** Real tokens sampled for realNearestCosine (default 256; 0 = none). */
  readonly referenceTokens?: number;
  readonly seed?: number;
}): MappedTokenReport {
  const { user, item } = mappedTokens(collmMappingOf(inp.method), inp.cf, inp.split, inp.rows);
  const e = cfEmbeddings(inp.cf, inp.split, inp.rows, { training: false, seed: 0 });
  const cfNorms = { user: rowL2Norms(e.user), item: rowL2Norms(e.item) };
  tf.dispose([e.user, e.item]);
  try {
    const embed = inp.llm.weights.embed;
    const records = (kind: 'user' | 'item', x: tf.Tensor2D): MappedTokenRecord[] => {
      const norms = rowL2Norms(x), near = nearestRowsByCosine(x, embed, inp.k ?? 5);
      return inp.rows.map((row, i) => ({
        kind, row, index: (kind === 'user' ? inp.split.userIdx : inp.split.itemIdx)[row]!, norm: norms[i]!, cfNorm: cfNorms[kind][i]!,
        nearest: near[i]!.map((n) => ({ ...n, text: inp.decode ? inp.decode([n.id]) : '' })),
      }));
    };
    const V = embed.shape[0];
    const ids = makeRng(inp.seed ?? 0).shuffle(Array.from({ length: V }, (_, i) => i)).slice(0, Math.min(V, inp.referenceTokens ?? 256));
    const sample = tf.tidy(() => tf.gather(embed, tf.tensor1d(ids, 'int32')) as tf.Tensor2D);
    const realNear = ids.length ? nearestRowsByCosine(sample, embed, 2) : [];
    sample.dispose();
    const realNearestCosine = Float32Array.from(realNear, (nn, j) => nn.find((n) => n.id !== ids[j])?.cosine ?? Number.NaN);
    return {
      tokenNorms: rowL2Norms(embed), mapped: [...records('user', user), ...records('item', item)], realNearestCosine,
      mappedPairCosine: { user: pairwiseCosines(user), item: pairwiseCosines(item) },
    };
  } finally {
    tf.dispose([user, item]);
  }
}

/** One printable row per mapped vector: its CF embedding's norm, its norm, the share of real tokens with a smaller norm, and its nearest tokens as 'text (cosine)'. */
export function mappedTokenRows(report: MappedTokenReport): Record<string, string | number>[] {
  const sorted = Float32Array.from(report.tokenNorms).sort();
  const below = (x: number) => {
    let lo = 0, hi = sorted.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid]! < x) lo = mid + 1; else hi = mid; }
    return lo;
  };
  return report.mapped.map((m) => ({
    vector: `${m.kind} ${m.index}`, cfNorm: m.cfNorm, norm: m.norm, normAboveTokens: sorted.length ? below(m.norm) / sorted.length : 0,
    ...Object.fromEntries(m.nearest.map((n, j) => [`nearest ${j + 1}`, `${JSON.stringify(n.text || `#${n.id}`)} ${n.cosine.toFixed(2)}`])),
  }));
}
