// The README's "Layout" block names every folder of src/ and every tracked top-level folder, and
// nothing that does not exist.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

/** The paths the Layout block lists (first word of each line). */
function layoutEntries(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = /## Layout\n[\s\S]*?```\n([\s\S]*?)\n```/.exec(readme);
  if (!m) throw new Error('README.md has no "## Layout" section with a code block');
  return m[1]!.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean).map((p) => p.replace(/\/$/, ''));
}

/** Top-level folders that .gitignore leaves out entirely (`name/` lines), plus hidden ones. */
function ignoredTopLevel(): Set<string> {
  const lines = fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8').split('\n');
  return new Set(lines.map((l) => /^\/?([\w.-]+)\/$/.exec(l.trim())?.[1]).filter((x): x is string => x !== undefined));
}

describe('README layout', () => {
  const entries = layoutEntries();
  it('lists every folder of src/', () => {
    const srcDirs = fs.readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`);
    expect(srcDirs.filter((d) => !entries.includes(d))).toEqual([]);
  });
  it('lists every top-level folder that is not ignored', () => {
    const ignored = ignoredTopLevel();
    const top = fs.readdirSync(ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !ignored.has(d.name) && d.name !== 'src').map((d) => d.name);
    expect(top.filter((d) => !entries.includes(d))).toEqual([]);
  });
  it('lists nothing that does not exist', () => {
    expect(entries.filter((e) => !fs.existsSync(path.join(ROOT, e)))).toEqual([]);
  });
});
