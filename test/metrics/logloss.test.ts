// Tests for log loss on probabilities (clipping) and on logits (stability), with sklearn goldens.
// Reference: sklearn.metrics.log_loss (goldens: test/fixtures/metrics/README.md).

import { describe, expect, it } from 'vitest';
import { LOG_LOSS_EPS, logLoss, logLossFromLogits } from '../../src/metrics/logloss';
import goldens from '../fixtures/metrics/goldens.json';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

describe('logLoss', () => {
  it('matches hand-computed values', () => {
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 15);
    expect(logLoss([1, 1, 0], [0.5, 0.5, 0.5])).toBeCloseTo(Math.log(2), 15);
  });

  it('clips probabilities to [eps, 1 - eps], default 1e-7', () => {
    expect(LOG_LOSS_EPS).toBe(1e-7);
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-7), 12);
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1e-7), 7);
    expect(logLoss([1, 0], [1, 0])).toBeCloseTo(-Math.log(1 - 1e-7), 15);
    expect(logLoss([1], [0], { eps: 1e-15 })).toBeCloseTo(-Math.log(1e-15), 12);
  });

  it('matches sklearn log_loss on random probabilities', () => {
    const g = goldens.logloss.probs;
    expect(logLoss(g.labels, g.probs)).toBeCloseTo(g['sklearn_eps_1e-7'], 12);
    expect(logLoss(g.labels, g.probs, { eps: Number.EPSILON })).toBeCloseTo(g.sklearn_eps_auto_float64, 12);
  });

  it('matches sklearn log_loss on rows that hit the clip', () => {
    const g = goldens.logloss.probsExtreme;
    expect(logLoss(g.labels, g.probs)).toBeCloseTo(g['sklearn_eps_1e-7'], 12);
    expect(logLoss(g.labels, g.probs, { eps: Number.EPSILON })).toBeCloseTo(g.sklearn_eps_auto_float64, 12);
    // sklearn's float32 default (eps = 2^-23) computed in float32 arithmetic: agree to float32 precision
    expect(g.float32_eps).toBe(2 ** -23);
    const f32 = logLoss(g.labels, Float32Array.from(g.probs), { eps: 2 ** -23 });
    expect(Math.abs(f32 - g.sklearn_eps_auto_float32) / g.sklearn_eps_auto_float32).toBeLessThan(1e-5);
  });

  it('throws on bad input', () => {
    expect(() => logLoss([1, 0], [0.5])).toThrow(/differ in length/);
    expect(() => logLoss([1, 0], [0.5, 1.5])).toThrow(/row 1 is 1.5/);
    expect(() => logLoss([1, 0], [0.5, NaN])).toThrow(/row 1 is NaN/);
    expect(() => logLoss([1, 0.5], [0.5, 0.5])).toThrow(/label at row 1/);
    expect(() => logLoss([1], [0.5], { eps: 0 })).toThrow(/eps/);
    expect(() => logLoss([], [])).toThrow(/no rows/);
  });
});

describe('logLossFromLogits', () => {
  it('matches hand-computed values', () => {
    expect(logLossFromLogits([1, 0], [0, 0])).toBeCloseTo(Math.log(2), 15);
    expect(logLossFromLogits([1], [2])).toBeCloseTo(Math.log(1 + Math.exp(-2)), 15);
    expect(logLossFromLogits([0], [2])).toBeCloseTo(Math.log(1 + Math.exp(2)), 15);
  });

  it('is exact for huge logits where probabilities saturate', () => {
    expect(logLossFromLogits([0], [1000])).toBe(1000);
    expect(logLossFromLogits([1], [-1000])).toBe(1000);
    expect(logLossFromLogits([1, 0], [1000, -1000])).toBe(0);
    expect(logLossFromLogits([1], [40])).toBeCloseTo(Math.exp(-40), 30);
  });

  it('agrees with logLoss on sigmoid probabilities for moderate logits', () => {
    const labels = [1, 0, 1, 0, 1];
    const logits = [-3, -0.5, 0.1, 2, 6];
    const probs = logits.map(sigmoid);
    expect(logLossFromLogits(labels, logits)).toBeCloseTo(logLoss(labels, probs, { eps: 1e-15 }), 14);
  });

  it('matches sklearn on sigmoid(logits) and 60-digit arithmetic for extreme logits', () => {
    const g = goldens.logloss.logits;
    expect(logLossFromLogits(g.labels, g.logits)).toBeCloseTo(g.sklearn_on_sigmoid_float64, 10);
    const e = goldens.logloss.logitsExtreme;
    expect(logLossFromLogits(e.labels, e.logits)).toBeCloseTo(e.decimal60, 12);
  });

  it('throws on non-finite logits and bad labels', () => {
    expect(() => logLossFromLogits([1], [Infinity])).toThrow(/finite/);
    expect(() => logLossFromLogits([1], [NaN])).toThrow(/row 0 is NaN/);
    expect(() => logLossFromLogits([2], [0])).toThrow(/label at row 0/);
  });
});
