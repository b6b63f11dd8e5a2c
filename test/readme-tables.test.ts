// The README's generated result sections equal what the committed results files give (npm run
// readme-tables), so no number in them is typed by hand or left stale.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { itemKnowledgeReadmeSection, type ItemKnowledgeFile } from '../src/analysis/item-knowledge';
import { cfReadmeSection, isMl1mTableFile } from '../src/analysis/readme';
import { ml1mReadmeSection } from '../src/analysis/ml1m-table';
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

  it('the item-knowledge table is what results/item-knowledge.json gives', () => {
    const f = readJson<ItemKnowledgeFile>(path.join(root, 'results', 'item-knowledge.json'));
    expect(f.records.length).toBeGreaterThan(0);
    expect(section('item-knowledge')).toBe(itemKnowledgeReadmeSection(f).trim());
  });
});
