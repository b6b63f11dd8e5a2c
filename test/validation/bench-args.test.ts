// The bench scripts' command lines: --help prints the script's header (its usage line) and exits 0
// before any work; an unknown flag exits 2 naming it; neither writes a result file.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPTS = ['cf-bench', 'cf-profile', 'llm-bench', 'llm-profile', 'mf-train', 'rec-inference'];
const results = (): string[] => fs.readdirSync(path.join(ROOT, 'results')).map((f) => `${f}:${fs.statSync(path.join(ROOT, 'results', f)).mtimeMs}`);

describe('bench scripts', () => {
  it.each(SCRIPTS)('%s: --help shows the usage, an unknown flag is refused by name, nothing is written', (name) => {
    const before = results();
    const help = spawnSync(process.execPath, [path.join(ROOT, 'bench', `${name}.js`), '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: npm run bench:/);
    const bad = spawnSync(process.execPath, [path.join(ROOT, 'bench', `${name}.js`), '--no-such-flag'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(new RegExp(`${name}\\.js: Unknown option '--no-such-flag'`));
    expect(results()).toEqual(before);
  }, 120_000);
});
