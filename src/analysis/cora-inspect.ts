// How CoRA's per-sample weights differ across (user, item) pairs: the cosine similarity of the flattened
// W_ui of chosen rows (raw, and with the part common to all rows removed), per-sample statistics (singular values of W_ui, mean norm of the update it makes
// over all layers and modules), and for a users x items grid the mean similarity of pairs sharing the
// user, sharing the item, or sharing neither.
// Reference: Liu et al., CoRA (AAAI 2025, arXiv 2408.10645) §3; docs/methods.md §6.
import * as tf from '@tensorflow/tfjs';
import { singularValues } from './linalg';
import type { InteractionSplit } from '../data/types';
import { coraDeltaNorms } from './cora-delta';
import { generatorParamCount } from '../cora/generator';
import type { CoraMethod } from '../cora/method';

/** One sample's W_ui statistics. */
export interface CoraWeightStats {
  /** Row of the split. */
  readonly row: number;
  readonly userIdx: number;
  readonly itemIdx: number;
  /** Frobenius norm of W_ui (1 by construction: the generator normalises). */
  readonly norm: number;
  /** [r] singular values of W_ui [dModel, r], descending. */
  readonly singularValues: readonly number[];
  /** s_1^2 / sum s_k^2: share of W_ui's energy in its top direction (1 = rank one). */
  readonly top1Share: number;
  /** Mean Frobenius norm of (alpha/r) W_ui P over every layer and targeted module. */
  readonly meanUpdateNorm: number;
}

/** What inspectCoraWeights returns. */
export interface CoraWeightReport {
  /** [B][B] cosine similarity of the flattened W_ui of the rows (row order). */
  readonly cosine: number[][];
  /** [B][B] cosine similarity of W_ui minus the mean W_ui of the rows: how the pair-specific parts relate. */
  readonly centredCosine: number[][];
  /** ||mean_b W_b||_F^2 / mean_b ||W_b||_F^2: share of the energy in the part common to all rows (1 = identical). */
  readonly commonShare: number;
  readonly samples: readonly CoraWeightStats[];
}

/** One line of the generator description. */
export interface CoraSettingRow {
  readonly setting: string;
  readonly value: string | number;
  readonly note: string;
}

/** CoRA's generator and low-rank update as printable rows: sizes, rank, scale, targets and parameter counts. */
export function coraGeneratorSummary(method: Pick<CoraMethod, 'generatorConfig' | 'perSample'>): CoraSettingRow[] {
  const g = method.generatorConfig, ps = method.perSample;
  const pCount = Object.values(ps.params).reduce((a, v) => a + v.size, 0), genCount = generatorParamCount(g);
  return [
    { setting: 'dCf', value: g.dCf, note: 'reads u = [e_user, e_item]' },
    { setting: 'width', value: g.width, note: 'token width inside the stack' },
    { setting: 'nQueries', value: g.nQueries, note: 'learned queries, averaged at end' },
    { setting: 'nLayers x nHeads', value: `${g.nLayers} x ${g.nHeads}`, note: 'self-attn, cross-attn to u, FFN' },
    { setting: 'ffnMult', value: g.ffnMult, note: 'feed-forward expansion' },
    { setting: 'W_ui', value: `[${g.dModel}, ${g.rank}]`, note: 'per pair, unit norm, all layers' },
    { setting: 'rank r / alpha', value: `${ps.config.r} / ${ps.config.alpha}`, note: 'update (alpha / r) W_ui P' },
    { setting: 'targets', value: ps.config.targets.join(', '), note: 'every layer; own P [r, out] each' },
    { setting: 'generator params', value: genCount, note: 'trained' },
    { setting: 'P params', value: pCount, note: 'trained; zero init (= base LLM)' },
    { setting: 'trainable params', value: genCount + pCount, note: 'LLM and CF model frozen' },
  ];
}

/** W_ui of rows of a split (evaluation mode): pairwise cosines of the flattened matrices (raw and with their mean removed), the common share, and per-sample statistics. */
export function inspectCoraWeights(method: Pick<CoraMethod, 'sampleWeights' | 'perSample'>, split: InteractionSplit, rows: readonly number[]): CoraWeightReport {
  const w = tf.tidy(() => method.sampleWeights(split, rows)); // [B, dModel, r]
  try {
    const [B, d, r] = w.shape;
    const { cos, centred, norms, common } = tf.tidy(() => {
      const flat = tf.reshape(w, [B, d * r]) as tf.Tensor2D;
      const cosOf = (x: tf.Tensor2D) => {
        const unit = tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
        return tf.matMul(unit, unit, false, true);
      };
      const mean = tf.mean(flat, 0, true);
      const sq = tf.sum(tf.square(flat), 1); // [B]
      return { cos: cosOf(flat), centred: cosOf(tf.sub(flat, mean)), norms: tf.sqrt(sq), common: tf.div(tf.sum(tf.square(mean)), tf.maximum(tf.mean(sq), 1e-30)) };
    });
    const c = cos.dataSync(), cc = centred.dataSync(), nv = norms.dataSync(), wv = w.dataSync(), commonShare = common.dataSync()[0]!;
    tf.dispose([cos, centred, norms, common]);
    const updates = coraDeltaNorms(method, w);
    const sites = updates.length / B;
    const samples = rows.map((row, b): CoraWeightStats => {
      const sv = Array.from(singularValues({ rows: d, cols: r, data: wv.subarray(b * d * r, (b + 1) * d * r) }));
      const energy = sv.reduce((a, s) => a + s * s, 0);
      const mine = updates.slice(b * sites, (b + 1) * sites);
      return {
        row, userIdx: split.userIdx[row]!, itemIdx: split.itemIdx[row]!, norm: nv[b]!, singularValues: sv,
        top1Share: energy > 0 ? sv[0]! ** 2 / energy : 0, meanUpdateNorm: mine.reduce((a, u) => a + u.norm, 0) / sites,
      };
    });
    const square = (v: typeof c) => Array.from({ length: B }, (_, i) => Array.from(v.subarray(i * B, (i + 1) * B)));
    return { cosine: square(c), centredCosine: square(cc), commonShare, samples };
  } finally {
    w.dispose();
  }
}

/** Mean off-diagonal similarity of a users x items grid's pairs, by what two pairs share. */
export interface GridSimilarity {
  /** Same user, different item. */
  readonly sameUser: number;
  /** Same item, different user. */
  readonly sameItem: number;
  /** Different user and different item. */
  readonly neither: number;
}

/** Splits a [nUsers*nItems]^2 similarity matrix of a user-major grid (see pairGridSplit) by shared user / item. */
export function gridSimilarity(sim: readonly (readonly number[])[], nUsers: number, nItems: number): GridSimilarity {
  const n = nUsers * nItems;
  if (sim.length !== n || sim.some((row) => row.length !== n)) throw new Error(`gridSimilarity: need a [${n}][${n}] matrix for ${nUsers} users x ${nItems} items, got [${sim.length}][${sim[0]?.length ?? 0}]`);
  const acc = { sameUser: [0, 0], sameItem: [0, 0], neither: [0, 0] };
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      const u = Math.floor(a / nItems) === Math.floor(b / nItems), i = a % nItems === b % nItems;
      const slot = u ? acc.sameUser : i ? acc.sameItem : acc.neither;
      slot[0]! += sim[a]![b]!;
      slot[1]!++;
    }
  }
  const mean = (s: number[]) => (s[1]! > 0 ? s[0]! / s[1]! : Number.NaN);
  return { sameUser: mean(acc.sameUser), sameItem: mean(acc.sameItem), neither: mean(acc.neither) };
}
