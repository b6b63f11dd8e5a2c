// Plain-record summaries of interaction splits for tables and figures: sizes, label balance, history
// lengths, warm/cold shares and interactions per month. Input is any columns shaped like a split.
// Reference: docs/architecture.md §8 (notebooks only call the library).
import type { Series, VLine } from '../viz/plotly';

/** The columns of one split these summaries read (an InteractionSplit fits). */
export interface SplitColumns {
  /** [n] user index. */
  readonly userIdx: ArrayLike<number>;
  /** [n] item index. */
  readonly itemIdx: ArrayLike<number>;
  /** [n] binary label. */
  readonly label: ArrayLike<number>;
  /** [n] Unix time in seconds. */
  readonly timestamp: ArrayLike<number>;
  /** [n+1] CSR offsets of the history of each row. */
  readonly histOffsets: ArrayLike<number>;
}

/** One row of splitSummaryRows. */
export interface SplitSummaryRow {
  readonly split: string;
  readonly rows: number;
  readonly positives: number;
  /** positives / rows. */
  readonly positiveShare: number;
  readonly users: number;
  readonly items: number;
  /** Mean history length (earlier positives) per row. */
  readonly historyMean: number;
  readonly historyMedian: number;
  readonly historyMax: number;
  /** First and last day (UTC, YYYY-MM-DD). */
  readonly from: string;
  readonly to: string;
}

const day = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
const month = (s: number) => new Date(s * 1000).toISOString().slice(0, 7);

function distinct(xs: ArrayLike<number>): number {
  const seen = new Set<number>();
  for (let k = 0; k < xs.length; k++) seen.add(xs[k]!);
  return seen.size;
}

function minMax(xs: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < xs.length; k++) {
    lo = Math.min(lo, xs[k]!);
    hi = Math.max(hi, xs[k]!);
  }
  return [lo, hi];
}

/** One summary row per split, in the record's order; absent (undefined) splits are skipped. */
export function splitSummaryRows(splits: Readonly<Record<string, SplitColumns | undefined>>): SplitSummaryRow[] {
  const out: SplitSummaryRow[] = [];
  for (const [split, s] of Object.entries(splits)) {
    if (!s) continue;
    const n = s.label.length;
    let positives = 0;
    for (let k = 0; k < n; k++) positives += s.label[k]! > 0 ? 1 : 0;
    const lengths = Float64Array.from({ length: n }, (_, k) => s.histOffsets[k + 1]! - s.histOffsets[k]!).sort();
    const [lo, hi] = minMax(s.timestamp);
    out.push({
      split, rows: n, positives, positiveShare: n ? positives / n : 0,
      users: distinct(s.userIdx), items: distinct(s.itemIdx),
      historyMean: n ? lengths.reduce((a, b) => a + b, 0) / n : 0,
      historyMedian: n ? (lengths[(n - 1) >> 1]! + lengths[n >> 1]!) / 2 : 0,
      historyMax: n ? lengths[n - 1]! : 0,
      from: n ? day(lo) : '', to: n ? day(hi) : '',
    });
  }
  return out;
}

/** Warm and cold row masks (1 = in the set) of one split. */
export interface RowMasks {
  /** [n] uint8. */
  readonly warm: ArrayLike<number>;
  /** [n] uint8. */
  readonly cold: ArrayLike<number>;
}

/** One row of maskShareRows. */
export interface MaskShareRow {
  readonly split: string;
  readonly definition: string;
  readonly rows: number;
  readonly warm: number;
  readonly cold: number;
  /** Rows in neither set (a definition that does not partition the split). */
  readonly neither: number;
  readonly warmShare: number;
  readonly coldShare: number;
}

/**
 * Warm/cold counts and shares for every split x definition, where `masksOf(split, definition)` gives the
 * masks (e.g. `(s, d) => kit.warmColdMasks(dataset, s, d)`); absent splits are skipped.
 */
export function maskShareRows<S extends { readonly label: ArrayLike<number> }, D extends string>(
  splits: Readonly<Record<string, S | undefined>>, definitions: readonly D[], masksOf: (split: S, definition: D) => RowMasks): MaskShareRow[] {
  const out: MaskShareRow[] = [];
  for (const [name, s] of Object.entries(splits)) {
    if (!s) continue;
    for (const definition of definitions) {
      const m = masksOf(s, definition);
      const n = s.label.length;
      let warm = 0, cold = 0, neither = 0;
      for (let k = 0; k < n; k++) {
        warm += m.warm[k]!;
        cold += m.cold[k]!;
        neither += m.warm[k]! === 0 && m.cold[k]! === 0 ? 1 : 0;
      }
      out.push({ split: name, definition, rows: n, warm, cold, neither, warmShare: n ? warm / n : 0, coldShare: n ? cold / n : 0 });
    }
  }
  return out;
}

/** Interactions per calendar month (UTC) of several splits, with a line where each later split starts. */
export interface MonthlyCounts {
  /** Months covered, 'YYYY-MM', ascending and gap-free. */
  readonly months: readonly string[];
  /** One series per split: x = mid-month date ('YYYY-MM-15'), y = rows in that month. */
  readonly series: readonly Series[];
  /** The first timestamp of every split but the earliest, as 'YYYY-MM-DD HH:MM'. */
  readonly boundaries: readonly VLine[];
}

/** Counts rows per month for `names` (default train, valid, test) of `splits`; absent splits are skipped. */
export function monthlyCounts(splits: Readonly<Record<string, { readonly timestamp: ArrayLike<number> } | undefined>>, names: readonly string[] = ['train', 'valid', 'test']): MonthlyCounts {
  const present = names.filter((n) => splits[n] && splits[n]!.timestamp.length > 0);
  if (present.length === 0) throw new Error(`monthlyCounts: none of ${names.join(', ')} has rows`);
  const ranges = present.map((n) => minMax(splits[n]!.timestamp));
  const first = month(Math.min(...ranges.map((r) => r[0]))), last = month(Math.max(...ranges.map((r) => r[1])));
  const months: string[] = [];
  let [y, m] = first.split('-').map(Number) as [number, number];
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    months.push(key);
    if (key === last) break;
    if (++m > 12) { m = 1; y++; }
  }
  const slot = new Map(months.map((m, i) => [m, i]));
  const series = present.map((name) => {
    const counts = new Array<number>(months.length).fill(0);
    const ts = splits[name]!.timestamp;
    for (let k = 0; k < ts.length; k++) counts[slot.get(month(ts[k]!))!]!++;
    return { name, x: months.map((m) => `${m}-15`), y: counts };
  });
  const starts = present.map((name, i) => ({ name, t: ranges[i]![0] })).sort((a, b) => a.t - b.t);
  const boundaries = starts.slice(1).map((s) => ({ x: new Date(s.t * 1000).toISOString().slice(0, 16).replace('T', ' '), label: `${s.name} starts` }));
  return { months, series, boundaries };
}
