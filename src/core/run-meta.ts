// What every result file carries besides its numbers: seed, backend and matmul path, versions, host,
// the git commit, dirty flag and code hash read AT START, content hashes of the dataset and the LLM,
// and wall time summed over every process of a resumed run (kept in the run folder's provenance.json).
// Reference: docs/methods.md §12 (provenance of results).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { processCodeState } from './code-state';
import { datasetHash, defaultHashCacheFile, llmHash, type DatasetContent } from './content-hash';
import { readJson, writeJsonAtomic } from './io';
import type { ProgressCallback } from './progress';
import type { BackendInfo } from './types';

/** One process's share of a run (a run killed and resumed has several). */
export interface ProcessRecord {
  /** ISO time the process started the run. */
  readonly startedAt: string;
  /** Wall seconds of this process, up to its last checkpoint (or its finish). */
  readonly wallSeconds: number;
  /** git commit of HEAD when the process started; null outside a checkout. */
  readonly gitCommit: string | null;
  /** Uncommitted changes in src/, native/ or package-lock.json when the process started. */
  readonly gitDirty: boolean | null;
  /** codeHash when the process started. */
  readonly codeHash: string;
  /** True once the process reached finish(). */
  readonly finished: boolean;
}

/** Provenance block stored in every result. */
export interface RunMeta {
  /** ISO time the run's first process started. */
  readonly startedAt: string;
  /** Wall time in seconds summed over all processes of the run (a killed process counts up to its last checkpoint). */
  readonly wallSeconds: number;
  /** Seed of the run. */
  readonly seed: number;
  /** Backend that computed it (name, matmulPath, kernel patches). */
  readonly backend: BackendInfo;
  /** Versions of node, tfjs and the kit. */
  readonly versions: { readonly node: string; readonly tfjs: string; readonly kit: string };
  /** Full git commit of HEAD when the run started (first process), or null outside a checkout. */
  readonly gitCommit: string | null;
  /** Uncommitted changes in the code paths when any process of the run started; null outside a checkout. */
  readonly gitDirty: boolean | null;
  /** sha256 over src/, native/ sources and package-lock.json when the run started (content-hash.ts). */
  readonly codeHash: string;
  /** Whether every process of the run started with the same codeHash. */
  readonly codeConsistent: boolean;
  /** Content hash of the dataset files or generator config; null when not given. */
  readonly datasetHash: string | null;
  /** Content hash of the LLM folder (config, tokenizer, weights); null for runs without an LLM. */
  readonly llmHash: string | null;
  /** Every process of the run, oldest first. */
  readonly processes: readonly ProcessRecord[];
  /** CPU model and count. */
  readonly host: { readonly cpu: string; readonly cores: number; readonly platform: string };
}

/** The `meta` block of a results table's run: flat provenance fields of a RunMeta (null where an older result lacks one). */
export interface ProvenanceSummary {
  readonly gitCommit: string | null;
  readonly gitDirty: boolean | null;
  readonly codeHash: string | null;
  readonly backend: string;
  readonly matmulPath: string;
  readonly versions: RunMeta['versions'];
  readonly datasetHash: string | null;
  readonly llmHash: string | null;
}

/** Options of `startRun`. */
export interface StartRunOptions {
  /** Seed of the run. */
  readonly seed: number;
  /** Backend from initBackend. */
  readonly backend: BackendInfo;
  /** The kit's root (git checkout, src/, package.json). */
  readonly projectRoot: string;
  /** Run folder: provenance.json there keeps the processes and their wall time across resumes; null = not kept. */
  readonly runDir?: string | null;
  /** Continue the folder's process list (default true); false starts the record over (a fresh run). */
  readonly resume?: boolean;
  /** What the dataset is made of (data/dataset-files.ts: datasetFiles / datasetContentOf); null = no datasetHash. */
  readonly dataset?: DatasetContent | null;
  /** LLM folder whose config, tokenizer and weights are hashed; null = no LLM. */
  readonly llmDir?: string | null;
  /** Cache of file hashes (default <project>/.cache/file-hashes.json); null = no cache. */
  readonly hashCacheFile?: string | null;
  /** Clock in milliseconds (default performance.now); tests inject one. */
  readonly now?: () => number;
}

/** A started run: what is known at start, a checkpoint hook and finish(). */
export interface RunHandle {
  /** Provenance as of the start (wallSeconds = earlier processes only). */
  readonly meta: RunMeta;
  /** Store this process's wall time so far in the run folder (call where the run writes its resume point). */
  checkpoint(): void;
  /** Final provenance: wall time of all processes including this one; stores it in the run folder. */
  finish(): RunMeta;
}

/** Name of the provenance file in a run folder. */
export const PROVENANCE_FILE = 'provenance.json';

function kitVersion(root: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function readProcesses(runDir: string): ProcessRecord[] {
  const f = path.join(runDir, PROVENANCE_FILE);
  if (!fs.existsSync(f)) return [];
  const saved = readJson<{ processes?: ProcessRecord[] }>(f);
  if (!Array.isArray(saved.processes)) throw new Error(`${f}: no "processes" list; delete the file or start the run fresh`);
  return saved.processes;
}

/**
 * Start a run's provenance: reads git state and hashes code, dataset and LLM now (so a commit made
 * while the run trains is not credited to it) and appends this process to the run folder's record.
 */
export function startRun(opts: StartRunOptions): RunHandle;
/** Legacy form: no run folder, dataset or LLM hash. */
export function startRun(seed: number, backend: BackendInfo, projectRoot: string): RunHandle;
export function startRun(a: StartRunOptions | number, backend?: BackendInfo, root?: string): RunHandle {
  const o: StartRunOptions = typeof a === 'number' ? { seed: a, backend: backend!, projectRoot: root! } : a;
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const cacheFile = o.hashCacheFile === undefined ? defaultHashCacheFile() : o.hashCacheFile;
  const { git, code } = processCodeState(o.projectRoot);
  const startedAt = new Date().toISOString();
  const fixed = {
    seed: o.seed,
    backend: o.backend,
    versions: { node: process.version, tfjs: tf.version.tfjs, kit: kitVersion(o.projectRoot) },
    datasetHash: o.dataset ? datasetHash(o.dataset, cacheFile) : null,
    llmHash: o.llmDir ? llmHash(o.llmDir, cacheFile) : null,
    host: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, platform: `${os.platform()}-${os.arch()}` },
  };
  const runDir = o.runDir ?? null;
  const earlier = runDir && o.resume !== false ? readProcesses(runDir) : [];
  const mine = (finished: boolean): ProcessRecord => ({
    startedAt, wallSeconds: (now() - t0) / 1000, gitCommit: git.commit, gitDirty: git.dirty, codeHash: code, finished,
  });
  const build = (current: ProcessRecord): RunMeta => {
    const processes = [...earlier, current];
    const first = processes[0]!;
    return {
      startedAt: first.startedAt,
      wallSeconds: processes.reduce((s, p) => s + p.wallSeconds, 0),
      ...fixed,
      gitCommit: first.gitCommit,
      gitDirty: processes.some((p) => p.gitDirty === true) ? true : first.gitDirty,
      codeHash: first.codeHash,
      codeConsistent: processes.every((p) => p.codeHash === first.codeHash),
      processes,
    };
  };
  const store = (meta: RunMeta): void => {
    if (runDir) writeJsonAtomic(path.join(runDir, PROVENANCE_FILE), { note: 'processes of this run (wall time kept across resumes)', processes: meta.processes });
  };
  const atStart = build({ ...mine(false), wallSeconds: 0 });
  store(atStart);
  return {
    meta: atStart,
    checkpoint: () => store(build(mine(false))),
    finish: () => {
      const meta = build(mine(true));
      store(meta);
      return meta;
    },
  };
}

/**
 * A progress callback that stores the run's wall time (run.checkpoint()) at every epoch event, which
 * the training loops emit right after writing their resume point, then forwards the event to `cb`.
 */
export function checkpointOnEpochs(run: Pick<RunHandle, 'checkpoint'>, cb?: ProgressCallback): ProgressCallback {
  return (line, e) => {
    if (e.kind === 'epoch') run.checkpoint();
    cb?.(line, e);
  };
}

/**
 * The flat provenance block of a results table from a run's RunMeta; results written before these
 * fields existed give null for them, and their "<commit>-dirty" stamps are split into commit + flag.
 */
export function provenanceSummary(meta: RunMeta): ProvenanceSummary {
  const m = meta as Partial<RunMeta> & Pick<RunMeta, 'backend' | 'versions'>;
  const legacyDirty = typeof m.gitCommit === 'string' && m.gitCommit.endsWith('-dirty');
  return {
    gitCommit: legacyDirty ? m.gitCommit!.slice(0, -'-dirty'.length) : m.gitCommit ?? null,
    gitDirty: m.gitDirty ?? (legacyDirty ? true : null),
    codeHash: m.codeHash ?? null, backend: m.backend.name, matmulPath: m.backend.matmulPath, versions: m.versions,
    datasetHash: m.datasetHash ?? null, llmHash: m.llmHash ?? null,
  };
}

/**
 * The result of a finished run (its result.json) or null when there is none; a finished run is
 * returned as it is rather than trained again, unless the caller starts it fresh.
 */
export function finishedResult<T>(runDir: string, file = 'result.json'): T | null {
  const f = path.join(runDir, file);
  return fs.existsSync(f) ? readJson<T>(f) : null;
}
