// The epoch loop: model selection on the validation metric, patience, the NaN guard, and resuming
// from a saved state gives the same outcome as an uninterrupted run.
import { describe, expect, it } from 'vitest';
import { FRESH_LOOP, runEpochLoop, type LoopHooks, type LoopState } from '../../src/core/train';

function scripted(valids: number[], losses: number[] = valids.map(() => 0.5)) {
  const best: number[] = [], states: LoopState[] = [];
  const hooks: LoopHooks = {
    trainEpoch: async (e) => losses[e]!,
    validate: async (e) => valids[e]!,
    onBest: async (e) => { best.push(e); },
    onEpochEnd: async (s) => { states.push(s); },
  };
  return { hooks, best, states };
}

describe('runEpochLoop', () => {
  it('keeps the best epoch and stops after `patience` epochs without improvement', async () => {
    const s = scripted([0.6, 0.7, 0.65, 0.69, 0.71, 0.7, 0.7, 0.7, 0.9]);
    const r = await runEpochLoop({ maxEpochs: 100, patience: 3 }, s.hooks);
    expect(r.stoppedBy).toBe('patience');
    expect(r.bestEpoch).toBe(4);
    expect(r.bestValid).toBe(0.71);
    expect(r.history.length).toBe(8);
    expect(s.best).toEqual([0, 1, 4]);
  });

  it('stops at maxEpochs', async () => {
    const r = await runEpochLoop({ maxEpochs: 2, patience: 5 }, scripted([0.5, 0.6, 0.7]).hooks);
    expect(r.stoppedBy).toBe('maxEpochs');
    expect(r.history.length).toBe(2);
  });

  it('stops on a non-finite loss before validating that epoch, keeping the earlier best', async () => {
    const s = scripted([0.6, 0.7, 0.99], [0.5, 0.4, Number.NaN]);
    const r = await runEpochLoop({ maxEpochs: 10, patience: 5 }, s.hooks);
    expect(r.stoppedBy).toBe('nonFiniteLoss');
    expect(r.bestEpoch).toBe(1);
    expect(r.message).toMatch(/NaN in epoch 2/);
    expect(s.best).toEqual([0, 1]);
  });

  it('resumes from a saved state to the same result as an uninterrupted run', async () => {
    const valids = [0.6, 0.7, 0.65, 0.72, 0.7, 0.7, 0.7];
    const full = await runEpochLoop({ maxEpochs: 100, patience: 3 }, scripted(valids).hooks);
    const first = scripted(valids);
    await runEpochLoop({ maxEpochs: 3, patience: 3 }, first.hooks);
    const saved = JSON.parse(JSON.stringify(first.states[first.states.length - 1])) as LoopState;
    const resumed = await runEpochLoop({ maxEpochs: 100, patience: 3 }, scripted(valids).hooks, saved);
    expect(resumed.bestEpoch).toBe(full.bestEpoch);
    expect(resumed.history.map((h) => h.valid)).toEqual(full.history.map((h) => h.valid));
    expect(resumed.stoppedBy).toBe(full.stoppedBy);
  });

  it('rejects invalid settings', async () => {
    await expect(runEpochLoop({ maxEpochs: 0, patience: 1 }, scripted([]).hooks, FRESH_LOOP)).rejects.toThrow(/maxEpochs/);
  });
});
