// Module boundaries are one-way (docs/architecture.md §2): parse every import in src/ and check it against the
// allowed layers; notebooks may import only the compiled library.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..', 'src');
/** Which src/ folders each folder may import (besides itself and npm packages). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  backend: ['core'],
  data: ['core'],
  metrics: ['core'],
  cf: ['core', 'backend', 'data'],
  llm: ['core', 'backend'],
  lm: ['core', 'backend', 'llm', 'metrics'],
  rec: ['core', 'backend', 'data', 'cf', 'llm', 'metrics'],
  collm: ['core', 'backend', 'data', 'cf', 'llm', 'metrics', 'rec'],
  cora: ['core', 'backend', 'data', 'cf', 'llm', 'metrics', 'rec'],
  binllm: ['core', 'backend', 'data', 'cf', 'llm', 'metrics', 'rec'],
  viz: ['core'],
  runner: ['core', 'backend', 'data', 'metrics', 'cf', 'llm', 'lm', 'rec', 'collm', 'cora', 'binllm'],
  analysis: ['core', 'backend', 'data', 'metrics', 'cf', 'llm', 'lm', 'rec', 'collm', 'cora', 'binllm', 'runner', 'viz'],
  cli: ['core', 'backend', 'data', 'metrics', 'cf', 'llm', 'lm', 'rec', 'collm', 'cora', 'binllm', 'runner', 'analysis', 'viz'],
};
/** npm packages a layer must not touch (data and metrics know nothing of tensors). */
const FORBIDDEN_PACKAGES: Record<string, RegExp> = { data: /^@tensorflow\//, metrics: /^@tensorflow\// };

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? tsFiles(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []);
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const re = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  const out: string[] = [];
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

describe('module boundaries', () => {
  const files = tsFiles(SRC).filter((f) => path.dirname(f) !== SRC);
  it('finds the layered source tree', () => {
    expect(files.length).toBeGreaterThan(10);
  });
  it.each(files.map((f) => [path.relative(SRC, f)]))('%s imports only allowed layers', (rel) => {
    const layer = rel.split(path.sep)[0]!;
    expect(Object.keys(ALLOWED), `unknown layer folder src/${layer}`).toContain(layer);
    for (const spec of importsOf(path.join(SRC, rel))) {
      if (spec.startsWith('.')) {
        const target = path.relative(SRC, path.resolve(path.dirname(path.join(SRC, rel)), spec)).split(path.sep)[0]!;
        if (target === layer) continue;
        expect(ALLOWED[layer], `${rel} imports ${spec} (layer ${target})`).toContain(target);
      } else {
        expect(FORBIDDEN_PACKAGES[layer]?.test(spec) ?? false, `${rel} imports package ${spec}`).toBe(false);
      }
    }
  });
  it('notebooks import the library only through ../dist', () => {
    const dir = path.resolve(__dirname, '..', 'notebooks');
    const nbs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')) : [];
    for (const nb of nbs) {
      const text = fs.readFileSync(path.join(dir, nb), 'utf8');
      expect(text, nb).not.toMatch(/from\s+\\?['"]\.\.\/src/);
    }
  });
});
