// The logistic readout and its Cholesky solve: a known system solved exactly, a non-positive-definite one
// refused; Newton's method recovers planted weights, agrees with a direct check of the optimum (zero
// gradient of the penalised loss), does not depend on feature scale, stays finite on separable data, and
// refuses malformed input.
import { describe, expect, it } from 'vitest';
import { choleskySolve } from '../../src/analysis/linalg';
import { fitLogistic, logisticLogits } from '../../src/analysis/logistic';
import { makeRng } from '../../src/core/rng';
import { auc } from '../../src/metrics/auc';

describe('choleskySolve', () => {
  it('solves a symmetric positive-definite system and leaves its inputs alone', () => {
    const a = [4, 2, 0.4, 2, 5, 1, 0.4, 1, 3], x = [1, -2, 0.5];
    const b = [0, 1, 2].map((i) => a[i * 3]! * x[0]! + a[i * 3 + 1]! * x[1]! + a[i * 3 + 2]! * x[2]!);
    const got = choleskySolve(a, 3, b);
    got.forEach((v, i) => expect(v).toBeCloseTo(x[i]!, 12));
    expect(a[1]).toBe(2);
  });

  it('refuses a matrix that is not positive definite and wrong sizes', () => {
    expect(() => choleskySolve([1, 2, 2, 1], 2, [1, 1])).toThrow(/not positive definite \(pivot 1/);
    expect(() => choleskySolve([1, 0, 0], 2, [1, 1])).toThrow(/A has 3 entries, n = 2 needs 4/);
    expect(() => choleskySolve([1, 0, 0, 1], 2, [1])).toThrow(/b has 1 entries, expected 2/);
  });
});

/** n rows of d standard-normal features with labels drawn from sigmoid(w . x + b). */
function sample(n: number, w: readonly number[], b: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rng = makeRng(seed), d = w.length, x = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b;
    for (let j = 0; j < d; j++) { x[i * d + j] = rng.normal(); s += w[j]! * x[i * d + j]!; }
    y[i] = rng.next() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
  }
  return { x, y };
}

describe('fitLogistic', () => {
  const w = [1.5, -1, 0, 0.5], b = -0.3;
  const { x, y } = sample(6000, w, b, 1);

  it('recovers planted weights (features already standard) and converges in a few Newton steps', () => {
    const m = fitLogistic(x, 6000, 4, y, { l2: 1e-3 });
    expect(m.converged).toBe(true);
    expect(m.iterations).toBeLessThan(12);
    // weights live on standardised features: multiply back by the scale to compare
    m.weights.forEach((v, j) => expect(v / m.scale[j]!).toBeCloseTo(w[j]!, 0));
    const test = sample(4000, w, b, 2);
    expect(auc(test.y, logisticLogits(m, test.x, 4000))).toBeGreaterThan(0.75);
  });

  it('lands on the optimum: the penalised gradient is zero there', () => {
    const l2 = 5, m = fitLogistic(x, 6000, 4, y, { l2 });
    const z = (i: number, j: number) => (x[i * 4 + j]! - m.mean[j]!) / m.scale[j]!;
    const g = new Float64Array(5);
    const logits = logisticLogits(m, x, 6000);
    for (let i = 0; i < 6000; i++) {
      const r = 1 / (1 + Math.exp(-logits[i]!)) - y[i]!;
      for (let j = 0; j < 4; j++) g[j]! += r * z(i, j);
      g[4]! += r;
    }
    for (let j = 0; j < 4; j++) expect(Math.abs(g[j]! + l2 * m.weights[j]!)).toBeLessThan(1e-6);
    expect(Math.abs(g[4]!)).toBeLessThan(1e-6);
  });

  it('gives the same logits whatever the units of each feature', () => {
    const scaled = Float64Array.from(x, (v, k) => v * [1000, 0.001, 7, -3][k % 4]! + 50);
    const a = logisticLogits(fitLogistic(x, 6000, 4, y), x, 6000), c = logisticLogits(fitLogistic(scaled, 6000, 4, y), scaled, 6000);
    for (let i = 0; i < 6000; i += 97) expect(c[i]!).toBeCloseTo(a[i]!, 6);
  });

  it('stays finite on separable data (the penalty bounds the weights)', () => {
    const xs = Float64Array.from({ length: 200 }, (_, i) => (i < 100 ? -1 - i / 100 : 1 + i / 100)), ys = Float64Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 1));
    const m = fitLogistic(xs, 200, 1, ys, { l2: 1 });
    expect(Number.isFinite(m.weights[0]!)).toBe(true);
    expect(auc(ys, logisticLogits(m, xs, 200))).toBe(1);
  });

  it('refuses malformed input', () => {
    expect(() => fitLogistic([1, 2, 3], 2, 2, [0, 1])).toThrow(/features have 3 entries, 2 rows x 2 columns needs 4/);
    expect(() => fitLogistic([1, 2], 2, 1, [0])).toThrow(/1 labels for 2 rows/);
    expect(() => fitLogistic([1, 2], 2, 1, [0, 0.5])).toThrow(/label 1 is 0.5, expected 0 or 1/);
    expect(() => fitLogistic([1, 2], 2, 1, [0, 1], { l2: 0 })).toThrow(/l2 must be > 0/);
    expect(() => logisticLogits(fitLogistic([1, 2], 2, 1, [0, 1]), [1, 2, 3], 2)).toThrow(/3 entries, 2 rows x 1 columns needs 2/);
  });
});
