// The environment-variable table and reader: defaults when unset, parsed values, errors that name the
// variable, the README table generated from the module, and no CFLLM_* read anywhere else in src/.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { parseBackendChoice } from '../../src/backend/backend';
import { BACKEND_CHOICES, checkEnv, ENV_NAMES, ENV_VARS, envTableMarkdown, readEnv, type EnvName } from '../../src/core/env';
import { SCALES } from '../../src/runner/scale';
import { FIGURE_MODES } from '../../src/viz/display';

const ROOT = path.resolve(__dirname, '..', '..');

function filesUnder(dir: string, ext: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? (d.name === 'node_modules' || d.name.startsWith('.') ? [] : filesUnder(path.join(dir, d.name), ext))
      : ext.test(d.name) ? [path.join(dir, d.name)] : []);
}

describe('readEnv', () => {
  it('gives each variable its documented fallback when unset or empty', () => {
    const expected: Record<EnvName, unknown> = {
      CFLLM_DATA_DIR: undefined, CFLLM_MODEL_DIR: undefined, CFLLM_CORPUS_DIR: undefined, CFLLM_BACKEND: 'auto',
      CFLLM_NATIVE: true, CFLLM_BLAS_THREADS: 1, CFLLM_SCALE: undefined, CFLLM_RUNS_DIR: undefined,
      CFLLM_FIGURES_DIR: undefined, CFLLM_FIGURE_MODE: 'interactive', CFLLM_PLOTLY_URL: undefined,
      CFLLM_JUPYTER_ROOT: undefined, CFLLM_CHROMIUM: undefined, CFLLM_SKIP_NOTEBOOKS: false, CFLLM_RANK_ABLATION: undefined,
    };
    expect([...ENV_NAMES].sort()).toEqual(Object.keys(expected).sort());
    for (const n of ENV_NAMES) {
      expect(readEnv(n, {}), n).toBe(expected[n]);
      expect(readEnv(n, { [n]: '' }), `${n}=''`).toBe(expected[n]);
    }
  });

  it('parses set values: paths resolved, enums, flags, thread counts', () => {
    expect(readEnv('CFLLM_DATA_DIR', { CFLLM_DATA_DIR: 'some/data' })).toBe(path.resolve('some/data'));
    expect(readEnv('CFLLM_MODEL_DIR', { CFLLM_MODEL_DIR: '/models/x' })).toBe(path.resolve('/models/x'));
    expect(readEnv('CFLLM_BACKEND', { CFLLM_BACKEND: 'wasm' })).toBe('wasm');
    expect(readEnv('CFLLM_NATIVE', { CFLLM_NATIVE: '0' })).toBe(false);
    expect(readEnv('CFLLM_NATIVE', { CFLLM_NATIVE: '1' })).toBe(true);
    expect(readEnv('CFLLM_BLAS_THREADS', { CFLLM_BLAS_THREADS: '2' })).toBe(2);
    expect(readEnv('CFLLM_SCALE', { CFLLM_SCALE: 'smoke' })).toBe('smoke');
    expect(readEnv('CFLLM_FIGURE_MODE', { CFLLM_FIGURE_MODE: 'static' })).toBe('static');
    expect(readEnv('CFLLM_SKIP_NOTEBOOKS', { CFLLM_SKIP_NOTEBOOKS: '1' })).toBe(true);
    expect(readEnv('CFLLM_RANK_ABLATION', { CFLLM_RANK_ABLATION: 'run' })).toBe('run');
    // a binary name or URL is kept as given (not resolved against the working directory)
    expect(readEnv('CFLLM_CHROMIUM', { CFLLM_CHROMIUM: 'chromium-browser' })).toBe('chromium-browser');
    expect(readEnv('CFLLM_PLOTLY_URL', { CFLLM_PLOTLY_URL: 'https://cdn.example/plotly.js' })).toBe('https://cdn.example/plotly.js');
  });

  it('rejects bad values with an error that names the variable and the value', () => {
    const bad: [EnvName, string][] = [
      ['CFLLM_BACKEND', 'gpu'], ['CFLLM_NATIVE', 'false'], ['CFLLM_NATIVE', 'yes'], ['CFLLM_BLAS_THREADS', '0'],
      ['CFLLM_BLAS_THREADS', '-2'], ['CFLLM_BLAS_THREADS', '1.5'], ['CFLLM_BLAS_THREADS', 'two'], ['CFLLM_SCALE', 'huge'],
      ['CFLLM_FIGURE_MODE', 'fancy'], ['CFLLM_SKIP_NOTEBOOKS', 'true'], ['CFLLM_RANK_ABLATION', 'yes'],
    ];
    for (const [n, v] of bad) {
      expect(() => readEnv(n, { [n]: v }), `${n}=${v}`).toThrow(new RegExp(`^\\$${n}: "${v.replace('.', '\\.')}"`));
    }
    expect(() => checkEnv({ CFLLM_SCALE: 'smoke', CFLLM_BLAS_THREADS: 'many' })).toThrow(/\$CFLLM_BLAS_THREADS: "many" is not a positive integer/);
    expect(() => checkEnv({})).not.toThrow();
  });

  it('reads process.env by default', () => {
    const saved = process.env['CFLLM_BLAS_THREADS'];
    try {
      process.env['CFLLM_BLAS_THREADS'] = '3';
      expect(readEnv('CFLLM_BLAS_THREADS')).toBe(3);
    } finally {
      if (saved === undefined) delete process.env['CFLLM_BLAS_THREADS'];
      else process.env['CFLLM_BLAS_THREADS'] = saved;
    }
  });

  it('accepts exactly the choices the owning modules accept', () => {
    for (const b of BACKEND_CHOICES) expect(parseBackendChoice(b, 'test')).toBe(b);
    expect(() => parseBackendChoice('gpu', 'test')).toThrow();
    for (const s of SCALES) expect(readEnv('CFLLM_SCALE', { CFLLM_SCALE: s })).toBe(s);
    expect(() => readEnv('CFLLM_SCALE', { CFLLM_SCALE: 'x' })).toThrow(new RegExp(SCALES.join(', ')));
    for (const m of FIGURE_MODES) expect(readEnv('CFLLM_FIGURE_MODE', { CFLLM_FIGURE_MODE: m })).toBe(m);
    expect(() => readEnv('CFLLM_FIGURE_MODE', { CFLLM_FIGURE_MODE: 'x' })).toThrow(new RegExp([...FIGURE_MODES].join(', ')));
  });
});

describe('one place for environment variables', () => {
  it('no module in src/ but core/env.ts reads a CFLLM_* variable from process.env', () => {
    const offenders: string[] = [];
    for (const f of filesUnder(path.join(ROOT, 'src'), /\.ts$/)) {
      if (f === path.join(ROOT, 'src', 'core', 'env.ts')) continue;
      fs.readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (/process\.env(\[\s*['"]CFLLM_|\.CFLLM_)/.test(line)) offenders.push(`${path.relative(ROOT, f)}:${i + 1}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('every CFLLM_* name used in src/, scripts/, bench/ or notebooks/ is in the table, and every table entry is used', () => {
    const used = new Set<string>();
    const dirs = ['src', 'scripts', 'bench', 'notebooks'].map((d) => path.join(ROOT, d)).filter((d) => fs.existsSync(d));
    const files = dirs.flatMap((d) => filesUnder(d, /\.(ts|js|ipynb)$/));
    for (const f of files) {
      if (f === path.join(ROOT, 'src', 'core', 'env.ts')) continue;
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/CFLLM_[A-Z][A-Z_]*[A-Z]/g)) used.add(m[0]);
    }
    expect([...used].filter((n) => !(n in ENV_VARS)).sort(), 'variables missing from src/core/env.ts').toEqual([]);
    expect(ENV_NAMES.filter((n) => !used.has(n)), 'table entries nothing uses').toEqual([]);
  });

  it('the README table is the one generated from src/core/env.ts', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const m = /<!-- env-table:start -->\n([\s\S]*?)\n<!-- env-table:end -->/.exec(readme);
    expect(m, 'README.md has no <!-- env-table:start --> ... <!-- env-table:end --> block').not.toBeNull();
    expect(m![1], 'README env table differs from envTableMarkdown() (paste its output between the markers)').toBe(envTableMarkdown());
  });
});
