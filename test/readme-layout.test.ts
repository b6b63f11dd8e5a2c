// The README's "Layout" block names every folder of src/ and every tracked top-level folder, and
// nothing that does not exist.
import { execFileSync } from 'child_process';
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

/** Top-level folders git tracks (null outside a git checkout, e.g. an unpacked tarball). */
function trackedTopLevel(): string[] | null {
  let out: string;
  try {
    out = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  } catch {
    return null;
  }
  return [...new Set(out.split('\n').filter((f) => f.includes('/')).map((f) => f.split('/')[0]!))].filter((d) => !d.startsWith('.'));
}

describe('README layout', () => {
  const entries = layoutEntries();
  it('lists every folder of src/', () => {
    const srcDirs = fs.readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`);
    expect(srcDirs.filter((d) => !entries.includes(d))).toEqual([]);
  });
  it('lists every top-level folder git tracks', () => {
    const top = trackedTopLevel();
    if (top === null) return; // not a git checkout: nothing to compare with
    expect(top.filter((d) => d !== 'src' && !entries.includes(d))).toEqual([]);
  });
  it('lists nothing that does not exist', () => {
    expect(entries.filter((e) => !fs.existsSync(path.join(ROOT, e)))).toEqual([]);
  });
});
