// Result tables: mean ± sd over seeds beside the paper, per-run lines, and marker replacement in the README.
import { describe, expect, it } from 'vitest';
import { formatPaperTable, formatRunTable, meanSd, replaceMarkedSection, type TableRun } from '../../src/runner/tables';

const run = (model: TableRun['model'], seed: number, a: number, u: number): TableRun => ({ model, seed, test: { auc: a, uauc: u, uaucUsers: 224 } });

describe('meanSd', () => {
  it('uses the n-1 sample sd and ignores null', () => {
    const r = meanSd([0.6, 0.7, null, 0.8]);
    expect(r.n).toBe(3);
    expect(r.mean).toBeCloseTo(0.7, 12);
    expect(r.sd).toBeCloseTo(Math.sqrt((0.01 + 0 + 0.01) / 2), 12);
    expect(meanSd([0.5]).sd).toBe(0);
    expect(meanSd([]).n).toBe(0);
  });
});

describe('formatPaperTable', () => {
  it('puts mean ± sd over seeds next to the paper and the difference', () => {
    const t = formatPaperTable([run('mf', 0, 0.65, 0.64), run('mf', 1, 0.66, 0.63), run('mf', 2, 0.67, 0.65)]);
    const mfLine = t.split('\n').find((l) => l.startsWith('| MF'))!;
    expect(mfLine).toContain('| 3 | 0.6600 ± 0.0100 | 0.6400 ± 0.0100 | 0.6482 | 0.6361 | +0.0118 | +0.0039 | 224 |');
  });
});

describe('formatRunTable', () => {
  it('prints one aligned line per run', () => {
    const t = formatRunTable([run('lightgcn', 2, 0.6, 0.65)]).split('\n');
    expect(t).toHaveLength(3);
    expect(t[2]).toMatch(/^LightGCN\s+2\s+0\.6000\s+0\.6500\s+224/);
  });
});

describe('replaceMarkedSection', () => {
  it('replaces only the marked body and keeps the markers', () => {
    const doc = 'a\n<!-- t:start -->\nold\n<!-- t:end -->\nb\n';
    expect(replaceMarkedSection(doc, 't', 'new')).toBe('a\n<!-- t:start -->\nnew\n<!-- t:end -->\nb\n');
  });
  it('throws when the markers are missing', () => {
    expect(() => replaceMarkedSection('nothing here', 't', 'x')).toThrow(/markers/);
  });
});
