// Tests for UAUC: hand-made users (ties, single-row and single-class users) and goldens from the rules
// of CoLLM's uAUC_me over sklearn roc_auc_score.
// Reference: zyang1580/CoLLM minigpt4/tasks/rec_base_task.py `uAUC_me` (goldens: test/fixtures/metrics/README.md).

import { describe, expect, it } from 'vitest';
import { perUserAuc, uauc, weightedUauc } from '../../src/metrics/uauc';
import goldens from '../fixtures/metrics/goldens.json';

// user 1: pos 0.9 beats neg 0.5 and ties neg 0.9 -> 3/4; user 2: one row; user 3: one class; user 4: 0
const users = [1, 2, 1, 3, 4, 1, 3, 4];
const labels = [1, 0, 0, 1, 0, 0, 1, 1];
const scores = [0.9, 0.4, 0.5, 0.3, 0.2, 0.9, 0.1, 0.1];

describe('uauc', () => {
  it('averages per-user AUCs and skips single-row and single-class users', () => {
    const r = uauc(users, labels, scores);
    expect(r.uauc).toBeCloseTo((3 / 4 + 0) / 2, 15);
    expect(r).toMatchObject({ nUsers: 2, nSkipped: 2, nSingleRow: 1, nSingleClass: 1 });
  });

  it('weights by rows per user in the weighted variant', () => {
    const r = weightedUauc(users, labels, scores);
    expect(r.uauc).toBeCloseTo((3 * (3 / 4) + 2 * 0) / (3 + 2), 15);
    expect(r.nUsers).toBe(2);
  });

  it('reports per-user AUCs in ascending user order', () => {
    const per = perUserAuc(users, labels, scores);
    expect(Array.from(per.users)).toEqual([1, 2, 3, 4]);
    expect(Array.from(per.nRows)).toEqual([3, 1, 2, 2]);
    expect(per.aucs[0]).toBeCloseTo(3 / 4, 15);
    expect(per.aucs[1]).toBeNaN();
    expect(per.aucs[2]).toBeNaN();
    expect(per.aucs[3]).toBe(0);
  });

  it('does not depend on row order', () => {
    const perm = [7, 3, 0, 5, 1, 6, 2, 4];
    const r = uauc(
      perm.map((i) => users[i]!),
      perm.map((i) => labels[i]!),
      perm.map((i) => scores[i]!),
    );
    expect(r.uauc).toBeCloseTo((3 / 4 + 0) / 2, 15);
  });

  it('returns NaN with zero counted users, like numpy mean of an empty array', () => {
    const r = uauc([1, 2, 2], [1, 0, 0], [0.1, 0.2, 0.3]);
    expect(r.uauc).toBeNaN();
    expect(r).toMatchObject({ nUsers: 0, nSkipped: 2, nSingleRow: 1, nSingleClass: 1 });
  });

  it('matches uAUC_me rules over sklearn on 60 users with ties', () => {
    const g = goldens.uauc;
    const r = uauc(g.users, g.labels, g.scores);
    expect(r.uauc).toBeCloseTo(g.uauc, 12);
    expect(r.nUsers).toBe(g.nUsers);
    expect(r.nSingleRow).toBe(g.nSingleRow);
    expect(r.nSingleClass).toBe(g.nSingleClass);
    expect(r.nSkipped).toBe(g.nSingleRow + g.nSingleClass);
    expect(weightedUauc(g.users, g.labels, g.scores).uauc).toBeCloseTo(g.weightedUauc, 12);
    const per = perUserAuc(g.users, g.labels, g.scores);
    const counted = Array.from(per.users).filter((_, i) => !Number.isNaN(per.aucs[i]!));
    expect(counted).toEqual(g.countedUsers);
    const aucs = Array.from(per.aucs).filter((a) => !Number.isNaN(a));
    aucs.forEach((a, i) => expect(a).toBeCloseTo(g.perUserAuc[i]!, 12));
  });

  it('throws on mismatched lengths, NaN scores and bad user ids', () => {
    expect(() => uauc([1, 1], [0, 1, 1], [0.1, 0.2, 0.3])).toThrow(/differ in length/);
    expect(() => uauc([1, 1, 1], [0, 1], [0.1, 0.2])).toThrow(/differ in length/);
    expect(() => uauc([1, 1], [0, 1], [0.1, NaN])).toThrow(/row 1 is NaN/);
    expect(() => uauc([1, NaN], [0, 1], [0.1, 0.2])).toThrow(/user id at row 1/);
  });
});
