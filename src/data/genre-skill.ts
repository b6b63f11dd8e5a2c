// The skill of relating a list of titles' genres to a new title's genre, as text built from item
// metadata only (never ratings): training paragraphs ("someone who liked these Comedy films will like
// this Comedy, not that Horror") and a direct yes/no probe of the skill, with genres written into the
// prompt or titles only. Reference: README.md (Language models); issue "The text channel" (the skill probe).
import { makeRng, type Rng } from '../core/rng';
import type { ClozeProbe, ItemTextInfo } from './item-text';

/** One synthetic question: does `target` share the dominant genre of `history`? */
export interface SkillExample {
  /** 0-based item indices, 2..6 items that all carry `genre`. */
  readonly history: readonly number[];
  readonly target: number;
  /** The genre every history item has. */
  readonly genre: string;
  /** True when the target has `genre`; false when it has none of the history items' genres. */
  readonly match: boolean;
}

/** The question wording of the probe (TALLRec's template with optional genres after each title). */
export function skillQuestion(titles: string[], target: string): string {
  return `#Question: A user has given high ratings to the following movies: ${titles.join(', ')}. Leverage the information to predict whether the user would enjoy the movie titled ${target}? Answer with "Yes" or "No". \\n#Answer:`;
}

/** A title as the skill questions show it: quoted, with its genres after it when `withGenres`. */
export function shownTitle(it: ItemTextInfo, withGenres: boolean): string {
  return withGenres ? `"${it.title}" (${it.genres.join(', ')})` : `"${it.title}"`;
}

/**
 * Examples in pairs over one history: a target that carries `genre` (match) and one that carries none of
 * the history's genres (non-match) with the same number of genres, so neither the history nor the
 * target's genre count tells the answer (unpaired draws let "more genres = match" alone reach ~0.68 AUC).
 * Drawn from the catalogue with a seeded rng; items without genres are never used. Histories hold 2 to
 * `maxHistory` items (default 6; 2 gives the short questions a curriculum starts with).
 * @returns `n` examples (match first in each pair; an odd `n` ends with a match)
 */
export function skillExamples(items: readonly ItemTextInfo[], n: number, seed: number, maxHistory = 6): SkillExample[] {
  if (!Number.isInteger(maxHistory) || maxHistory < 2) throw new Error(`skillExamples: maxHistory must be an integer >= 2, got ${maxHistory}`);
  const byGenre = new Map<string, number[]>();
  items.forEach((it, i) => { for (const g of it.genres) { if (!byGenre.has(g)) byGenre.set(g, []); byGenre.get(g)!.push(i); } });
  const genres = [...byGenre.keys()].sort().filter((g) => byGenre.get(g)!.length >= 4);
  if (genres.length < 2) throw new Error(`skillExamples: needs at least two genres with 4+ items, got ${genres.length}`);
  const rng: Rng = makeRng(seed);
  const out: SkillExample[] = [];
  const pick = (ok: (c: number) => boolean, from: () => number): number => {
    for (let t = 0; t < 200; t++) { const c = from(); if (ok(c)) return c; }
    return -1;
  };
  for (let tries = 0; out.length < n && tries < n * 50; tries++) {
    const g = genres[rng.int(genres.length)]!, pool = byGenre.get(g)!;
    const k = 2 + rng.int(maxHistory - 1), hist = new Set<number>();
    while (hist.size < Math.min(k, pool.length - 2)) hist.add(pool[rng.int(pool.length)]!);
    const histGenres = new Set([...hist].flatMap((i) => items[i]!.genres));
    const yes = pick((c) => !hist.has(c), () => pool[rng.int(pool.length)]!);
    if (yes < 0) continue;
    const size = items[yes]!.genres.length;
    const no = pick((c) => items[c]!.genres.length === size && items[c]!.genres.every((x) => !histGenres.has(x)), () => rng.int(items.length));
    if (no < 0) continue;
    out.push({ history: [...hist], target: yes, genre: g, match: true });
    if (out.length < n) out.push({ history: [...hist], target: no, genre: g, match: false });
  }
  return out;
}

type Writer = (h: string[], g: string, t: string, tg: string, match: boolean) => string;

const WRITERS: Writer[] = [
  (h, g, t, tg, m) => `Someone who liked ${h.join(', ')}, all ${g} movies, ${m ? 'will probably enjoy' : 'may not care for'} "${t}", ${m ? `another ${g} film` : `a ${tg} film`}.`,
  (h, g, t, _tg, m) => `${h.join(', ')} are ${g} movies. "${t}" ${m ? `is ${g} too, so a fan of them would say yes to it` : `is not ${g}, so a fan of them would say no to it`}.`,
  (h, _g, t, _tg, m) => skillQuestion(h, `"${t}"`) + (m ? ' Yes' : ' No'),
];

/**
 * Training text for the skill: each example written with one of several phrasings, genres named for the
 * history in the first two, titles only in the prompt-like one (so knowledge of the titles' genres has to
 * carry it). @returns paragraphs separated by blank lines
 */
export function skillCorpus(items: readonly ItemTextInfo[], opts: { examples: number; seed: number }): string {
  const rng = makeRng(opts.seed + 1);
  const paras = skillExamples(items, opts.examples, opts.seed).map((e) => {
    const h = e.history.map((i) => `"${items[i]!.title}"`), t = items[e.target]!;
    return WRITERS[rng.int(WRITERS.length)]!(h, e.genre, t.title, t.genres[0]!, e.match);
  });
  return paras.join('\n\n') + '\n';
}

/**
 * The skill probe: TALLRec's question over a genre-coherent history and a target that shares its genre
 * (answer "Yes") or none of its genres ("No"); `withGenres` writes each title's genres after it.
 * Chance top-1 is 0.5 (balanced).
 */
export function skillProbes(items: readonly ItemTextInfo[], opts: { n: number; seed: number; withGenres: boolean; maxHistory?: number }): ClozeProbe[] {
  return skillExamples(items, opts.n, opts.seed, opts.maxHistory).map((e) => ({
    prompt: skillQuestion(e.history.map((i) => shownTitle(items[i]!, opts.withGenres)), shownTitle(items[e.target]!, opts.withGenres)),
    candidates: ['Yes', 'No'],
    answers: [e.match ? 'Yes' : 'No'],
  }));
}
