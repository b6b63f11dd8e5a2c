// Singular values, symmetric eigen-decomposition, PCA and the Frobenius norm on matrices whose answers
// follow from formulas: diagonal matrices, rank-1 outer products, rotations, points on a line.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng';
import { frobeniusNorm, pca2d, singularValues, symmetricEigen } from '../../src/analysis/linalg';

const rot = (t: number) => [[Math.cos(t), -Math.sin(t)], [Math.sin(t), Math.cos(t)]];
const matmul = (a: number[][], b: number[][]) => a.map((r) => b[0]!.map((_, j) => r.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
const transpose = (a: number[][]) => a[0]!.map((_, j) => a.map((r) => r[j]!));

describe('frobeniusNorm', () => {
  it('is the root of the summed squares, in both input forms', () => {
    expect(frobeniusNorm([[1, 2], [3, 4]])).toBeCloseTo(Math.sqrt(1 + 4 + 9 + 16), 14);
    expect(frobeniusNorm({ rows: 2, cols: 3, data: new Float32Array([3, 0, 0, 0, 4, 0]) })).toBeCloseTo(5, 14);
  });
  it('rejects a data length that does not match the size', () => {
    expect(() => frobeniusNorm({ rows: 2, cols: 2, data: [1, 2, 3] })).toThrow(/data has 3 entries.*needs 4/);
  });
});

describe('singularValues', () => {
  it('of a diagonal matrix are its absolute diagonal, sorted descending', () => {
    expect(Array.from(singularValues([[2, 0, 0], [0, -5, 0], [0, 0, 1]]))).toEqual([5, 2, 1]);
  });
  it('of a rank-1 outer product u v^T are |u||v| and zeros', () => {
    const u = [1, 2, 3, 4], v = [2, -1, 0.5];
    const s = singularValues(u.map((a) => v.map((b) => a * b)));
    expect(s).toHaveLength(3);
    expect(s[0]).toBeCloseTo(Math.hypot(...u) * Math.hypot(...v), 12);
    expect(s[1]).toBeCloseTo(0, 12);
    expect(s[2]).toBeCloseTo(0, 12);
  });
  it('are unchanged by orthogonal rotations on either side (R1 diag(3, 1) R2)', () => {
    const m = matmul(matmul(rot(0.7), [[3, 0], [0, 1]]), rot(-1.9));
    const s = singularValues(m);
    expect(s[0]).toBeCloseTo(3, 12);
    expect(s[1]).toBeCloseTo(1, 12);
  });
  it('are min(m, n) many and the same for a matrix and its transpose', () => {
    const rng = makeRng(3);
    const a = Array.from({ length: 5 }, () => Array.from({ length: 3 }, () => rng.normal()));
    const s = singularValues(a), t = singularValues(transpose(a));
    expect(s).toHaveLength(3);
    expect(t).toHaveLength(3);
    s.forEach((x, i) => expect(t[i]).toBeCloseTo(x, 12));
    // sum of squared singular values = squared Frobenius norm
    expect(s.reduce((acc, x) => acc + x * x, 0)).toBeCloseTo(frobeniusNorm(a) ** 2, 10);
  });
});

describe('symmetricEigen', () => {
  it('finds Q diag(4, -1) Q^T with unit eigenvectors along Q\'s columns', () => {
    const q = rot(0.3);
    const a = matmul(matmul(q, [[4, 0], [0, -1]]), transpose(q));
    const { values, vectors } = symmetricEigen(a);
    expect(values[0]).toBeCloseTo(4, 12);
    expect(values[1]).toBeCloseTo(-1, 12);
    expect(Math.abs(vectors[0]![0]! * q[0]![0]! + vectors[0]![1]! * q[1]![0]!)).toBeCloseTo(1, 12);
  });
  it('rejects a non-symmetric matrix', () => {
    expect(() => symmetricEigen([[1, 2], [0, 1]])).toThrow(/differs from its transpose/);
  });
});

describe('pca2d', () => {
  it('puts points on a line on the first axis, with explained ratio 1 and the right distances', () => {
    const dir = [1, 2, 2].map((x) => x / 3), ts = [-2, -1, 0, 0.5, 3];
    const pts = ts.map((t) => dir.map((x, j) => 10 + j + t * x));
    const { coords, explained } = pca2d(pts);
    expect(explained[0]).toBeCloseTo(1, 12);
    expect(explained[1]).toBeCloseTo(0, 12);
    const mean = ts.reduce((a, b) => a + b, 0) / ts.length;
    // the point with the largest |coordinate| is positive: t = 3 here
    ts.forEach((t, i) => {
      expect(coords[i]![0]).toBeCloseTo(t - mean, 10);
      expect(coords[i]![1]).toBeCloseTo(0, 10);
    });
  });
  it('gives variance shares of an axis-aligned cloud (variances 9 : 1 : 0) in both Gram and covariance forms', () => {
    // 4 points: (+-3, 0, 0), (0, +-1, 0): variances 18/4 and 2/4 -> shares 0.9 and 0.1
    const pts = [[3, 0, 0], [-3, 0, 0], [0, 1, 0], [0, -1, 0]];
    const narrow = pca2d(pts); // n = 4 > d = 3: covariance path
    expect(narrow.explained[0]).toBeCloseTo(0.9, 12);
    expect(narrow.explained[1]).toBeCloseTo(0.1, 12);
    const wide = pca2d(pts.map((p) => [...p, 0, 0])); // d = 5 >= n: Gram path
    expect(wide.explained[0]).toBeCloseTo(0.9, 12);
    expect(wide.explained[1]).toBeCloseTo(0.1, 12);
    narrow.coords.forEach((c, i) => {
      expect(Math.abs(c[0])).toBeCloseTo(Math.abs(pts[i]![0]!), 10);
      expect(wide.coords[i]![0]).toBeCloseTo(c[0], 10);
      expect(wide.coords[i]![1]).toBeCloseTo(c[1], 10);
    });
  });
  it('keeps pairwise distances of 2-D points (a rotation of the centred cloud)', () => {
    const rng = makeRng(7);
    const pts = Array.from({ length: 6 }, () => [rng.normal() * 3, rng.normal()]);
    const { coords, explained } = pca2d(pts);
    expect(explained[0]! + explained[1]!).toBeCloseTo(1, 12);
    const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
    for (let i = 0; i < 6; i++) for (let j = 0; j < i; j++) expect(dist(coords[i]!, coords[j]!)).toBeCloseTo(dist(pts[i]!, pts[j]!), 10);
  });
  it('reports zero shares for identical points and rejects a single point', () => {
    expect(pca2d([[1, 2], [1, 2]]).explained).toEqual([0, 0]);
    expect(() => pca2d([[1, 2]])).toThrow(/at least 2 points/);
  });
});
