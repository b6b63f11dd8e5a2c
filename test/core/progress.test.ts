// Progress events: the CLI lines formatProgress writes (the exact text the commands printed before
// events existed), and progressFilter keeping every n-th epoch of one loop and none of another.
import { describe, expect, it } from 'vitest';
import { emitProgress, formatProgress, noteLogger, progressFilter, type ProgressEvent } from '../../src/core/progress';

const cfEpoch = (epoch: number): ProgressEvent => ({
  kind: 'epoch', loop: 'cf', run: 'mf', seed: 0, epoch, trainLoss: 0.51234, validAuc: 0.70119, improved: true, seconds: 1.23,
  best: { validAuc: 0.70119, epoch, badEpochs: 0, patience: 10 },
});
const recEpoch = (epoch: number): ProgressEvent => ({ kind: 'epoch', loop: 'rec', run: 'CoRA', epoch, trainLoss: 0.6931, validAuc: 0.5, improved: false, seconds: 12.4 });

describe('formatProgress', () => {
  it('writes the CF, LLM-recommender and note lines', () => {
    expect(formatProgress(cfEpoch(3))).toBe('mf seed 0 epoch 3: loss 0.5123 valid AUC 0.7012 * (1.2 s; best 0.7012 @ 3, 0/10)');
    expect(formatProgress(recEpoch(1))).toBe('CoRA epoch 1: loss 0.6931 valid AUC 0.5000 (12 s)');
    expect(formatProgress({ kind: 'note', text: 'hello' })).toBe('hello');
  });

  it('hands line and event to the callback; the note logger wraps text in note events', () => {
    const got: [string, ProgressEvent][] = [];
    emitProgress((l, e) => got.push([l, e]), recEpoch(0));
    noteLogger((l, e) => got.push([l, e]))('resuming');
    expect(got).toEqual([['CoRA epoch 0: loss 0.6931 valid AUC 0.5000 (12 s)', recEpoch(0)], ['resuming', { kind: 'note', text: 'resuming' }]]);
    expect(() => emitProgress(undefined, recEpoch(0))).not.toThrow();
  });
});

describe('progressFilter', () => {
  it('keeps every n-th epoch of CF runs, no LLM epochs, and all notes', () => {
    const out: string[] = [];
    const cb = progressFilter((l) => out.push(l), { cfEpochs: 5, recEpochs: 0 });
    for (let e = 0; e < 12; e++) emitProgress(cb, cfEpoch(e));
    emitProgress(cb, recEpoch(0));
    emitProgress(cb, { kind: 'note', text: 'done' });
    expect(out.map((l) => /epoch (\d+):/.exec(l)?.[1] ?? l)).toEqual(['0', '5', '10', 'done']);
  });

  it('rejects a negative or fractional step', () => {
    expect(() => progressFilter(() => undefined, { cfEpochs: -1 })).toThrow(/cfEpochs must be an integer >= 0 \(got -1\)/);
    expect(() => progressFilter(() => undefined, { recEpochs: 1.5 })).toThrow(/recEpochs/);
  });
});
