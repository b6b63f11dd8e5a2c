// The ml1m-table command's flags, checked on the compiled command (npm test compiles src/ first): its
// defaults are the table's settings (ML1M_TABLE), "--lora tallrec" plans TALLRec's own adapter, and bad
// flags are refused before any work, naming the flag. --plan reads no data, so this runs without ML-1M.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/core/paths';

const root = projectRoot();
const cli = path.join(root, 'dist', 'cli', 'ml1m-table.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe.skipIf(!fs.existsSync(cli))('ml1m-table command (needs dist/, which npm test compiles)', () => {
  it('plans the 54 runs of the default table, the ablation rows on models/kit-lm included', () => {
    const r = run('--plan', '--llm', path.join('models', 'kit-lm'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^plan: 54 runs \(\d+ finished\); about [\d.]+ h of run time left/);
    for (const name of ['collm-ml1m-binllm-hash-mf-s2', 'collm-ml1m-cora-mf-plain-s1', 'collm-ml1m-sasrec-s0']) expect(r.stdout).toContain(name);
  });

  it('plans fewer runs when asked, and takes --lora tallrec (TALLRec\'s own adapter)', () => {
    const r = run('--plan', '--llm', path.join('models', 'kit-lm'), '--lora', 'tallrec', '--seeds', '0', '--no-ablation', '--backbones', 'mf', '--cf-rows', 'mf');
    expect(r.status).toBe(0);
    // per seed: MF, hash-MF, base, TALLRec, CoLLM-MF, CoRA-MF, BinLLM
    expect(r.stdout).toMatch(/^plan: 7 runs/);
  });

  it.each([
    [['--lora', '{"r":0}'], /--lora.*r/],
    [['--lora', '{"r":4'], /--lora: not valid JSON/],
    [['--lora', '[1]'], /--lora: expected a JSON object/],
    [['--max-minutes', '0'], /--max-minutes: 0 is below the smallest allowed value, 1/],
    [['--cora-preset', 'big'], /--cora-preset: "big" is not one of official, kit/],
    [['--worker', '0/2'], /Unknown option '--worker'/],
    [['--llm', path.join('no', 'such-model')], /--llm .*no.such-model: no config.json \(not a model folder\)$/m],
  ])('refuses %j before any work', (args, message) => {
    const r = run('--plan', ...(args.includes('--llm') ? [] : ['--llm', path.join('models', 'kit-lm')]), ...args);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
