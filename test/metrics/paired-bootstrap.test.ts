// Tests for the user-clustered paired bootstrap: hand cases whose resample distribution is known in
// closed form, agreement with auc/uauc on the original rows, the centred p-value definition, a
// clustered case where row-level DeLong is significant and the user-level p is not, determinism,
// identical runs and misaligned rows.
// Reference: Field & Welsh (2007); Hall & Wilson (1991).

import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng';
import { auc } from '../../src/metrics/auc';
import { delongTest } from '../../src/metrics/delong';
import { checkAlignedRows, pairedUserBootstrap } from '../../src/metrics/paired-bootstrap';
import { uauc } from '../../src/metrics/uauc';

describe('pairedUserBootstrap', () => {
  // user 0: A ranks its pair right, B wrong; user 1: both right (per-user AUC diffs 1 and 0)
  const users = [0, 0, 1, 1];
  const labels = [1, 0, 1, 0];
  const a = [0.9, 0.1, 0.8, 0.2];
  const b = [0.1, 0.9, 0.8, 0.2];

  it('diff equals metric(A) - metric(B) on the original rows', () => {
    const r = pairedUserBootstrap(users, labels, a, b, { seed: 1, nResamples: 50 });
    // AUC(A) = 1; AUC(B): positives {0.1, 0.8} vs negatives {0.9, 0.2}: only 0.8 > 0.2 wins -> 1/4
    expect(r.auc.diff).toBeCloseTo(1 - 1 / 4, 12);
    expect(r.auc.diff).toBeCloseTo(auc(labels, a) - auc(labels, b), 12);
    // UAUC(A) = (1 + 1)/2, UAUC(B) = (0 + 1)/2
    expect(r.uauc!.diff).toBeCloseTo((1 + 1) / 2 - (0 + 1) / 2, 12);
    expect(r.uauc!.diff).toBeCloseTo(uauc(users, labels, a).uauc - uauc(users, labels, b).uauc, 12);
    expect(r.auc.nUsers).toBe(2);
    expect(r.auc.nResamples).toBe(50);
  });

  it('with two users every UAUC resample is 1, 1/2 or 0 (two draws of per-user diffs 1 and 0)', () => {
    const r = pairedUserBootstrap(users, labels, a, b, { seed: 3, nResamples: 400 });
    const seen = new Set(Array.from(r.uauc!.samples));
    for (const v of seen) expect([1, 1 / 2, 0]).toContain(v);
    // P(1) = P(0) = 1/4, P(1/2) = 1/2: all three appear in 400 draws
    expect(seen.size).toBe(3);
    const share = Array.from(r.uauc!.samples).filter((v) => v === 1 / 2).length / r.uauc!.samples.length;
    expect(share).toBeGreaterThan(1 / 2 - 0.1);
    expect(share).toBeLessThan(1 / 2 + 0.1);
  });

  it('p is (1 + #{|d* - d| >= |d|}) / (1 + B) and the CI is the percentile range of the samples', () => {
    const r = pairedUserBootstrap(users, labels, a, b, { seed: 5, nResamples: 200 });
    for (const m of [r.auc, r.uauc!]) {
      const s = Array.from(m.samples);
      const extreme = s.filter((x) => Math.abs(x - m.diff) >= Math.abs(m.diff)).length;
      expect(m.pUserBootstrap).toBeCloseTo((1 + extreme) / (1 + s.length), 12);
      const sorted = [...s].sort((x, y) => x - y);
      expect(m.ci[0]).toBeGreaterThanOrEqual(sorted[0]!);
      expect(m.ci[1]).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
      expect(m.nSkipped + s.length).toBe(200);
    }
    // UAUC samples: d* = 0 (only user 1 drawn, probability 1/4) is the only draw as far from d = 1/2 as 0 is
    const zeros = Array.from(r.uauc!.samples).filter((x) => x === 0).length;
    const ones = Array.from(r.uauc!.samples).filter((x) => x === 1).length;
    expect(r.uauc!.pUserBootstrap).toBeCloseTo((1 + zeros + ones) / (1 + 200), 12);
  });

  it('one user: every resample repeats the data, so the CI collapses to d and p = 1 / (1 + B)', () => {
    const u = [7, 7, 7, 7];
    const y = [1, 0, 1, 0];
    const r = pairedUserBootstrap(u, y, [0.9, 0.1, 0.2, 0.8], [0.9, 0.1, 0.8, 0.2], { seed: 0, nResamples: 99 });
    expect(r.uauc!.diff).toBeCloseTo(2 / 4 - 3 / 4, 12);
    expect(r.uauc!.ci[0]).toBeCloseTo(r.uauc!.diff, 12);
    expect(r.uauc!.ci[1]).toBeCloseTo(r.uauc!.diff, 12);
    expect(r.uauc!.pUserBootstrap).toBeCloseTo(1 / (1 + 99), 12);
    expect(r.auc.pUserBootstrap).toBeCloseTo(1 / (1 + 99), 12);
  });

  it('identical runs: diff 0, CI [0, 0], p = 1', () => {
    const rng = makeRng(11);
    const n = 300;
    const u = Array.from({ length: n }, () => rng.int(30));
    const y = Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
    const s = y.map((v) => v + rng.normal());
    const r = pairedUserBootstrap(u, y, s, Float64Array.from(s), { seed: 2, nResamples: 100 });
    for (const m of [r.auc, r.uauc!]) {
      expect(m.diff).toBe(0);
      expect(m.ci).toEqual([0, 0]);
      expect(m.pUserBootstrap).toBe(1);
    }
  });

  it('is deterministic under a seed and changes with it', () => {
    const rng = makeRng(4);
    const n = 400;
    const u = Array.from({ length: n }, () => rng.int(40));
    const y = Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
    const sa = y.map((v) => v + rng.normal());
    const sb = y.map((v) => 0.7 * v + rng.normal());
    const r1 = pairedUserBootstrap(u, y, sa, sb, { seed: 9, nResamples: 200 });
    const r2 = pairedUserBootstrap(u, y, sa, sb, { seed: 9, nResamples: 200 });
    const r3 = pairedUserBootstrap(u, y, sa, sb, { seed: 10, nResamples: 200 });
    expect(r2).toEqual(r1);
    expect(r3.auc.ci).not.toEqual(r1.auc.ci);
    expect(r3.auc.diff).toBe(r1.auc.diff);
  });

  it('clustered data: row-level DeLong says significant, the user-clustered bootstrap does not', () => {
    // 6 users with 300 rows each; only user 0 differs: A ranks its rows perfectly, B at random.
    // DeLong sees 1,800 independent rows; the bootstrap sees one user in six carrying the whole effect.
    const rng = makeRng(21);
    const u: number[] = [], y: number[] = [], sa: number[] = [], sb: number[] = [];
    for (let user = 0; user < 6; user++) {
      for (let i = 0; i < 300; i++) {
        const label = rng.next() < 0.5 ? 1 : 0;
        const shared = label * 0.5 + rng.normal();
        u.push(user);
        y.push(label);
        sa.push(user === 0 ? label * 10 + rng.next() : shared);
        sb.push(user === 0 ? rng.normal() : shared);
      }
    }
    const dl = delongTest(y, sa, sb);
    expect(dl.pValue).toBeLessThan(1e-6);
    const r = pairedUserBootstrap(u, y, sa, sb, { seed: 0, nResamples: 1000 });
    expect(r.auc.diff).toBeCloseTo(dl.diff, 12);
    // resamples without user 0 (probability (5/6)^6 = 0.335) give d* = 0, as far from d as 0 is
    expect(r.auc.pUserBootstrap).toBeGreaterThan(0.05);
    expect(r.uauc!.pUserBootstrap).toBeGreaterThan(0.05);
    expect(r.auc.ci[0]).toBeLessThanOrEqual(0);
  });

  it('UAUC is null when no user has both classes; AUC still defined', () => {
    const r = pairedUserBootstrap([0, 1, 2, 3], [1, 0, 1, 0], [1, 0, 1, 0], [0, 1, 1, 0], { seed: 0, nResamples: 20 });
    expect(r.uauc).toBeNull();
    expect(r.auc.diff).toBeCloseTo(1 - 2 / 4, 12);
  });

  it('rejects bad input with clear messages', () => {
    expect(() => pairedUserBootstrap(users, labels, a, [0.1, 0.9, 0.8], { seed: 0 })).toThrow(/differ in length/);
    expect(() => pairedUserBootstrap([0, 0], [1, 1], [0.1, 0.2], [0.1, 0.2], { seed: 0 })).toThrow(/only one class/);
    expect(() => pairedUserBootstrap(users, labels, a, b, { seed: 0, nResamples: 0 })).toThrow(/nResamples/);
  });
});

describe('checkAlignedRows', () => {
  it('accepts the same rows in the same order', () => {
    expect(() => checkAlignedRows([3, 1, 2], Int32Array.from([3, 1, 2]))).not.toThrow();
  });
  it('names the first misaligned position, or the two lengths', () => {
    expect(() => checkAlignedRows([3, 1, 2], [3, 2, 1])).toThrow(/position 1 holds row id 1 vs 2/);
    expect(() => checkAlignedRows([3, 1, 2], [3, 1])).toThrow(/3 vs 2 rows/);
  });
});
