// Amazon 2018 reviews through the CoLLM Amazon-Book rule: one year, one pass of the >N filter on users
// and items, 5 stars = positive, Jan-Nov train, December halved into valid and test by time.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { readAmazonReviews } from '../../src/data/amazon';
import { buildProtocolDataset } from '../../src/data/protocol';

const t = (m: number, d: number) => Date.UTC(2017, m - 1, d) / 1000;

describe('Amazon reviews', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-amazon-'));
  const lines: string[] = [];
  // users u0..u2 and items b0..b2 each with enough 2017 reviews; u9 is rare and filtered out
  for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) {
    for (const [m, d] of [[2, 1 + k + j], [6, 1 + k + j], [12, 1 + 3 * k + j]]) lines.push(JSON.stringify({ reviewerID: `u${k}`, asin: `b${j}`, overall: (k + j) % 2 ? 5 : 3, unixReviewTime: t(m!, d!) }));
  }
  lines.push(JSON.stringify({ reviewerID: 'u9', asin: 'b0', overall: 5, unixReviewTime: t(3, 3) }));
  lines.push(JSON.stringify({ reviewerID: 'u0', asin: 'b1', overall: 4, unixReviewTime: Date.UTC(2016, 5, 1) / 1000 }));
  const f = path.join(dir, 'reviews.json');
  fs.writeFileSync(f, lines.join('\n') + '\n');
  const meta = path.join(dir, 'meta.json');
  fs.writeFileSync(meta, JSON.stringify({ asin: 'b0', title: 'A Book' }) + '\n');

  it('interns ids, takes titles from the metadata, and builds the protocol splits', () => {
    const raw = readAmazonReviews(f, meta);
    expect(raw.userKeys[0]).toBe('u0');
    expect(raw.items.get(1)!.title).toBe('A Book');
    const ds = buildProtocolDataset(raw, { positiveMin: 5, rule: { kind: 'last-month-halved', year: 2017, minCount: 5 }, validSmallFraction: 0, validSmallSeed: 0 });
    const { train, valid, test } = ds.splits;
    expect(ds.nUsers).toBe(3);
    expect(train.label.length).toBe(18);
    expect(valid.label.length + test.label.length).toBe(9);
    expect(Math.max(...valid.timestamp)).toBeLessThanOrEqual(Math.min(...test.timestamp));
    // 4 of the 9 user-item pairs are 5-star, each reviewed twice in Jan-Nov
    expect(train.label.reduce((a, b) => a + b, 0)).toBe(8);
  });
  it('names the line of a malformed review', () => {
    fs.writeFileSync(f, lines[0] + '\n{"reviewerID": "u1", "asin": 7}\n');
    expect(() => readAmazonReviews(f)).toThrow(/reviews\.json:2: field "asin": expected a string, got 7/);
  });
});
