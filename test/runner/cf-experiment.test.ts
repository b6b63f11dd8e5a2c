// A CF run end to end on the tiny synthetic world: results carry config, seed, backend, versions and
// wall time; a run killed after an epoch resumes from its checkpoint to the same result as an unbroken run.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { makeCFExperiment, runCFExperiment } from '../../src/runner/cf-experiment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-cf-run-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const data = loadDataset('synthetic-tiny');
const exp = makeCFExperiment({ dataset: 'synthetic-tiny', model: 'mf', seed: 3, backend: 'wasm', train: { maxEpochs: 6, patience: 100, lr: 1e-2, batchSize: 256 }, modelOptions: { dEmb: 16 } });

describe('runCFExperiment', () => {
  it('writes config, checkpoints, scores and a result with provenance', async () => {
    const dir = path.join(tmp, 'full');
    const r = await runCFExperiment(exp, { outDir: dir, datasetOverride: data });
    for (const f of ['config.json', 'best.safetensors', 'last.safetensors', 'state.json', 'scores.json', 'result.json']) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8'));
    expect(saved.config.seed).toBe(3);
    expect(saved.resolved.train.lr).toBe(1e-2);
    expect(saved.meta.backend.name).toBe('wasm');
    expect(saved.meta.versions.tfjs).toMatch(/^\d+\.\d+\.\d+/);
    expect(saved.meta.wallSeconds).toBeGreaterThan(0);
    expect(saved.test.warmCold.cora.warm.n + saved.test.warmCold.cora.cold.n).toBe(data.splits.test.label.length);
    expect(r.training.epochsRun).toBe(6);
    expect(r.test.auc).toBeGreaterThan(0.5);
    const scores = JSON.parse(fs.readFileSync(path.join(dir, 'scores.json'), 'utf8'));
    expect(scores.test.logit).toHaveLength(data.splits.test.label.length);
  }, 60_000);

  it('resumes a killed run to the same result as an unbroken one', async () => {
    const full = JSON.parse(fs.readFileSync(path.join(tmp, 'full', 'result.json'), 'utf8'));
    const dir = path.join(tmp, 'killed');
    await expect(runCFExperiment(exp, {
      outDir: dir, datasetOverride: data,
      onProgress: (l) => { if (/epoch 2:/.test(l)) throw new Error('simulated kill'); },
    })).rejects.toThrow('simulated kill');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')).nextEpoch).toBe(3);
    const lines: string[] = [];
    const r = await runCFExperiment(exp, { outDir: dir, datasetOverride: data, onProgress: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/resuming mf seed 3 at epoch 3/);
    expect(r.training.bestEpoch).toBe(full.training.bestEpoch);
    expect(r.test.auc).toBeCloseTo(full.test.auc, 6);
    expect(r.valid.uauc).toBeCloseTo(full.valid.uauc, 6);
  }, 60_000);

  it('refuses to resume a folder that holds another experiment, and rejects unknown fields', async () => {
    const other = makeCFExperiment({ ...exp, seed: 4 });
    await expect(runCFExperiment(other, { outDir: path.join(tmp, 'full'), datasetOverride: data })).rejects.toThrow(/holds a different experiment/);
    expect(() => makeCFExperiment({ modell: 'mf' } as never)).toThrow(/unknown field "modell"/);
  });
});
