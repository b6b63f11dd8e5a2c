// Group summaries: quartiles by linear interpolation (numpy's default: np.quantile([1,2,3,4], 0.25) =
// 1.75), sample sd, order kept, empty and single-value groups.
import { describe, expect, it } from 'vitest';
import { describeGroups, interpolatedQuantile } from '../../src/viz/describe';

describe('describeGroups', () => {
  it('summarises each group', () => {
    const [a, b] = describeGroups([{ name: 'a', values: [4, 1, 3, 2] }, { name: 'b', values: Float32Array.from([5]) }]);
    expect(a).toEqual({ group: 'a', n: 4, mean: 2.5, sd: Math.sqrt(5 / 3), min: 1, q25: 1.75, median: 2.5, q75: 3.25, max: 4 });
    expect(b).toEqual({ group: 'b', n: 1, mean: 5, sd: 0, min: 5, q25: 5, median: 5, q75: 5, max: 5 });
    const [e] = describeGroups([{ name: 'e', values: [] }]);
    expect(e!.n).toBe(0);
    expect([e!.mean, e!.sd, e!.min, e!.median, e!.max].every(Number.isNaN)).toBe(true);
  });
  it('interpolatedQuantile interpolates between order statistics', () => {
    expect(interpolatedQuantile([10, 20, 30], 0.5)).toBe(20);
    expect(interpolatedQuantile([10, 20], 0.5)).toBe(15);
    expect(interpolatedQuantile([10, 20, 30], 1)).toBe(30);
  });
});
