// The LLM training schedule: one global warm-up (default) or the official CoLLM/MiniGPT-4 scheduler whose
// ramp restarts each epoch while the global step is inside warm-up; warm-up is at most 10% of the plan.
import { describe, expect, it } from 'vitest';
import { makeRecTrainConfig, recLrAt } from '../../src/rec/train';

describe('RecTrainConfig schedule', () => {
  const base = { lr: 1e-3, warmupStartLr: 1e-5, minLr: 8e-5, itersPerEpoch: 50, maxEpochs: 40 };

  it('warms up once, then decays by cosine to minLr at the planned end', () => {
    const c = makeRecTrainConfig({ ...base, warmupSteps: 200 });
    expect(recLrAt(c, 0, 0)).toBeCloseTo(1e-5, 12);
    expect(recLrAt(c, 2, 0)).toBeCloseTo(1e-5 + (1e-3 - 1e-5) * (100 / 200), 12);
    expect(recLrAt(c, 4, 0)).toBeCloseTo(1e-3, 12);
    const mid = 200 + (2000 - 200) / 2;
    expect(recLrAt(c, Math.floor(mid / 50), mid % 50)).toBeCloseTo(8e-5 + 0.5 * (1e-3 - 8e-5), 12);
    expect(recLrAt(c, 39, 49)).toBeGreaterThan(8e-5);
  });

  it('per-epoch: the warm-up ramp restarts each epoch while the global step is below warmupSteps', () => {
    const c = makeRecTrainConfig({ ...base, warmupSteps: 200, warmup: 'per-epoch' });
    for (const epoch of [0, 1, 2, 3]) {
      expect(recLrAt(c, epoch, 0)).toBeCloseTo(1e-5, 12);
      expect(recLrAt(c, epoch, 49)).toBeCloseTo(1e-5 + (1e-3 - 1e-5) * (49 / 200), 12);
    }
    const g = makeRecTrainConfig({ ...base, warmupSteps: 200 });
    expect(recLrAt(c, 4, 0)).toBeCloseTo(recLrAt(g, 4, 0), 12);
  });

  it('refuses a warm-up longer than 10% of the planned steps, naming the fix', () => {
    expect(() => makeRecTrainConfig({ ...base, maxEpochs: 4, warmupSteps: 200 })).toThrow(/warmupSteps 200 is more than 10% of the planned 200 steps .* lower warmupSteps to <= 20 or raise maxEpochs/);
    expect(() => makeRecTrainConfig({ warmup: 'cyclic' as never })).toThrow(/warmup "cyclic" is not one of global, per-epoch/);
  });
});
