// What every result file carries besides its numbers: config, seed, backend, versions, host, git
// commit and wall time, so any figure can be traced to the exact run that made it.
// Reference: the kit's definition of done ("every result carries its config, seed, backend, versions, wall time").
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from './types';

/** Provenance block stored in every result. */
export interface RunMeta {
  /** ISO time the run started. */
  readonly startedAt: string;
  /** Wall time of the run in seconds. */
  readonly wallSeconds: number;
  /** Seed of the run. */
  readonly seed: number;
  /** Backend that computed it. */
  readonly backend: BackendInfo;
  /** Versions of node, tfjs and the kit. */
  readonly versions: { readonly node: string; readonly tfjs: string; readonly kit: string };
  /** git commit of the kit (with "-dirty" when the tree has changes), or null outside a checkout. */
  readonly gitCommit: string | null;
  /** CPU model and count. */
  readonly host: { readonly cpu: string; readonly cores: number; readonly platform: string };
}

function kitVersion(root: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function gitCommit(root: string): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}

/** Start timing a run; call finish() when it ends to get the RunMeta. */
export function startRun(seed: number, backend: BackendInfo, projectRoot: string): { finish: () => RunMeta } {
  const startedAt = new Date();
  const t0 = performance.now();
  return {
    finish: () => ({
      startedAt: startedAt.toISOString(),
      wallSeconds: (performance.now() - t0) / 1000,
      seed,
      backend,
      versions: { node: process.version, tfjs: tf.version.tfjs, kit: kitVersion(projectRoot) },
      gitCommit: gitCommit(projectRoot),
      host: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, platform: `${os.platform()}-${os.arch()}` },
    }),
  };
}
