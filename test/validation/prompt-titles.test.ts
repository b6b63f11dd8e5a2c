// Issue 16, prompt filler: titles are inserted verbatim — no String.replace `$` patterns, and a
// title that spells a template placeholder is never filled a second time.
import { describe, expect, it } from 'vitest';
import { COLLM_TEMPLATE, fillPrompt, PLACEHOLDER, TALLREC_TEMPLATE } from '../../src/rec/prompt';

const TITLES = ['Sh$&t (1999)', 'Before $` After', "Quote $' End", 'Cash $$ (2010)', 'Group $1 $<name>', '$', 'Fin $',
  '<TargetItemTitle>', '<ItemTitleList>', '<UserID> (2001)', '<TargetItemID>', 'Amélie (2001)', 'Tab\there', 'Back\\slash \\n'];

describe('prompt filler inserts titles verbatim', () => {
  it.each(TITLES.map((t) => [t]))('target title %j', (title) => {
    for (const [kind, tpl] of [['tallrec', TALLREC_TEMPLATE], ['collm', COLLM_TEMPLATE]] as const) {
      const want = tpl.split('<ItemTitleList>').join('"A", "B"').split('<TargetItemTitle>').join(`"${title}"`)
        .split('<UserID>').join(PLACEHOLDER).split('<TargetItemID>').join(PLACEHOLDER);
      // the expected text is built from the template pieces around each placeholder, so the title sits at
      // its slot unchanged whatever it contains
      const [head, tail] = tpl.split('<TargetItemTitle>') as [string, string];
      const got = fillPrompt(kind, ['A', 'B'], title);
      expect(got.indexOf(`"${title}"`)).toBeGreaterThanOrEqual(0);
      expect(got.startsWith(head.replace('<ItemTitleList>', '"A", "B"').split('<UserID>').join(PLACEHOLDER))).toBe(true);
      expect(got.endsWith(tail.split('<TargetItemID>').join(PLACEHOLDER))).toBe(true);
      if (!/[<]/.test(title)) expect(got).toBe(want);
    }
  });
  it.each(TITLES.map((t) => [t]))('history title %j', (title) => {
    const got = fillPrompt('collm', ['X', title], 'T');
    const head = COLLM_TEMPLATE.split('<ItemTitleList>')[0]!;
    expect(got.startsWith(`${head}"X", "${title}". `)).toBe(true);
    expect(got.endsWith(`titled "T" with the feature ${PLACEHOLDER}? Answer with "Yes" or "No". \\n#Answer:`)).toBe(true);
  });
});
