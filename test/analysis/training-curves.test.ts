// Training curves from run folders: result.json's training history when finished, train/state.json
// while training, named rows in order; a folder without either is named in the error.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/core/io';
import { runTrainingHistory, trainingCurveRows } from '../../src/analysis/training-curves';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-curves-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const epoch = (e: number, loss: number, valid: number, improved: boolean) => ({ epoch: e, trainLoss: loss, valid, improved, seconds: 2 + e });

describe('training curves', () => {
  it('reads finished runs from result.json and running ones from train/state.json', () => {
    const done = path.join(root, 'done'), running = path.join(root, 'running'), empty = path.join(root, 'empty');
    writeJsonAtomic(path.join(done, 'result.json'), { training: { history: [epoch(0, 0.7, 0.6, true), epoch(1, 0.6, 0.58, false)] } });
    // a stale state.json next to a result.json is ignored
    writeJsonAtomic(path.join(done, 'train', 'state.json'), { history: [] });
    writeJsonAtomic(path.join(running, 'train', 'state.json'), { nextEpoch: 1, bestValid: null, history: [epoch(0, 0.9, 0.55, true)] });
    fs.mkdirSync(empty, { recursive: true });
    expect(runTrainingHistory(done)).toHaveLength(2);
    expect(trainingCurveRows([{ name: 'A', dir: done }, { name: 'B', dir: running }])).toEqual([
      { run: 'A', epoch: 0, trainLoss: 0.7, validAuc: 0.6, improved: true, seconds: 2 },
      { run: 'A', epoch: 1, trainLoss: 0.6, validAuc: 0.58, improved: false, seconds: 3 },
      { run: 'B', epoch: 0, trainLoss: 0.9, validAuc: 0.55, improved: true, seconds: 2 },
    ]);
    expect(() => runTrainingHistory(empty)).toThrow(/neither result\.json nor train\/state\.json/);
    writeJsonAtomic(path.join(empty, 'result.json'), { training: null });
    expect(() => runTrainingHistory(empty)).toThrow(/no per-epoch history/);
  });
});
