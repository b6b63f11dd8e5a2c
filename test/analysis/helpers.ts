// Run folders that hold only test scores (scores.json), for the tests of reports that read them.
import * as path from 'path';
import { writeJsonAtomic } from '../../src/core/io';
import type { InteractionSplit } from '../../src/data/types';

/** Writes <root>/<name>/scores.json with the test logits f(row index) on the rows `rows` (default all); returns the folder. */
export function scoredRunFolder(root: string, test: InteractionSplit, name: string, f: (k: number) => number, rows: readonly number[] = [...Array(test.label.length).keys()]): string {
  const dir = path.join(root, name);
  writeJsonAtomic(path.join(dir, 'scores.json'), { test: { rowId: rows.map((k) => test.rowId[k]!), logit: rows.map(f) } });
  return dir;
}

/** A noisy but informative score: the label plus a deterministic pseudo-random term. */
export const noisyScore = (test: InteractionSplit) => (k: number): number => test.label[k]! + Math.sin(k * 12.9898) * 1.5;
