// A CF run end to end on the tiny synthetic world: results carry config, seed, backend, versions and
// provenance (commit and code hash at start, dataset hash); a run killed after an epoch resumes from its
// checkpoint to the same result as an unbroken run, with wall time summed over both processes; a
// finished run is returned as it is unless started fresh.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetHash } from '../../src/core/content-hash';
import { datasetContentOf } from '../../src/data/dataset-files';
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
    expect(saved.meta.gitCommit === null || /^[0-9a-f]{40}$/.test(saved.meta.gitCommit)).toBe(true);
    expect(saved.meta.codeHash).toMatch(/^[0-9a-f]{64}$/); // equality with codeHash() now would race with edits to src/
    expect(saved.meta.datasetHash).toBe(datasetHash(datasetContentOf(data)));
    expect(saved.meta.processes).toHaveLength(1);
    expect(saved.meta.backend.matmulPath).toEqual(expect.any(String));
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
    // both processes' wall time counts: the killed one up to its last checkpoint
    expect(r.meta.processes.map((p) => p.finished)).toEqual([false, true]);
    expect(r.meta.processes[0]!.wallSeconds).toBeGreaterThan(0);
    expect(r.meta.wallSeconds).toBeCloseTo(r.meta.processes[0]!.wallSeconds + r.meta.processes[1]!.wallSeconds, 9);
    expect(r.meta.startedAt).toBe(r.meta.processes[0]!.startedAt);
    expect(r.meta.datasetHash).toBe(full.meta.datasetHash);
  }, 60_000);

  it('returns a finished run\'s result without training or rewriting it; resume=false trains it again', async () => {
    const dir = path.join(tmp, 'full');
    const file = path.join(dir, 'result.json');
    const before = fs.readFileSync(file, 'utf8');
    const mtime = fs.statSync(file).mtimeMs;
    const lines: string[] = [];
    const again = await runCFExperiment(exp, { outDir: dir, datasetOverride: data, onProgress: (l) => lines.push(l) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/already finished in .*full; returning its result.json unchanged/);
    expect(again).toEqual(JSON.parse(before));
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    const fresh = await runCFExperiment(exp, { outDir: dir, datasetOverride: data, resume: false });
    expect(fresh.meta.processes).toHaveLength(1);
    expect(fresh.meta.startedAt).not.toBe(JSON.parse(before).meta.startedAt);
    expect(fresh.test.auc).toBeCloseTo(JSON.parse(before).test.auc, 6);
  }, 60_000);

  it('refuses to resume a folder that holds another experiment, and rejects unknown fields', async () => {
    const other = makeCFExperiment({ ...exp, seed: 4 });
    await expect(runCFExperiment(other, { outDir: path.join(tmp, 'full'), datasetOverride: data })).rejects.toThrow(/holds a different experiment/);
    expect(() => makeCFExperiment({ modell: 'mf' } as never)).toThrow(/unknown field "modell"/);
  });
});
