// Where commands may write: input folders (data, corpora, downloaded models, runs read by another run)
// are read-only to the kit; cards, caches and runs go to the kit's own output folders. Checked before
// any work. Reference: docs/validation.md §2.
import * as fs from 'fs';
import * as path from 'path';
import { readEnv } from '../core/env';
import { dataDirCandidates, DEFAULT_MODEL_NAME, projectPath, projectRoot } from '../core/paths';

/** An input folder a command reads, with the flag (or variable) that named it. */
export interface InputFolder {
  readonly flag: string;
  readonly dir: string;
}

/** True when `inner` is `outer` or lies inside it (after resolving both, symlinks included where they exist). */
export function isInside(inner: string, outer: string): boolean {
  const real = (p: string): string => {
    // resolve the longest existing prefix, so a folder that does not exist yet still compares correctly
    const abs = path.resolve(p);
    let head = abs, tail = '';
    while (!fs.existsSync(head)) {
      const up = path.dirname(head);
      if (up === head) return abs;
      tail = path.join(path.basename(head), tail);
      head = up;
    }
    return path.join(fs.realpathSync(head), tail);
  };
  const rel = path.relative(real(outer), real(inner));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Throws unless `outDir` (named by `outFlag`) is a folder (or absent) outside every input folder. */
export function assertOutsideInputs(outFlag: string, outDir: string, inputs: readonly InputFolder[]): void {
  assertFolderOrAbsent(outFlag, outDir);
  for (const i of inputs) {
    if (isInside(outDir, i.dir)) {
      throw new Error(`${outFlag} ${outDir} is inside ${i.dir} (${i.flag}): input folders are read-only to the kit; ` +
        `choose an output folder outside it (e.g. under results/)`);
    }
  }
}

/** Throws unless `p` is absent or a folder (a file there would make every later write fail). */
export function assertFolderOrAbsent(flag: string, p: string): void {
  if (fs.existsSync(p) && !fs.statSync(p).isDirectory()) throw new Error(`${flag} ${p} is a file; give a folder`);
}

/** The `source` of a model.safetensors header's __metadata__, read without loading the tensors; null when absent. */
function weightsSource(dir: string): string | null {
  const file = path.join(dir, 'model.safetensors');
  if (!fs.existsSync(file)) return null;
  const fd = fs.openSync(file, 'r');
  try {
    const len = Buffer.alloc(8);
    if (fs.readSync(fd, len, 0, 8, 0) < 8) return null;
    const n = Number(len.readBigUInt64LE(0));
    if (n > 1 << 24) return null;
    const head = Buffer.alloc(n);
    fs.readSync(fd, head, 0, n, 8);
    const meta = (JSON.parse(head.toString('utf8')) as { __metadata__?: { source?: unknown } }).__metadata__;
    return typeof meta?.source === 'string' ? meta.source : null;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * True for a model folder the kit wrote itself: under <root>/models/ with the training.json of
 * `npm run pretrain-lm`, or weights whose metadata says cf-llm-kit wrote them (pretrain-lm, adapt-lm).
 */
export function isKitModel(dir: string, root: string): boolean {
  if (!isInside(dir, path.join(root, 'models'))) return false;
  return fs.existsSync(path.join(dir, 'training.json')) || (weightsSource(dir) ?? '').startsWith('cf-llm-kit');
}

/**
 * The folder a model card goes to: `--out` when given (never inside a model folder the kit did not
 * write), else the model folder itself for the kit's own models, else results/lm-cards/<name>/.
 */
export function lmCardOutDir(modelDir: string, root: string, explicit?: string): string {
  const kit = isKitModel(modelDir, root);
  if (explicit !== undefined) {
    const out = path.resolve(explicit);
    if (!kit) assertOutsideInputs('--out', out, [{ flag: '--model', dir: modelDir }]);
    assertFolderOrAbsent('--out', out);
    return out;
  }
  return kit ? path.resolve(modelDir) : path.join(root, 'results', 'lm-cards', path.basename(path.resolve(modelDir)));
}

/** Throws unless `name` is a plain folder name (no separators, not `.` or `..`), naming the flag. */
export function assertPlainName(flag: string, name: string): void {
  if (name === '' || name === '.' || name === '..' || /[\\/]/.test(name) || name !== name.trim()) {
    throw new Error(`${flag}: "${name}" is not a plain folder name (no slashes, not . or .., no surrounding spaces)`);
  }
}

/** The data folders a command may read (the dataDirCandidates order), as input folders. */
export function dataInputs(dataDir: string | undefined): InputFolder[] {
  return dataDirCandidates(dataDir ? { dataDir } : {}).map((c) => ({ flag: c.from === 'option dataDir' ? '--data-dir' : c.from, dir: c.dir }));
}

/** The input folders of an LLM recommender run: data, the LLM, and the runs it is built on. */
export function recInputs(f: Record<string, string | boolean | undefined>): InputFolder[] {
  const out = dataInputs(f['data-dir'] as string | undefined);
  const llm = (f['llm'] as string | undefined) ?? readEnv('CFLLM_MODEL_DIR');
  out.push({ flag: f['llm'] ? '--llm' : llm ? '$CFLLM_MODEL_DIR' : 'the default model', dir: llm ?? path.join(projectRoot(), 'models', DEFAULT_MODEL_NAME) });
  for (const flag of ['cf-run', 'stage1-run']) {
    const v = f[flag];
    if (typeof v === 'string') out.push({ flag: `--${flag}`, dir: projectPath(v) });
  }
  return out;
}
