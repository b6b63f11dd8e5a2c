// Item knowledge as text: determinism, independence from labels, probes that match (held-in) or avoid
// (unseen) the training phrasings, and the genre-match skill text.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng';
import { skillCorpus, skillExamples, skillProbes } from '../../src/data/genre-skill';
import { auc } from '../../src/metrics/auc';
import { bareTitle, datasetItemCorpus, decadeCandidates, decadeOf, genreCandidates, itemCorpus, itemProbes, itemQuestions, ITEM_QUESTION_PROMPTS, ITEM_CLOZE, probeChance, withGenresInTitles, type ItemTextInfo } from '../../src/data/item-text';
import { syntheticWorld } from '../../src/data/synthetic';
import type { Dataset, InteractionSplit } from '../../src/data/types';

const ds = syntheticWorld('tiny');

function permuteLabels(split: InteractionSplit, seed: number): InteractionSplit {
  return { ...split, label: makeRng(seed).shuffle(Uint8Array.from(split.label).map((x) => 1 - x)) };
}

describe('item corpus', () => {
  const text = datasetItemCorpus(ds, { repeats: 6, seed: 3 });
  it('is byte-identical when every label is permuted (reads item metadata only)', () => {
    const s = ds.splits;
    const permuted: Dataset = { ...ds, splits: { train: permuteLabels(s.train, 1), valid: permuteLabels(s.valid, 2), test: permuteLabels(s.test, 3) }, users: null };
    expect(datasetItemCorpus(permuted, { repeats: 6, seed: 3 })).toBe(text);
  });
  it('is deterministic, mentions every item and differs for another seed', () => {
    expect(datasetItemCorpus(ds, { repeats: 6, seed: 3 })).toBe(text);
    expect(datasetItemCorpus(ds, { repeats: 6, seed: 4 })).not.toBe(text);
    for (const it of ds.items) expect(text.includes(bareTitle(it.title))).toBe(true);
    expect(text.split(/(?<=[.!?])\s/).length).toBeGreaterThan(ds.items.length * 5);
  });
  it('states only true genres and decades', () => {
    for (const it of ds.items.slice(0, 40)) {
      for (const m of text.matchAll(new RegExp(`The genre of "${it.title.replace(/[()]/g, '\\$&')}" is ([^.]+)\\.`, 'g'))) expect(it.genres).toContain(m[1]);
      for (const m of text.matchAll(new RegExp(`${bareTitle(it.title).replace(/[()]/g, '\\$&')} was released in the (\\d{4}s)\\.`, 'g'))) expect(m[1]).toBe(decadeOf(it.year!));
    }
  });
  it('uses Amazon-style extra fields when present and checks its options', () => {
    const items: ItemTextInfo[] = [{ title: 'A Book', genres: [], year: null, category: 'Books > Mystery', brand: 'Jane Roe', description: 'A twisty tale. Second line. Third.' }];
    const t = itemCorpus(items, { repeats: 30, seed: 1 });
    expect(t).toContain('"A Book" is listed under Books > Mystery.');
    expect(t).toContain('"A Book" is by Jane Roe.');
    expect(t).toContain('About "A Book": A twisty tale. Second line.');
    expect(t).not.toContain('Third');
    expect(() => itemCorpus(items, { repeats: 0, seed: 1 })).toThrow(/repeats/);
  });
});

describe('item probes', () => {
  const text = itemCorpus(ds.items, { repeats: 24, seed: 0 });
  it('held-in prompts are prefixes of training sentences; unseen prompts never occur', () => {
    const heldIn = itemProbes(ds.items, 'genre', 'heldIn'), unseen = itemProbes(ds.items, 'genre', 'unseen');
    expect(heldIn.length).toBe(ds.items.length);
    expect(heldIn.filter((p) => text.includes(p.prompt + ' ')).length).toBeGreaterThan(ds.items.length / 2);
    for (const p of unseen) expect(text.includes(p.prompt)).toBe(false);
    for (const p of itemProbes(ds.items, 'decade', 'unseen')) expect(text.includes(p.prompt)).toBe(false);
  });
  it('answers are among the candidates; chance is the mean share of right candidates', () => {
    const g = itemProbes(ds.items, 'genre', 'heldIn', 30), d = itemProbes(ds.items, 'decade', 'heldIn');
    expect(g.length).toBe(30);
    expect(g[0]!.candidates).toEqual(genreCandidates(ds.items));
    for (const p of [...g, ...d]) for (const a of p.answers) expect(p.candidates).toContain(a);
    expect(d[0]!.candidates).toEqual(decadeCandidates(ds.items));
    expect(probeChance(g)).toBeCloseTo(g.reduce((a, p) => a + p.answers.length, 0) / g.length / genreCandidates(ds.items).length, 12);
    expect(d.every((p) => !p.prompt.includes(String(ds.items[p.item]!.year)))).toBe(true);
  });
});

describe('item questions', () => {
  const text = itemCorpus(ds.items, { repeats: 12, seed: 0 });
  const qs = itemQuestions(ds.items, ['genre', 'decade']);
  it('ask every item in every training prompt, the held-in probe\'s first, never the unseen probe\'s', () => {
    const n = ds.items.length;
    expect(qs.length).toBe(n * (ITEM_QUESTION_PROMPTS.genre.length + ITEM_QUESTION_PROMPTS.decade.length));
    const heldIn = new Set(itemProbes(ds.items, 'genre', 'heldIn').map((p) => p.prompt));
    expect(qs.filter((q) => heldIn.has(q.prompt)).length).toBe(n);
    const unseen = new Set([...itemProbes(ds.items, 'genre', 'unseen'), ...itemProbes(ds.items, 'decade', 'unseen')].map((p) => p.prompt));
    expect(qs.some((q) => unseen.has(q.prompt))).toBe(false);
    expect(ITEM_QUESTION_PROMPTS.decade[0]).toBe(ITEM_CLOZE.decade.heldIn);
  });
  it('each prompt + its answer is a training sentence\'s prefix, with true answers only', () => {
    for (const q of qs) {
      const it0 = ds.items[q.item]!;
      expect(q.answers).toEqual(q.kind === 'genre' ? it0.genres : [decadeOf(it0.year!)]);
      for (const a of q.answers) expect(q.candidates).toContain(a);
    }
    // every genre prompt form occurs in the corpus followed by a true genre
    for (const form of ITEM_QUESTION_PROMPTS.genre) {
      const hits = ds.items.filter((it0) => it0.genres.some((g) => text.includes(`${form(it0)} ${g}`)));
      expect(hits.length).toBeGreaterThan(ds.items.length / 3);
    }
  });
});

describe('genre-match skill', () => {
  it('examples come in pairs over one history: a match and a non-match with as many genres (no shortcut)', () => {
    const ex = skillExamples(ds.items, 60, 5);
    expect(ex.length).toBe(60);
    expect(ex.filter((e) => e.match).length).toBe(30);
    for (let i = 0; i < ex.length; i += 2) {
      const [yes, no] = [ex[i]!, ex[i + 1]!];
      expect([yes.match, no.match]).toEqual([true, false]);
      expect(no.history).toEqual(yes.history);
      expect(ds.items[no.target]!.genres.length).toBe(ds.items[yes.target]!.genres.length);
    }
    for (const e of ex) {
      expect(e.history.every((i) => ds.items[i]!.genres.includes(e.genre))).toBe(true);
      expect(e.history).not.toContain(e.target);
      const hg = new Set(e.history.flatMap((i) => ds.items[i]!.genres));
      const tg = ds.items[e.target]!.genres;
      if (e.match) expect(tg).toContain(e.genre);
      else expect(tg.some((g) => hg.has(g))).toBe(false);
    }
    // the shortcut unpaired draws had: "the target has more genres" ranked matches first
    const y = ex.map((e) => (e.match ? 1 : 0)), nGenres = ex.map((e) => ds.items[e.target]!.genres.length);
    expect(auc(y, nGenres)).toBe(0.5);
  });
  it('the curriculum\'s short examples have two-item histories; the default draw is unchanged by the option', () => {
    const short = skillExamples(ds.items, 40, 5, 2);
    expect(short.every((e) => e.history.length === 2)).toBe(true);
    expect(skillExamples(ds.items, 40, 5, 6)).toEqual(skillExamples(ds.items, 40, 5));
    expect(Math.max(...skillExamples(ds.items, 200, 5).map((e) => e.history.length))).toBe(6);
    expect(() => skillExamples(ds.items, 4, 5, 1)).toThrow(/maxHistory/);
  });
  it('probes write genres in only when asked and use the TALLRec wording; the corpus is seeded', () => {
    const withG = skillProbes(ds.items, { n: 10, seed: 9, withGenres: true }), plain = skillProbes(ds.items, { n: 10, seed: 9, withGenres: false });
    expect(withG[0]!.prompt).toMatch(/^#Question: A user has given high ratings to the following movies: ".+" \(.+\).*Answer with "Yes" or "No". \\n#Answer:$/);
    expect(plain[0]!.prompt).not.toMatch(/\) \(/);
    expect(withG.map((p) => p.answers[0])).toEqual(plain.map((p) => p.answers[0]));
    expect(skillCorpus(ds.items, { examples: 50, seed: 1 })).toBe(skillCorpus(ds.items, { examples: 50, seed: 1 }));
  });
});

describe('withGenresInTitles', () => {
  it('appends the genres to every title and keeps everything else', () => {
    const g = withGenresInTitles(ds);
    expect(g.items[0]!.title).toBe(`${ds.items[0]!.title} (${ds.items[0]!.genres.join(', ')})`);
    expect(g.splits).toBe(ds.splits);
    expect(g.items.map((i) => i.genres)).toEqual(ds.items.map((i) => i.genres));
  });
});
