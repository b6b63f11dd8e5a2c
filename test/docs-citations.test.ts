// Source headers cite the reference pages in docs/ by section ("Reference: docs/methods.md §5"): every
// cited page exists, every cited section number is a "## N." heading of that page, and nothing cites the
// notes folder outside the repository.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

function filesUnder(dir: string, ext: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? (d.name === 'node_modules' || d.name.startsWith('.') ? [] : filesUnder(path.join(dir, d.name), ext))
      : ext.test(d.name) ? [path.join(dir, d.name)] : []);
}

/** Section numbers of a docs page: its "## N." headings. */
function sections(page: string): Set<number> {
  const text = fs.readFileSync(path.join(ROOT, 'docs', page), 'utf8');
  return new Set([...text.matchAll(/^## (\d+)\./gm)].map((m) => Number(m[1])));
}

const SOURCES = ['src', 'test', 'scripts', 'bench'].flatMap((d) => filesUnder(path.join(ROOT, d), /\.(ts|js)$/));

describe('docs citations', () => {
  it('cite pages that exist and section numbers those pages have', () => {
    const bad: string[] = [];
    for (const f of SOURCES) {
      const rel = path.relative(ROOT, f);
      fs.readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        for (const m of line.matchAll(/docs\/([a-z-]+\.md)((?:[ ,;and-]*§\d+(?:-\d+)?)*)/g)) {
          const page = m[1]!;
          if (!fs.existsSync(path.join(ROOT, 'docs', page))) { bad.push(`${rel}:${i + 1} cites missing docs/${page}`); continue; }
          const have = sections(page);
          for (const s of m[2]!.matchAll(/§(\d+)(?:-(\d+))?/g)) {
            for (let n = Number(s[1]); n <= Number(s[2] ?? s[1]); n++) {
              if (!have.has(n)) bad.push(`${rel}:${i + 1} cites docs/${page} §${n}, which has no "## ${n}." heading`);
            }
          }
        }
      });
    }
    expect(bad).toEqual([]);
  });

  it('never cite the notes folder outside the repository', () => {
    const bad = SOURCES.filter((f) => f !== __filename && /\.\.\/shared\/notes|\bnotes\/(methods|environment|style)\.md/.test(fs.readFileSync(f, 'utf8')));
    expect(bad.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
