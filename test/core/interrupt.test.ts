// Interrupting a training loop: a pending interrupt (what Kernel > Interrupt's SIGINT sets in a tslab
// kernel) stops a CF run at its next step with a message saying how to resume, the run folder keeps the
// last finished epoch, and running it again resumes to the same result as an unbroken run.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { clearInterrupt, interruptPending, requestInterrupt, stopIfInterrupted, TrainingInterrupted, watchInterrupts } from '../../src/core/interrupt';
import { runEpochLoop, type EpochRecord } from '../../src/core/train';
import { loadDataset } from '../../src/data/load';
import { makeCFExperiment, runCFExperiment } from '../../src/runner/cf-experiment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-interrupt-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => clearInterrupt());

describe('stopIfInterrupted', () => {
  it('passes without an interrupt, throws once when one is pending, then passes again', async () => {
    await expect(stopIfInterrupted(0, () => 'x')).resolves.toBeUndefined();
    requestInterrupt();
    expect(interruptPending()).toBe(true);
    await expect(stopIfInterrupted(7, () => 'stopped at 7')).rejects.toMatchObject({ name: 'TrainingInterrupted', step: 7, message: 'stopped at 7' });
    expect(interruptPending()).toBe(false);
    await expect(stopIfInterrupted(8, () => 'x')).resolves.toBeUndefined();
  });

  it('turns a SIGINT event into a pending interrupt once watching', async () => {
    expect(watchInterrupts(true)).toBe(true);
    process.emit('SIGINT');
    await expect(stopIfInterrupted(3, () => 'by signal')).rejects.toThrow('by signal');
  });
});

describe('runEpochLoop under an interrupt', () => {
  it('stops at the next step and says where the run resumes', async () => {
    const ended: EpochRecord[] = [];
    let steps = 0;
    const loop = runEpochLoop({ maxEpochs: 5, patience: 5 }, {
      trainEpoch: async (epoch) => {
        for (let it = 0; it < 4; it++) {
          const step = epoch * 4 + it;
          await stopIfInterrupted(step, () => `interrupted at step ${step}`);
          steps++;
          if (step === 5) requestInterrupt();
        }
        return 1;
      },
      validate: async (epoch) => epoch,
      onBest: async () => undefined,
      onEpochEnd: async (_s, rec) => { ended.push(rec); },
    });
    const err = await loop.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingInterrupted);
    expect((err as TrainingInterrupted).step).toBe(6);
    expect((err as Error).message).toBe('interrupted at step 6; run it again to resume (the run resumes after epoch 0, its last checkpoint)');
    expect(steps).toBe(6);
    expect(ended.map((r) => r.epoch)).toEqual([0]);
  });
});

describe('announceInterrupt', () => {
  it('in a kernel writes the last message of a turn to stderr once (tslab puts it under the interrupted cell)', async () => {
    watchInterrupts(true);
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => { written.push(s); return true; }) as typeof process.stderr.write;
    try {
      const loop = runEpochLoop({ maxEpochs: 2, patience: 2 }, {
        trainEpoch: async () => { requestInterrupt(); await stopIfInterrupted(0, () => 'interrupted at step 0'); return 1; },
        validate: async () => 0, onBest: async () => undefined, onEpochEnd: async () => undefined,
      });
      await expect(loop).rejects.toThrow(TrainingInterrupted);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.stderr.write = write;
    }
    expect(written).toEqual(['interrupted at step 0; run it again to resume (no epoch had finished, so it starts over)\n']);
  });
});

describe('an interrupted CF run', () => {
  const data = loadDataset('synthetic-tiny');
  const exp = makeCFExperiment({ dataset: 'synthetic-tiny', model: 'mf', seed: 5, backend: 'wasm', train: { maxEpochs: 4, patience: 100, lr: 1e-2, batchSize: 256 }, modelOptions: { dEmb: 8 } });

  it('keeps its last finished epoch and resumes to the unbroken result', async () => {
    const full = await runCFExperiment(exp, { outDir: path.join(tmp, 'full'), datasetOverride: data });
    const dir = path.join(tmp, 'interrupted');
    const first = runCFExperiment(exp, { outDir: dir, datasetOverride: data, onProgress: (_l, e) => { if (e.kind === 'epoch' && e.epoch === 1) requestInterrupt(); } });
    await expect(first).rejects.toThrow(/^interrupted at step \d+ \(training batch 1\); run it again to resume \(the run resumes after epoch 1, its last checkpoint\)$/);
    expect(fs.existsSync(path.join(dir, 'result.json'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')).nextEpoch).toBe(2);
    const lines: string[] = [];
    const again = await runCFExperiment(exp, { outDir: dir, datasetOverride: data, onProgress: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/resuming mf seed 5 at epoch 2/);
    expect(again.training.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3]);
    expect(again.test.auc).toBeCloseTo(full.test.auc!, 6);
  }, 60_000);
});
