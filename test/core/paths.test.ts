// Data folder resolution order: explicit option, $CFLLM_DATA_DIR, data/, ../shared/data; paths shown
// relative to the project root.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDirCandidates, projectRoot, resolveDatasetDir, shownPath } from '../../src/core/paths';

const saved = process.env['CFLLM_DATA_DIR'];
afterEach(() => {
  if (saved === undefined) delete process.env['CFLLM_DATA_DIR'];
  else process.env['CFLLM_DATA_DIR'] = saved;
});

describe('data folder resolution', () => {
  it('finds the project root by its package.json', () => {
    expect(fs.existsSync(path.join(projectRoot(), 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(projectRoot(), 'src', 'core', 'paths.ts'))).toBe(true);
  });
  it('shows paths relative to the project root, also outside it', () => {
    expect(shownPath(path.join(projectRoot(), 'models', 'kit-lm'))).toBe(path.join('models', 'kit-lm'));
    expect(shownPath(path.join(projectRoot(), '..', 'shared', 'corpora', 'valid.txt.gz'))).toBe(path.join('..', 'shared', 'corpora', 'valid.txt.gz'));
    expect(shownPath(projectRoot())).toBe('.');
  });
  it('orders option, env var, data/, ../shared/data', () => {
    const envDir = path.join(os.tmpdir(), 'env-data'), optDir = path.join(os.tmpdir(), 'opt-data');
    process.env['CFLLM_DATA_DIR'] = envDir;
    const c = dataDirCandidates({ dataDir: optDir });
    expect(c.map((x) => x.from)).toEqual(['option dataDir', '$CFLLM_DATA_DIR', 'data/', '../shared/data']);
    expect(c[0]!.dir).toBe(optDir);
    expect(c[1]!.dir).toBe(envDir);
  });
  it('uses an explicit folder and errors clearly when it lacks the dataset', () => {
    delete process.env['CFLLM_DATA_DIR'];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-data-'));
    fs.mkdirSync(path.join(dir, 'toy'));
    expect(resolveDatasetDir('toy', { dataDir: dir })).toBe(path.join(dir, 'toy'));
    expect(() => resolveDatasetDir('absent', { dataDir: dir })).toThrow(/dataset "absent" not found: .*absent does not exist \(from option dataDir\)/);
    process.env['CFLLM_DATA_DIR'] = dir;
    expect(resolveDatasetDir('toy')).toBe(path.join(dir, 'toy'));
    delete process.env['CFLLM_DATA_DIR'];
    expect(() => resolveDatasetDir('no-such-dataset-xyz')).toThrow(/looked in:[\s\S]*data\/\)[\s\S]*--data-dir or \$CFLLM_DATA_DIR/);
    fs.rmSync(dir, { recursive: true });
  });
});
