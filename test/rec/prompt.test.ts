// Prompt text byte-exact against the TALLRec and CoLLM templates (docs/methods.md §2).
import { describe, expect, it } from 'vitest';
import { datasetFromCombined } from '../../src/data/protocol';
import { COLLM_TEMPLATE, fillPrompt, historyText, rowPrompt, TALLREC_TEMPLATE } from '../../src/rec/prompt';

describe('prompts', () => {
  it('are the published templates with a literal backslash-n', () => {
    expect(TALLREC_TEMPLATE).toBe('#Question: A user has given high ratings to the following movies: <ItemTitleList>. Leverage the information to predict whether the user would enjoy the movie titled <TargetItemTitle>? Answer with "Yes" or "No". \\n#Answer:');
    expect(TALLREC_TEMPLATE.includes('\n')).toBe(false);
    expect(COLLM_TEMPLATE).toBe('#Question: A user has given high ratings to the following movies: <ItemTitleList>. Additionally, we have information about the user\'s preferences encoded in the feature <UserID>. Using all available information, make a prediction about whether the user would enjoy the movie titled <TargetItemTitle> with the feature <TargetItemID>? Answer with "Yes" or "No". \\n#Answer:');
  });
  it('quote at most the last 10 titles, joined by ", ", and write unkow for an empty history', () => {
    expect(historyText([])).toBe('unkow');
    expect(historyText(['A (1990)', 'B, The (1991)'])).toBe('"A (1990)", "B, The (1991)"');
    const many = Array.from({ length: 12 }, (_, i) => `T${i}`);
    expect(historyText(many)).toBe(many.slice(2).map((t) => `"${t}"`).join(', '));
  });
  it('fill both templates exactly', () => {
    expect(fillPrompt('tallrec', ['Heat (1995)'], 'Sting, The (1973)')).toBe(
      '#Question: A user has given high ratings to the following movies: "Heat (1995)". Leverage the information to predict whether the user would enjoy the movie titled "Sting, The (1973)"? Answer with "Yes" or "No". \\n#Answer:');
    expect(fillPrompt('collm', [], 'Heat (1995)')).toBe(
      '#Question: A user has given high ratings to the following movies: unkow. Additionally, we have information about the user\'s preferences encoded in the feature <unk>. Using all available information, make a prediction about whether the user would enjoy the movie titled "Heat (1995)" with the feature <unk>? Answer with "Yes" or "No". \\n#Answer:');
  });
  it('take the row\'s history titles in order and its target title', () => {
    const items = ['A (1990)', 'B (1991)', 'C (1992)'].map((title) => ({ title, genres: [], year: null }));
    const ds = datasetFromCombined('t', { user: [0, 0, 0], item: [0, 1, 2], label: [1, 1, 0], ts: [1, 2, 3], split: [0, 0, 2], hist: [[], [0], [0, 1]] }, items, null, { validSmallFraction: 0, validSmallSeed: 0 }, {});
    expect(rowPrompt('tallrec', ds, ds.splits.test, 0)).toContain('movies: "A (1990)", "B (1991)". Leverage');
    expect(rowPrompt('tallrec', ds, ds.splits.test, 0)).toContain('titled "C (1992)"?');
  });
});
