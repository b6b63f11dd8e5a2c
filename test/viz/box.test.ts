// Box figures: one box per group with its mean, all points for small groups, outliers for large ones;
// bad inputs fail with the offending values.
import { describe, expect, it } from 'vitest';
import { boxFigure } from '../../src/viz/box';

describe('boxFigure', () => {
  it('draws one box per group with the mean, all points for small groups and outliers for large ones', () => {
    const big = Float32Array.from({ length: 500 }, (_, i) => i / 100);
    const fig = boxFigure([{ name: 'tokens', values: big }, { name: 'users', values: [3, 4], text: ['u1', 'u2'] }, { name: 'none', values: [1], points: 'none' }], { title: 'norms', yTitle: 'L2 norm', logY: true });
    expect(fig.data.map((t) => [t.type, t['name'], t['boxpoints'], t['boxmean']])).toEqual([
      ['box', 'tokens', 'outliers', true], ['box', 'users', 'all', true], ['box', 'none', false, true],
    ]);
    expect(fig.data[0]!['y']).toHaveLength(500);
    expect(fig.data[1]).toMatchObject({ y: [3, 4], text: ['u1', 'u2'] });
    expect((fig.layout['yaxis'] as { type: string }).type).toBe('log');
  });
  it('rejects empty groups and mismatched labels', () => {
    expect(() => boxFigure([], { title: 'T' })).toThrow(/no groups/);
    expect(() => boxFigure([{ name: 'a', values: [] }], { title: 'T' })).toThrow(/"a" has no values/);
    expect(() => boxFigure([{ name: 'a', values: [1, 2], text: ['x'] }], { title: 'T' })).toThrow(/2 values but 1 labels/);
  });
});
