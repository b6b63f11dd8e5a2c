// Where the kit lives and where its data is: the project root (for results/, models/) and the data
// folder, resolved as: an explicit option, then $CFLLM_DATA_DIR, then <root>/data, then ../shared/data.
// Reference: README "Real data".
import * as fs from 'fs';
import * as path from 'path';
import { readEnv } from './env';

/** The repository root: the nearest folder above this file that holds package.json. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`projectRoot: no package.json above ${__dirname}`);
    dir = up;
  }
}

/** A path from a saved config: as is when absolute or present from the working folder, else under the project root. */
export function projectPath(p: string): string {
  return path.isAbsolute(p) || fs.existsSync(p) ? path.resolve(p) : path.join(projectRoot(), p);
}

/** A path to store in a config: relative to the project root when inside it, else absolute. */
export function storedPath(p: string): string {
  const rel = path.relative(projectRoot(), path.resolve(p));
  return rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(p) : rel;
}

/** A path for messages and notebook outputs: relative to the project root (with ../ outside it), never a machine's absolute path. */
export function shownPath(p: string): string {
  return path.relative(projectRoot(), path.resolve(p)) || '.';
}

/** Options for data resolution. */
export interface DataDirOptions {
  /** An explicit data folder; wins over everything else (default: $CFLLM_DATA_DIR, data/, ../shared/data). */
  readonly dataDir?: string | undefined;
}

/** The candidate data folders in order, each with where it came from. */
export function dataDirCandidates(opts: DataDirOptions = {}): { dir: string; from: string }[] {
  const out: { dir: string; from: string }[] = [];
  if (opts.dataDir) out.push({ dir: path.resolve(opts.dataDir), from: 'option dataDir' });
  const env = readEnv('CFLLM_DATA_DIR');
  if (env) out.push({ dir: env, from: '$CFLLM_DATA_DIR' });
  const root = projectRoot();
  out.push({ dir: path.join(root, 'data'), from: 'data/' });
  out.push({ dir: path.resolve(root, '..', 'shared', 'data'), from: '../shared/data' });
  return out;
}

/**
 * The folder of one dataset: the first candidate data folder that holds `name`/ (an explicit option
 * or $CFLLM_DATA_DIR that lacks it is an error, not skipped). Throws a message listing where it looked.
 */
export function resolveDatasetDir(name: string, opts: DataDirOptions = {}): string {
  const tried: string[] = [];
  for (const c of dataDirCandidates(opts)) {
    const d = path.join(c.dir, name);
    if (fs.existsSync(d) && fs.statSync(d).isDirectory()) return d;
    tried.push(`${d} (${c.from})`);
    if (c.from !== 'data/' && c.from !== '../shared/data') {
      throw new Error(`dataset "${name}" not found: ${d} does not exist (from ${c.from})`);
    }
  }
  throw new Error(`dataset "${name}" not found; looked in:\n  ${tried.join('\n  ')}\n` +
    'Point the kit at your data with --data-dir or $CFLLM_DATA_DIR (see README, "Real data").');
}

/** Name of the language model the kit ships (models/<name>/), the default of every LLM command. */
export const DEFAULT_MODEL_NAME = 'kit-lm';

/** The model folder to use: an explicit one, else $CFLLM_MODEL_DIR, else the shipped models/kit-lm. */
export function resolveModelDir(explicit?: string): string {
  const fromEnv = readEnv('CFLLM_MODEL_DIR');
  const dir = explicit ?? fromEnv ?? path.join(projectRoot(), 'models', DEFAULT_MODEL_NAME);
  if (!fs.existsSync(path.join(dir, 'config.json'))) {
    throw new Error(`model folder ${dir} has no config.json` + (explicit || fromEnv ? '' : ' (the shipped model is written by `npm run pretrain-lm`)'));
  }
  return dir;
}
