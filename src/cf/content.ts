// A content baseline without CF ids: logistic regression on the target item's genres and release year
// and the user's history genre profile (mean genre vector of the earlier positives), with a bilinear
// target-genre x profile term. The reference for what item text alone can do (cold rows included).
// Reference: Pazzani & Billsus 2007 (content-based recommendation).
import * as tf from '@tensorflow/tfjs';
import { checkInt, mergeConfig } from '../core/config';
import type { Rng } from '../core/rng';
import type { InteractionSplit, ItemInfo } from '../data/types';
import { constVar } from './init';
import type { ForwardMode } from '../core/types';
import type { CFBatch, CFCommonConfig, CFModel, CFSpec } from './types';

/** Content-model settings. */
export interface ContentConfig extends CFCommonConfig {
  /** Genre slots = width of the user/item representations; must be >= the catalogue's distinct genres (unused slots stay 0). */
  readonly dEmb: number;
  /** Last history positives that make the genre profile. */
  readonly maxHistory: number;
}

/** Defaults: 32 genre slots (MovieLens has 18), profile over the last 50 positives. */
export const CONTENT_DEFAULTS: ContentConfig = Object.freeze({ nUsers: 0, nItems: 0, dEmb: 32, maxHistory: 50 });

const YEAR_FEATURES = 3;

function makeConfig(options: Readonly<Partial<ContentConfig>>, dims: { nUsers: number; nItems: number }): ContentConfig {
  const cfg = mergeConfig('ContentConfig', CONTENT_DEFAULTS, { ...dims, ...options });
  checkInt('ContentConfig', 'nUsers', cfg.nUsers);
  checkInt('ContentConfig', 'nItems', cfg.nItems);
  checkInt('ContentConfig', 'dEmb', cfg.dEmb);
  checkInt('ContentConfig', 'maxHistory', cfg.maxHistory);
  return Object.freeze(cfg);
}

/**
 * Item feature tables from metadata: genres one-hot [nItems + 1, dEmb] (sorted genre names -> slots;
 * last row = history padding, all zero) and year features [nItems + 1, 3] (z-score, its square, unknown).
 */
export function contentFeatures(items: readonly ItemInfo[], dEmb: number): { genres: Float32Array; years: Float32Array; genreNames: string[] } {
  const names = [...new Set(items.flatMap((i) => i.genres))].sort();
  if (names.length > dEmb) throw new Error(`content model: the catalogue has ${names.length} genres but dEmb is ${dEmb}; set modelOptions.dEmb >= ${names.length}`);
  const slot = new Map(names.map((g, k) => [g, k]));
  const n = items.length, genres = new Float32Array((n + 1) * dEmb), years = new Float32Array((n + 1) * YEAR_FEATURES);
  const ys = items.flatMap((i) => (i.year === null ? [] : [i.year]));
  const mean = ys.reduce((a, b) => a + b, 0) / Math.max(ys.length, 1);
  const sd = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(ys.length, 1)) || 1;
  items.forEach((it, i) => {
    for (const g of it.genres) genres[i * dEmb + slot.get(g)!] = 1;
    const z = it.year === null ? 0 : (it.year - mean) / sd;
    years.set([z, z * z, it.year === null ? 1 : 0], i * YEAR_FEATURES);
  });
  return { genres, years, genreNames: names };
}

function init(cfg: ContentConfig, _rng: Rng, _train: InteractionSplit, items?: readonly ItemInfo[]): CFModel<ContentConfig> {
  if (!items) throw new Error('content model: needs the item metadata (init(cfg, rng, train, dataset.items))');
  if (items.length !== cfg.nItems) throw new Error(`content model: ${items.length} items given for a config of nItems ${cfg.nItems}`);
  const f = contentFeatures(items, cfg.dEmb), d = cfg.dEmb;
  return {
    kind: 'content',
    config: cfg,
    // logistic regression: zero init is the convex problem's natural start and needs no rng
    params: {
      bias: constVar([1], 0), targetGenre: constVar([d], 0), profile: constVar([d], 0),
      genreProfile: constVar([d, d], 0), year: constVar([YEAR_FEATURES], 0), hasHistory: constVar([1], 0),
    },
    buffers: { itemGenres: tf.tensor2d(f.genres, [cfg.nItems + 1, d]), itemYears: tf.tensor2d(f.years, [cfg.nItems + 1, YEAR_FEATURES]) },
  };
}

/** @returns [B, dEmb] mean genre vector of each row's history (zeros when empty) */
function userRepr(m: CFModel<ContentConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => {
    const real = tf.cast(tf.notEqual(b.hist, m.config.nItems), 'float32'); // [B, L]
    const sum = tf.sum(tf.gather(m.buffers['itemGenres']!, b.hist), 1); // [B, dEmb]
    return tf.div(sum, tf.maximum(tf.sum(real, 1, true), 1)) as tf.Tensor2D;
  });
}

/** @returns [B, dEmb] genre one-hot of each row's target item */
function itemRepr(m: CFModel<ContentConfig>, b: CFBatch, _mode: ForwardMode): tf.Tensor2D {
  return tf.tidy(() => tf.gather(m.buffers['itemGenres']!, b.itemIdx) as tf.Tensor2D);
}

function score(m: CFModel<ContentConfig>, b: CFBatch, mode: ForwardMode): tf.Tensor1D {
  return tf.tidy(() => {
    const p = m.params, prof = userRepr(m, b, mode), tg = itemRepr(m, b, mode);
    const hasHist = tf.cast(tf.greater(tf.sum(tf.cast(tf.notEqual(b.hist, m.config.nItems), 'float32'), 1), 0), 'float32'); // [B]
    const years = tf.gather(m.buffers['itemYears']!, b.itemIdx); // [B, 3]
    const lin = tf.addN([
      tf.sum(tf.mul(tg, p['targetGenre']!), 1), tf.sum(tf.mul(prof, p['profile']!), 1),
      tf.sum(tf.mul(tf.matMul(tg, p['genreProfile']!), prof), 1), tf.sum(tf.mul(years, p['year']!), 1),
      tf.mul(hasHist, p['hasHistory']!),
    ]);
    return tf.add(lin, p['bias']!) as tf.Tensor1D;
  });
}

/** The content model functions (see CFSpec); it reads item metadata and histories, never user or item ids. */
export const CONTENT: CFSpec<ContentConfig> = { kind: 'content', makeConfig, init, score, userRepr, itemRepr };
