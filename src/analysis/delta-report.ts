// Weight-update analyses as plain records for tables and plots: CoRA's per-sample updates and a LoRA's
// update at chosen (layer, module) sites as dense matrices, their singular-value spectra, norms summed
// up per site, and a 2-D PCA of the generated W_ui of a split's rows grouped by item genre and user activity.
// Reference: Liu et al., CoRA (AAAI 2025, arXiv 2408.10645) §3; Hu et al., LoRA (2021) §7 (update spectra).
import * as tf from '@tensorflow/tfjs';
import { pca2d, singularValues } from './linalg';
import { activitySpanRows, quantileBuckets, rowAttributes, type RowAttributes } from '../data/row-attributes';
import type { Dataset, InteractionSplit } from '../data/types';
import { coraDelta, coraWeights } from './cora-delta';
import type { CoraMethod } from '../cora/method';
import type { Lora } from '../llm/adapters';
import { loraDelta } from './lora-delta';
import type { Projection } from '../llm/weights';

/** A (layer, module) place in the decoder. */
export interface DeltaSite {
  readonly layer: number;
  readonly proj: Projection;
}

/** "L<layer> <proj>", e.g. "L0 q_proj". */
export function siteLabel(s: DeltaSite): string {
  return `L${s.layer} ${s.proj}`;
}

/** One dense update as plain numbers, in the weight's orientation [out, in]. */
export interface DeltaMatrix {
  /** Whose update (e.g. "CoRA u12 x i40", "CoLLM LoRA"). */
  readonly label: string;
  readonly layer: number;
  readonly proj: Projection;
  readonly rows: number;
  readonly cols: number;
  /** [rows * cols] row-major float32. */
  readonly data: Float32Array;
}

function toMatrix(t: tf.Tensor2D, label: string, s: DeltaSite): DeltaMatrix {
  return { label, layer: s.layer, proj: s.proj, rows: t.shape[0], cols: t.shape[1], data: t.dataSync() as Float32Array };
}

/**
 * CoRA's update (alpha/r) (W_ui P)^T of each chosen row of a split at each site. labels[k] names row
 * rows[k] (default "row <r>"). @returns rows.length * sites.length matrices [out, dModel], rows outer
 */
export function coraDeltaMatrices(cora: CoraMethod, split: InteractionSplit, rows: readonly number[], sites: readonly DeltaSite[], labels?: readonly string[]): DeltaMatrix[] {
  if (labels && labels.length !== rows.length) throw new Error(`coraDeltaMatrices: ${labels.length} labels for ${rows.length} rows`);
  const w = coraWeights(cora, split, rows); // [B, dModel, r]
  try {
    const [, d, r] = w.shape;
    return rows.flatMap((row, b) => sites.map((s) => {
      const t = tf.tidy(() => coraDelta(cora, tf.slice(w, [b, 0, 0], [1, d, r]) as tf.Tensor3D, s.layer, s.proj));
      try {
        return toMatrix(t, labels?.[b] ?? `row ${row}`, s);
      } finally {
        t.dispose();
      }
    }));
  } finally {
    w.dispose();
  }
}

/**
 * CoRA's update under the mean W_ui of all rows of a split, at each site: the mean of their updates
 * (the update is linear in W_ui), i.e. the part every pair shares. @returns sites.length matrices [out, dModel]
 */
export function coraMeanDeltaMatrices(cora: CoraMethod, split: InteractionSplit, sites: readonly DeltaSite[], label: string): DeltaMatrix[] {
  const n = split.label.length;
  if (n === 0) throw new Error('coraMeanDeltaMatrices: the split has no rows');
  const wMean = tf.tidy(() => tf.mean(coraWeights(cora, split, Array.from({ length: n }, (_, r) => r)), 0, true) as tf.Tensor3D); // [1, dModel, r]
  try {
    return sites.map((s) => {
      const t = coraDelta(cora, wMean, s.layer, s.proj);
      try {
        return toMatrix(t, label, s);
      } finally {
        t.dispose();
      }
    });
  } finally {
    wMean.dispose();
  }
}

/** An update minus a reference update at the same site, and its size relative to the update. */
export interface DeltaDeviation extends DeltaMatrix {
  /** ||update - reference||_F / ||update||_F (0 for a zero update). */
  readonly relativeNorm: number;
}

/** Each update minus the reference of its site (e.g. a pair's CoRA update minus the mean update), labelled as the update. */
export function deltaDeviations(mats: readonly DeltaMatrix[], references: readonly DeltaMatrix[]): DeltaDeviation[] {
  return mats.map((m) => {
    const ref = references.find((r) => r.layer === m.layer && r.proj === m.proj);
    if (!ref) throw new Error(`deltaDeviations: no reference at ${siteLabel(m)}`);
    if (ref.rows !== m.rows || ref.cols !== m.cols) throw new Error(`deltaDeviations: ${siteLabel(m)} is ${m.rows}x${m.cols}, its reference ${ref.rows}x${ref.cols}`);
    const data = new Float32Array(m.data.length);
    let dev = 0, own = 0;
    for (let i = 0; i < data.length; i++) {
      data[i] = m.data[i]! - ref.data[i]!;
      dev += data[i]! * data[i]!;
      own += m.data[i]! * m.data[i]!;
    }
    return { ...m, data, relativeNorm: own > 0 ? Math.sqrt(dev / own) : 0 };
  });
}

/** A LoRA's update (alpha/r) B A at each site. @returns sites.length matrices [out, in] */
export function loraDeltaMatrices(lora: Lora, sites: readonly DeltaSite[], label: string): DeltaMatrix[] {
  return sites.map((s) => {
    const t = loraDelta(lora, s.layer, s.proj);
    try {
      return toMatrix(t, label, s);
    } finally {
      t.dispose();
    }
  });
}

/** One singular value of one update; a type alias, so it fits recordsToSeries' records. */
export type SpectrumPoint = {
  readonly label: string;
  readonly site: string;
  /** Matrix label and site, e.g. "CoLLM LoRA · L0 q_proj" (one plot series). */
  readonly series: string;
  /** 1-based index, descending values. */
  readonly k: number;
  readonly sigma: number;
  /** sigma / sigma_1. */
  readonly relative: number;
};

/**
 * The largest singular values of each update: at most `k` per matrix, leaving out numerical zeros
 * (sigma < floor * sigma_1, default floor 1e-5; a rank-r update has r nonzero values).
 */
export function spectrumRecords(mats: readonly DeltaMatrix[], opts: { readonly k: number; readonly floor?: number }): SpectrumPoint[] {
  const floor = opts.floor ?? 1e-5;
  return mats.flatMap((m) => {
    const sv = singularValues({ rows: m.rows, cols: m.cols, data: m.data });
    const top = sv[0] ?? 0, site = siteLabel(m);
    const out: SpectrumPoint[] = [];
    for (let i = 0; i < Math.min(opts.k, sv.length); i++) {
      if (top === 0 || sv[i]! < floor * top) break;
      out.push({ label: m.label, site, series: `${m.label} · ${site}`, k: i + 1, sigma: sv[i]!, relative: sv[i]! / top });
    }
    return out;
  });
}

/** Norm of a method's update at one site, summed up over its samples; a type alias, so it fits recordsToSeries' records. */
export type SiteNormRow = {
  readonly method: string;
  readonly site: string;
  readonly layer: number;
  readonly proj: Projection;
  /** Mean Frobenius norm over the samples (the norm itself for one LoRA). */
  readonly norm: number;
  /** Standard deviation over the samples (0 for one). */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
};

/** Groups per-(sample,) layer and module norms (coraDeltaNorms or loraDeltaNorms records) by site, in order of first appearance. */
export function siteNormRows(norms: readonly { readonly layer: number; readonly proj: Projection; readonly norm: number }[], method: string): SiteNormRow[] {
  const groups = new Map<string, { layer: number; proj: Projection; v: number[] }>();
  for (const n of norms) {
    const key = siteLabel(n);
    const g = groups.get(key) ?? { layer: n.layer, proj: n.proj, v: [] };
    g.v.push(n.norm);
    groups.set(key, g);
  }
  return [...groups].map(([site, g]) => {
    const mean = g.v.reduce((a, b) => a + b, 0) / g.v.length;
    const sd = Math.sqrt(g.v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, g.v.length - 1));
    return { method, site, layer: g.layer, proj: g.proj, norm: mean, sd: g.v.length > 1 ? sd : 0, min: Math.min(...g.v), max: Math.max(...g.v), samples: g.v.length };
  });
}

/** One row's W_ui on the first two principal axes, with the row's attributes. */
export interface WuiPoint extends RowAttributes {
  readonly pc1: number;
  readonly pc2: number;
  /** The item's first genre, or "other" outside the most frequent genres. */
  readonly genreGroup: string;
  /** Activity bucket of the user's train rows (quantileBuckets, 3 buckets). */
  readonly activity: string;
}

/** Points of one colour: a plot series (structurally a viz Series). */
export interface PointGroup {
  readonly name: string;
  readonly x: number[];
  readonly y: number[];
  /** Hover labels: user, item title. */
  readonly text: string[];
}

/** The W_ui projection of a split's rows. */
export interface WuiProjection {
  readonly points: WuiPoint[];
  /** Variance share of the two axes. */
  readonly explained: [number, number];
  /** Points grouped by genreGroup (most frequent genre first, "other" last). */
  readonly byGenre: PointGroup[];
  /** Points grouped by activity bucket, least active first. */
  readonly byActivity: PointGroup[];
}

function groupPoints(points: readonly WuiPoint[], key: (p: WuiPoint) => string, order: readonly string[]): PointGroup[] {
  return order.map((name) => {
    const ps = points.filter((p) => key(p) === name);
    return { name, x: ps.map((p) => p.pc1), y: ps.map((p) => p.pc2), text: ps.map((p) => `user ${p.userIdx} (${p.userTrainRows} train rows) · ${p.title}`) };
  }).filter((g) => g.x.length > 0);
}

/**
 * 2-D PCA of the flattened W_ui [dModel * r] of every row of `split` (at least 2), with the rows'
 * attributes; genres beyond the `topGenres` most frequent (default 6) are grouped as "other".
 */
export function wuiProjection(cora: CoraMethod, ds: Pick<Dataset, 'nUsers' | 'items' | 'splits'>, split: InteractionSplit, opts: { readonly topGenres?: number } = {}): WuiProjection {
  const n = split.label.length, rows = Array.from({ length: n }, (_, r) => r);
  const w = coraWeights(cora, split, rows); // [n, dModel, r]
  const data = w.dataSync() as Float32Array, [, d, r] = w.shape;
  w.dispose();
  const pca = pca2d({ rows: n, cols: d * r, data });
  const attrs = rowAttributes(ds, split, rows);
  const counts = new Map<string, number>();
  for (const a of attrs) counts.set(a.genre, (counts.get(a.genre) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, opts.topGenres ?? 6).map(([g]) => g);
  const buckets = quantileBuckets(attrs.map((a) => a.userTrainRows), 3);
  const points = attrs.map((a, i): WuiPoint => ({
    ...a, pc1: pca.coords[i]![0], pc2: pca.coords[i]![1], genreGroup: top.includes(a.genre) ? a.genre : 'other', activity: buckets.labels[i]!,
  }));
  return {
    points, explained: pca.explained,
    byGenre: groupPoints(points, (p) => p.genreGroup, [...top, 'other']),
    byActivity: groupPoints(points, (p) => p.activity, buckets.order),
  };
}

/** k rows of a split whose users span the activity range (least to most train rows): their attributes and short labels "pair <j> (<n> train rows)". */
export function activitySpanPairs(ds: Pick<Dataset, 'nUsers' | 'items' | 'splits'>, split: InteractionSplit, k: number): { rows: number[]; labels: string[]; attributes: RowAttributes[] } {
  const attrs = rowAttributes(ds, split);
  const rows = activitySpanRows(attrs, k);
  return { rows, labels: rows.map((r, j) => `pair ${j + 1} (${attrs[r]!.userTrainRows} train rows)`), attributes: rows.map((r) => attrs[r]!) };
}
