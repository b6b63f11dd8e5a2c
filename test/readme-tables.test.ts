// The README's generated result sections equal what the committed results files give (npm run
// readme-tables), so no number in them is typed by hand or left stale.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { itemKnowledgeReadmeSection, type ItemKnowledgeFile } from '../src/analysis/item-knowledge';
import { benchCfReadmeSection, cfReadmeSection, cfTableCost, isMl1mTableFile, type BenchCfFile } from '../src/analysis/readme';
import { ml1mReadmeSection } from '../src/analysis/ml1m-table';
import { textReadoutReadmeSection, type TextReadoutFile } from '../src/analysis/text-readout-table';
import { readJson } from '../src/core/io';
import type { TableRun } from '../src/runner/tables';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const section = (name: string): string => {
  const a = readme.indexOf(`<!-- ${name}:start -->`), b = readme.indexOf(`<!-- ${name}:end -->`);
  expect(a, `README section ${name}`).toBeGreaterThan(0);
  return readme.slice(a + `<!-- ${name}:start -->`.length, b).trim();
};

describe('README result sections', () => {
  it('the CF table is what results/cf-ml1m.json gives', () => {
    const runs = readJson<TableRun[]>(path.join(root, 'results', 'cf-ml1m.json'));
    expect(section('cf-ml1m')).toBe(cfReadmeSection(runs).trim());
  });

  it("states the table's cost: run times added up, the span from first start to last end, the code versions", () => {
    const run = (seed: number, startedAt: string, wallSeconds: number, gitCommit: string): TableRun =>
      ({ model: 'mf', seed, test: { auc: 0.6, uauc: 0.6, uaucUsers: 1 }, meta: { wallSeconds, startedAt, gitCommit } });
    // two processes: 30 + 40 min of runs in 40 min
    expect(cfTableCost([run(0, '2026-01-01T10:00:00Z', 1800, 'aaaaaaaaaaaa1'), run(1, '2026-01-01T10:00:00Z', 2400, 'aaaaaaaaaaaa1')]))
      .toBe('Cost: 70 min of run time in all; 40 min from the first start (2026-01-01 10:00 UTC) to the last end; code aaaaaaaaaaaa.');
    expect(cfTableCost([run(0, '2026-01-01T10:00:00Z', 60, 'a'), run(1, '2026-01-01T12:00:00Z', 60, 'b')])).toMatch(/2 min of run time in all; 121 min .*; code of 2 commits\.$/);
    expect(cfTableCost([{ model: 'mf', seed: 0, test: { auc: 0.6, uauc: 0.6, uaucUsers: 1 } }])).toBe('Some runs record no wall time.');
  });

  it('the headline table is what results/ml1m-table.json gives, or says plainly that it is not run yet', () => {
    const f = path.join(root, 'results', 'ml1m-table.json');
    if (fs.existsSync(f)) {
      const t = readJson<unknown>(f);
      expect(isMl1mTableFile(t), `${f} has the { meta, runs, comparisons } format`).toBe(true);
      if (isMl1mTableFile(t)) expect(section('ml1m-table')).toBe(ml1mReadmeSection(t).trim());
    } else {
      expect(section('ml1m-table')).toMatch(/^Not yet run at the current code\./);
      expect(section('ml1m-table')).not.toMatch(/\|/);
    }
  });

  it('the CF speed table is what results/bench-cf.json gives, one row per model with its ratio', () => {
    const f = readJson<BenchCfFile>(path.join(root, 'results', 'bench-cf.json'));
    const body = section('bench-cf');
    expect(body).toBe(benchCfReadmeSection(f).trim());
    for (const [k, m] of Object.entries(f.models)) expect(body, k).toContain(`${m.ratio.toFixed(2)}x`);
    expect(body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| model')).length).toBe(Object.keys(f.models).length);
  });

  it('the item-knowledge table is what results/item-knowledge.json gives', () => {
    const f = readJson<ItemKnowledgeFile>(path.join(root, 'results', 'item-knowledge.json'));
    expect(f.records.length).toBeGreaterThan(0);
    expect(section('item-knowledge')).toBe(itemKnowledgeReadmeSection(f).trim());
  });

  it('the text-readout table is what results/text-readout.json gives, one row per record', () => {
    const f = readJson<TextReadoutFile>(path.join(root, 'results', 'text-readout.json'));
    expect(f.records.length).toBeGreaterThan(0);
    const body = section('text-readout');
    expect(body).toBe(textReadoutReadmeSection(f).trim());
    expect(body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| dataset')).length).toBe(f.records.length);
  });
});
