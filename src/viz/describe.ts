// Five-number-style summaries of value groups as table records (count, mean, sd, min, quartiles, max),
// the numbers behind a box figure. Plain numbers in, plain records out.
// Reference: the quartiles use linear interpolation between order statistics (numpy's default).

/** Summary of one group. */
export interface GroupSummary {
  readonly group: string;
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1; 0 for one value). */
  readonly sd: number;
  readonly min: number;
  readonly q25: number;
  readonly median: number;
  readonly q75: number;
  readonly max: number;
}

/** Quantile q in [0, 1] of ascending values, interpolating linearly between order statistics. */
export function interpolatedQuantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** One summary row per group, in order; NaN statistics for an empty group. */
export function describeGroups(groups: readonly { readonly name: string; readonly values: ArrayLike<number> }[]): GroupSummary[] {
  return groups.map(({ name, values }) => {
    const v = Float64Array.from(values).sort();
    const n = v.length, mean = n ? v.reduce((a, x) => a + x, 0) / n : Number.NaN;
    const sd = n > 1 ? Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : n === 1 ? 0 : Number.NaN;
    return {
      group: name, n, mean, sd, min: n ? v[0]! : Number.NaN, q25: interpolatedQuantile(v, 0.25), median: interpolatedQuantile(v, 0.5),
      q75: interpolatedQuantile(v, 0.75), max: n ? v[n - 1]! : Number.NaN,
    };
  });
}
