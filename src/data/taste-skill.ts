// Simulated-user taste questions, built from item metadata only (never ratings, users or labels): a
// made-up user with a random taste over the catalogue's genres "liked" a history of titles drawn by that
// taste; the question pairs a target the taste favours (Yes) with one it disfavours (No), over the same
// history and with as many genres. Unlike the genre-match probe (one coherent genre, a target with none of
// its genres), the histories are long and mixed like real TALLRec prompts, so answering means weighing a
// whole history's genres against a candidate's. Reference: README.md (Language models, item knowledge).
import { makeRng } from '../core/rng';
import { shownTitle, skillQuestion } from './genre-skill';
import type { ClozeProbe, ItemTextInfo } from './item-text';

/** One question of a simulated user. */
export interface TasteExample {
  /** 0-based item indices the simulated user liked (drawn by taste). */
  readonly history: readonly number[];
  readonly target: number;
  /** True when the target is among the taste's favoured items; false when among its disfavoured ones. */
  readonly match: boolean;
}

/** How simulated users are drawn. */
export interface TasteOptions {
  /** Shortest history (titles); default 2. */
  readonly minHistory?: number;
  /** Longest history (titles); default 10 (TALLRec shows up to 10 liked titles). */
  readonly maxHistory?: number;
  /** Sharpness of the history draw: P(item) ∝ exp(beta · affinity); default 2. */
  readonly beta?: number;
  /** Yes targets come from the top `share` of items by affinity, No targets from the bottom; default 0.25. */
  readonly share?: number;
}

/**
 * `n` examples in pairs over one history (match first). A user's taste is a standard normal weight per
 * genre; an item's affinity is the mean weight of its genres. Items without genres are never used.
 */
export function tasteExamples(items: readonly ItemTextInfo[], n: number, seed: number, o: TasteOptions = {}): TasteExample[] {
  const lo = o.minHistory ?? 2, hi = o.maxHistory ?? 10, beta = o.beta ?? 2, share = o.share ?? 0.25;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo) throw new Error(`tasteExamples: history range must be integers 1 <= min <= max, got ${lo}..${hi}`);
  if (!(beta >= 0) || !(share > 0 && share <= 0.5)) throw new Error(`tasteExamples: beta must be >= 0 and share in (0, 0.5], got ${beta}, ${share}`);
  const genres = [...new Set(items.flatMap((it) => it.genres))].sort();
  const gIndex = new Map(genres.map((g, i) => [g, i]));
  const pool = items.map((it, i) => ({ i, g: it.genres.map((x) => gIndex.get(x)!) })).filter((x) => x.g.length > 0);
  const k = Math.max(1, Math.floor(pool.length * share));
  if (pool.length < hi + 2 * k || genres.length < 2) throw new Error(`tasteExamples: needs at least ${hi + 2 * k} items with genres and two genres, got ${pool.length} and ${genres.length}`);
  const rng = makeRng(seed);
  const out: TasteExample[] = [];
  for (let tries = 0; out.length < n && tries < n * 20; tries++) {
    const taste = Float64Array.from(genres, () => rng.normal());
    const aff = pool.map((x) => x.g.reduce((a, g) => a + taste[g]!, 0) / x.g.length);
    const w = aff.map((a) => Math.exp(beta * a)), order = pool.map((_, j) => j).sort((a, b) => aff[b]! - aff[a]!);
    const len = lo + rng.int(hi - lo + 1), hist = new Set<number>();
    let total = w.reduce((a, b) => a + b, 0);
    while (hist.size < len) {
      // weighted draw without replacement (the last unused item absorbs rounding)
      let r = rng.next() * total, pick = -1;
      for (let j = 0; j < w.length; j++) {
        if (hist.has(j)) continue;
        pick = j;
        r -= w[j]!;
        if (r < 0) break;
      }
      hist.add(pick);
      total -= w[pick]!;
    }
    const top = order.slice(0, k).filter((j) => !hist.has(j)), bottom = order.slice(-k).filter((j) => !hist.has(j));
    if (top.length === 0) continue;
    const yes = top[rng.int(top.length)]!, size = pool[yes]!.g.length;
    const noPool = bottom.filter((j) => pool[j]!.g.length === size);
    if (noPool.length === 0) continue;
    const no = noPool[rng.int(noPool.length)]!;
    const history = [...hist].map((j) => pool[j]!.i);
    out.push({ history, target: pool[yes]!.i, match: true });
    if (out.length < n) out.push({ history, target: pool[no]!.i, match: false });
  }
  if (out.length < n) throw new Error(`tasteExamples: drew only ${out.length} of ${n} examples from ${pool.length} items`);
  return out;
}

/** Taste questions in TALLRec's wording (answer "Yes"/"No"; chance 0.5), genres written in or titles only. */
export function tasteProbes(items: readonly ItemTextInfo[], opts: TasteOptions & { n: number; seed: number; withGenres: boolean }): ClozeProbe[] {
  return tasteExamples(items, opts.n, opts.seed, opts).map((e) => ({
    prompt: skillQuestion(e.history.map((i) => shownTitle(items[i]!, opts.withGenres)), shownTitle(items[e.target]!, opts.withGenres)),
    candidates: ['Yes', 'No'],
    answers: [e.match ? 'Yes' : 'No'],
  }));
}
