// Run provenance: git commit, dirty flag and code hash are read at start (a commit made while the run
// trains is not credited to it; a process that runs several experiments credits each with the code it
// started with), wall time is summed over a killed and a resumed process through the
// run folder's provenance.json, a fresh start forgets earlier processes, and the legacy call still works.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { forgetCodeState, pinCodeState, processCodeState } from '../../src/core/code-state';
import { codeHash } from '../../src/core/content-hash';
import { gitState } from '../../src/core/git-info';
import { projectRoot } from '../../src/core/paths';
import { checkpointOnEpochs, finishedResult, PROVENANCE_FILE, provenanceSummary, startRun } from '../../src/core/run-meta';
import type { BackendInfo } from '../../src/core/types';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-run-meta-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const backend: BackendInfo = { name: 'cpu', matmulPath: 'tfjs-cpu', kernelPatches: [], tfjsVersion: '4.22.0', skipped: [] };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).toString().trim();
}

function makeRepo(name: string): string {
  const root = path.join(tmp, name);
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{"version": "9.9.9"}\n');
  fs.writeFileSync(path.join(root, 'package-lock.json'), '{}\n');
  fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  git(root, 'init', '-q');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'first');
  return root;
}

/** A clock the test moves by hand: milliseconds. */
function clock(): { now: () => number; advance: (s: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (s) => { t += s * 1000; } };
}

describe('startRun', () => {
  it('records the commit, dirty flag and code hash at start even if HEAD moves during the run', () => {
    const root = makeRepo('repo-moves');
    const first = git(root, 'rev-parse', 'HEAD');
    const hashAtStart = codeHash(root);
    const run = startRun({ seed: 1, backend, projectRoot: root, hashCacheFile: null });
    expect(run.meta.gitCommit).toBe(first);
    // while the run trains, someone edits the code and commits
    fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 2;\n');
    git(root, 'commit', '-q', '-am', 'second');
    expect(git(root, 'rev-parse', 'HEAD')).not.toBe(first);
    const meta = run.finish();
    expect(meta.gitCommit).toBe(first);
    expect(meta.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(meta.gitDirty).toBe(false);
    expect(meta.codeHash).toBe(hashAtStart);
    expect(meta.codeHash).not.toBe(codeHash(root));
    expect(meta.versions.kit).toBe('9.9.9');
    expect(meta.seed).toBe(1);
  });

  it('gives every run a process starts the code state the process started with, not later edits on disk', () => {
    const root = makeRepo('repo-long-process');
    const first = git(root, 'rev-parse', 'HEAD'), hashAtStart = codeHash(root);
    pinCodeState(root);
    // the process runs its first experiment; meanwhile someone edits the code (uncommitted), then commits
    fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 5;\n');
    const second = startRun({ seed: 0, backend, projectRoot: root, hashCacheFile: null }).finish();
    git(root, 'commit', '-q', '-am', 'later');
    const third = startRun({ seed: 1, backend, projectRoot: root, hashCacheFile: null }).finish();
    for (const m of [second, third]) expect(m).toMatchObject({ gitCommit: first, gitDirty: false, codeHash: hashAtStart });
    expect(processCodeState(path.join(root, '.')).code).toBe(hashAtStart);
    expect(codeHash(root)).not.toBe(hashAtStart);
  });

  it('flags code paths with uncommitted changes (tracked or new) as dirty, and nothing else', () => {
    const root = makeRepo('repo-dirty');
    fs.writeFileSync(path.join(root, 'notes.md'), 'not code\n');
    expect(gitState(root).dirty).toBe(false);
    fs.writeFileSync(path.join(root, 'src', 'new.ts'), 'export {};\n');
    expect(gitState(root).dirty).toBe(true);
    fs.rmSync(path.join(root, 'src', 'new.ts'));
    fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 3;\n');
    expect(startRun({ seed: 0, backend, projectRoot: root, hashCacheFile: null }).finish().gitDirty).toBe(true);
    expect(gitState(tmp)).toEqual({ commit: null, dirty: null });
  });

  it('sums wall time over a killed process and its resume, through the run folder', () => {
    const root = makeRepo('repo-resume');
    const runDir = path.join(tmp, 'run-resume');
    const c = clock();
    // process 1: checkpoints after 10 s and 25 s, then is killed at 31 s (no finish)
    const p1 = startRun({ seed: 2, backend, projectRoot: root, runDir, hashCacheFile: null, now: c.now });
    c.advance(10);
    p1.checkpoint();
    c.advance(15);
    p1.checkpoint();
    c.advance(6);
    const saved = JSON.parse(fs.readFileSync(path.join(runDir, PROVENANCE_FILE), 'utf8'));
    expect(saved.processes).toHaveLength(1);
    expect(saved.processes[0].wallSeconds).toBe(25);
    // process 2 resumes, runs 40 s and finishes
    const p2 = startRun({ seed: 2, backend, projectRoot: root, runDir, hashCacheFile: null, now: c.now });
    expect(p2.meta.wallSeconds).toBe(25);
    c.advance(40);
    const meta = p2.finish();
    expect(meta.wallSeconds).toBe(25 + 40);
    expect(meta.processes.map((p) => [p.wallSeconds, p.finished])).toEqual([[25, false], [40, true]]);
    expect(meta.startedAt).toBe(meta.processes[0]!.startedAt);
    expect(meta.codeConsistent).toBe(true);
    // a fresh start forgets the earlier processes
    const p3 = startRun({ seed: 2, backend, projectRoot: root, runDir, resume: false, hashCacheFile: null, now: c.now });
    c.advance(7);
    expect(p3.finish().wallSeconds).toBe(7);
  });

  it('keeps the first process\'s commit and marks code that changed between processes', () => {
    const root = makeRepo('repo-resume-edit');
    const runDir = path.join(tmp, 'run-resume-edit');
    const first = git(root, 'rev-parse', 'HEAD');
    startRun({ seed: 0, backend, projectRoot: root, runDir, hashCacheFile: null }).checkpoint();
    fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 5;\n');
    git(root, 'commit', '-q', '-am', 'between');
    forgetCodeState(root); // the resume is a new process
    const meta = startRun({ seed: 0, backend, projectRoot: root, runDir, hashCacheFile: null }).finish();
    expect(meta.gitCommit).toBe(first);
    expect(meta.processes[1]!.gitCommit).not.toBe(first);
    expect(meta.codeConsistent).toBe(false);
  });

  it('hashes the dataset and the LLM folder when given', () => {
    const root = makeRepo('repo-hashes');
    const model = path.join(tmp, 'model');
    fs.mkdirSync(model);
    fs.writeFileSync(path.join(model, 'config.json'), '{}');
    fs.writeFileSync(path.join(model, 'model.safetensors'), 'w');
    const gen = { kind: 'generated' as const, generator: 'g', config: { seed: 1 } };
    const m = startRun({ seed: 0, backend, projectRoot: root, dataset: gen, llmDir: model, hashCacheFile: null }).finish();
    expect(m.datasetHash).toMatch(/^[0-9a-f]{64}$/);
    expect(m.llmHash).toMatch(/^[0-9a-f]{64}$/);
    expect(startRun({ seed: 0, backend, projectRoot: root, dataset: gen, hashCacheFile: null }).meta.datasetHash).toBe(m.datasetHash);
    expect(provenanceSummary(m)).toEqual({
      gitCommit: m.gitCommit, gitDirty: false, codeHash: m.codeHash, backend: 'cpu', matmulPath: 'tfjs-cpu',
      versions: m.versions, datasetHash: m.datasetHash, llmHash: m.llmHash,
    });
  });

  it('summarises results written before these fields existed, splitting their "-dirty" stamps', () => {
    const old = { wallSeconds: 5, seed: 0, backend, versions: { node: 'v20', tfjs: '4.22.0', kit: '0.1.0' }, gitCommit: 'abc123def456-dirty' };
    expect(provenanceSummary(old as never)).toEqual({
      gitCommit: 'abc123def456', gitDirty: true, codeHash: null, backend: 'cpu', matmulPath: 'tfjs-cpu', versions: old.versions, datasetHash: null, llmHash: null,
    });
  });

  it('keeps the legacy (seed, backend, root) call working, without hashes of data or model', () => {
    const meta = startRun(3, backend, projectRoot()).finish();
    expect(meta.seed).toBe(3);
    expect(meta.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.datasetHash).toBeNull();
    expect(meta.llmHash).toBeNull();
    expect(meta.wallSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe('checkpointOnEpochs', () => {
  it('checkpoints on epoch events only and forwards every event', () => {
    let n = 0;
    const seen: string[] = [];
    const cb = checkpointOnEpochs({ checkpoint: () => { n++; } }, (line) => seen.push(line));
    cb('note', { kind: 'note', text: 'note' });
    cb('epoch 0', { kind: 'epoch', loop: 'rec', run: 'CoRA', epoch: 0, trainLoss: 0.6, validAuc: 0.6, improved: true, seconds: 1 });
    expect(n).toBe(1);
    expect(seen).toEqual(['note', 'epoch 0']);
  });
});

describe('finishedResult', () => {
  it('returns result.json when present, else null', () => {
    const dir = path.join(tmp, 'finished');
    expect(finishedResult(dir)).toBeNull();
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'result.json'), '{"kind": "cf-run"}');
    expect(finishedResult<{ kind: string }>(dir)).toEqual({ kind: 'cf-run' });
  });
});
