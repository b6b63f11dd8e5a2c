// Simulated-user taste questions: pairs over one history with equal genre counts (no count shortcut),
// histories in the asked range, seeded, built from item metadata only; a history-genre overlap score
// separates Yes from No well above chance (the questions carry a learnable signal) without solving them.
import { describe, expect, it } from 'vitest';
import { syntheticWorld } from '../../src/data/synthetic';
import { tasteExamples, tasteProbes } from '../../src/data/taste-skill';
import { auc } from '../../src/metrics/auc';

const items = syntheticWorld('default').items;

describe('taste questions', () => {
  it('come in pairs over one history: a favoured and a disfavoured target with as many genres', () => {
    const ex = tasteExamples(items, 400, 3);
    expect(ex.length).toBe(400);
    for (let i = 0; i < ex.length; i += 2) {
      const [yes, no] = [ex[i]!, ex[i + 1]!];
      expect([yes.match, no.match]).toEqual([true, false]);
      expect(no.history).toEqual(yes.history);
      expect(items[no.target]!.genres.length).toBe(items[yes.target]!.genres.length);
      expect(yes.history).not.toContain(yes.target);
      expect(yes.history).not.toContain(no.target);
      expect(new Set(yes.history).size).toBe(yes.history.length);
    }
    const y = ex.map((e) => (e.match ? 1 : 0));
    expect(auc(y, ex.map((e) => items[e.target]!.genres.length))).toBe(0.5);
    const overlap = ex.map((e) => {
      const c = new Map<string, number>();
      for (const i of e.history) for (const g of items[i]!.genres) c.set(g, (c.get(g) ?? 0) + 1);
      const tg = items[e.target]!.genres;
      return tg.reduce((a, g) => a + (c.get(g) ?? 0), 0) / tg.length;
    });
    const a = auc(y, overlap);
    expect(a).toBeGreaterThan(0.65);
    expect(a).toBeLessThan(0.95);
  });
  it('draws histories in the asked range, reproducibly, and rejects bad options', () => {
    const ex = tasteExamples(items, 200, 4, { minHistory: 2, maxHistory: 3 });
    expect(ex.every((e) => e.history.length >= 2 && e.history.length <= 3)).toBe(true);
    expect(tasteExamples(items, 50, 4)).toEqual(tasteExamples(items, 50, 4));
    expect(tasteExamples(items, 50, 4)).not.toEqual(tasteExamples(items, 50, 5));
    expect(Math.max(...tasteExamples(items, 300, 4).map((e) => e.history.length))).toBe(10);
    expect(() => tasteExamples(items, 4, 1, { minHistory: 3, maxHistory: 2 })).toThrow(/history range/);
    expect(() => tasteExamples(items, 4, 1, { share: 0.7 })).toThrow(/share/);
    expect(() => tasteExamples(items.slice(0, 5), 4, 1)).toThrow(/needs at least/);
  });
  it('probes use TALLRec\'s wording, genres written in only when asked', () => {
    const g = tasteProbes(items, { n: 4, seed: 1, withGenres: true }), t = tasteProbes(items, { n: 4, seed: 1, withGenres: false });
    expect(g[0]!.prompt).toMatch(/^#Question: A user has given high ratings to the following movies: ".+" \(.+\).*Answer with "Yes" or "No". \\n#Answer:$/);
    expect(t[0]!.prompt).not.toMatch(/" \(/);
    expect(g.map((p) => p.answers[0])).toEqual(['Yes', 'No', 'Yes', 'No']);
    expect(g[0]!.candidates).toEqual(['Yes', 'No']);
  });
});
