// Item knowledge as text: a dataset's item metadata (title, year, genres; category, brand, description
// where a source has them) written as varied natural sentences for domain-adaptive pretraining, plus
// cloze probes (held-in and unseen phrasings) for genre and release decade. Reads item metadata only,
// never ratings, users, labels or splits. Reference: README.md (Language models); Gururangan et al. 2020 (DAPT).
import { makeRng, type Rng } from '../core/rng';
import type { Dataset, ItemInfo } from './types';

/** The metadata one item's text is made from: ItemInfo plus fields some sources (Amazon) carry. */
export interface ItemTextInfo extends ItemInfo {
  /** Shop category, e.g. "Books > Mystery" (Amazon), when known. */
  readonly category?: string | null;
  /** Brand or author, when known. */
  readonly brand?: string | null;
  /** Free-text description, when known (only the first sentences are used). */
  readonly description?: string | null;
}

/** What a probe asks. */
export type ItemProbeKind = 'genre' | 'decade';

/** A ranked cloze question: the model ranks every candidate after the prompt; a hit = one of `answers` ranks first. */
export interface ClozeProbe {
  /** The prompt; each candidate follows it after a space. */
  readonly prompt: string;
  /** Every candidate (e.g. all genres of the catalogue). */
  readonly candidates: readonly string[];
  /** The right candidates (e.g. an item's genres). */
  readonly answers: readonly string[];
}

/** A cloze probe about one item. */
export interface ItemProbe extends ClozeProbe {
  /** 0-based item index. */
  readonly item: number;
  readonly kind: ItemProbeKind;
  readonly phrasing: 'heldIn' | 'unseen';
}

/** Corpus settings. */
export interface ItemCorpusOptions {
  /** Sentences written per item (each with a randomly chosen training phrasing). */
  readonly repeats: number;
  /** Seed of the phrasing choice per sentence. */
  readonly seed: number;
}

/** "Toy Story (1995)" -> "Toy Story"; titles without a trailing year are kept. */
export function bareTitle(title: string): string {
  return title.replace(/\s*\(\d{4}\)\s*$/, '');
}

/** 1995 -> "1990s". */
export function decadeOf(year: number): string {
  return `${Math.floor(year / 10) * 10}s`;
}

function article(word: string): string {
  return /^[AEIOU]/i.test(word) ? 'an' : 'a';
}

function list(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

type Sentence = (t: string, g: string, it: ItemTextInfo, rng: Rng) => string;

/** Training phrasings of one genre of an item (t = the title as prompts show it). The first is the held-in probe's. */
const GENRE_TEMPLATES: Sentence[] = [
  (t, g) => `The genre of "${t}" is ${g}.`,
  (t, g) => `"${t}" is ${article(g)} ${g} movie.`,
  (t, g) => `${t} is a film in the ${g} genre.`,
  (t, g) => `Fans of ${g} movies will enjoy "${t}".`,
  (t, g) => `Looking for ${g}? Try "${t}".`,
  (t, g, it) => `Among the ${g} films of ${it.year ?? 'its time'}, "${t}" stands out.`,
  (t, g) => `Critics file "${t}" under ${g}.`,
  (t, g) => `On the shelf, "${t}" sits with the ${g} films.`,
  (t, g) => `Ask a film fan about "${t}" and you will hear one word: ${g}.`,
  (t, g) => `"${t}", genre: ${g}.`,
];

/** Phrasings naming every genre of an item. */
const ALL_GENRES_TEMPLATES: Sentence[] = [
  (t, _g, it) => `"${t}" is ${list(it.genres)}.`,
  (t, _g, it) => `Genres of ${t}: ${it.genres.join(', ')}.`,
  (t, _g, it) => `The movie "${t}" mixes ${list(it.genres)}.`,
];

/** Phrasings of the release decade (bare title, so the year in the title does not give it away). The first is the held-in probe's. */
const DECADE_TEMPLATES: ((b: string, d: string, y: number) => string)[] = [
  (b, d) => `${b} was released in the ${d}.`,
  (b, d, y) => `${b} came out in ${y}, in the ${d}.`,
  (b, d) => `A film of the ${d}, ${b} is still watched today.`,
];

/** Cloze prompts: held-in = the first training phrasing; unseen = a phrasing never in the corpus. */
export const ITEM_CLOZE: Record<ItemProbeKind, { heldIn: (it: ItemTextInfo) => string; unseen: (it: ItemTextInfo) => string }> = {
  genre: { heldIn: (it) => `The genre of "${it.title}" is`, unseen: (it) => `Which kind of movie is "${it.title}"? It is best described as` },
  decade: { heldIn: (it) => `${bareTitle(it.title)} was released in the`, unseen: (it) => `In which decade did ${bareTitle(it.title)} first reach cinemas? In the` },
};

/**
 * Cloze prompts that are prefixes of training phrasings (the answer is the next words), for supervised item
 * questions: the first is the held-in probe's prompt, none is the unseen one, so the unseen probe still
 * measures knowledge beyond the trained wording.
 */
export const ITEM_QUESTION_PROMPTS: Record<ItemProbeKind, readonly ((it: ItemTextInfo) => string)[]> = {
  genre: [
    ITEM_CLOZE.genre.heldIn, (it) => `${it.title} is a film in the`, (it) => `Genres of ${it.title}:`, (it) => `Critics file "${it.title}" under`,
    (it) => `On the shelf, "${it.title}" sits with the`, (it) => `Ask a film fan about "${it.title}" and you will hear one word:`, (it) => `"${it.title}", genre:`,
  ],
  // the other decade phrasings name the decade before the title or give the year away
  decade: [ITEM_CLOZE.decade.heldIn],
};

/** Sentences from the extra (Amazon-style) fields of an item, when present. */
function extraSentences(it: ItemTextInfo): string[] {
  const out: string[] = [];
  if (it.category) out.push(`"${it.title}" is listed under ${it.category}.`);
  if (it.brand) out.push(`"${it.title}" is by ${it.brand}.`);
  if (it.description) {
    const d = it.description.replace(/\s+/g, ' ').trim().split(/(?<=[.!?])\s/).slice(0, 2).join(' ');
    if (d) out.push(`About "${it.title}": ${d}`);
  }
  return out;
}

/** The distinct genres of a catalogue, sorted: the genre probe's candidates. */
export function genreCandidates(items: readonly ItemTextInfo[]): string[] {
  return [...new Set(items.flatMap((i) => i.genres))].sort();
}

/** The distinct decades of a catalogue, sorted: the decade probe's candidates. */
export function decadeCandidates(items: readonly ItemTextInfo[]): string[] {
  return [...new Set(items.flatMap((i) => (i.year === null ? [] : [decadeOf(i.year)])))].sort();
}

/**
 * The item-knowledge training text: per item `repeats` sentences (genre, all-genres, decade and extra
 * phrasings), shuffled and grouped into short paragraphs; a function of the metadata and seed only.
 * @returns text with paragraphs separated by blank lines
 */
export function itemCorpus(items: readonly ItemTextInfo[], opts: ItemCorpusOptions): string {
  if (!Number.isInteger(opts.repeats) || opts.repeats < 1) throw new Error(`itemCorpus: repeats must be a positive integer, got ${opts.repeats}`);
  const rng = makeRng(opts.seed);
  const sentences: string[] = [];
  for (const it of items) {
    const extras = extraSentences(it);
    for (let r = 0; r < opts.repeats; r++) {
      const u = rng.next();
      if (it.genres.length > 0 && u < 0.6) {
        const g = it.genres[rng.int(it.genres.length)]!;
        sentences.push(GENRE_TEMPLATES[rng.int(GENRE_TEMPLATES.length)]!(it.title, g, it, rng));
      } else if (it.genres.length > 0 && u < 0.75) {
        sentences.push(ALL_GENRES_TEMPLATES[rng.int(ALL_GENRES_TEMPLATES.length)]!(it.title, '', it, rng));
      } else if (it.year !== null && (u < 0.9 || extras.length === 0)) {
        sentences.push(DECADE_TEMPLATES[rng.int(DECADE_TEMPLATES.length)]!(bareTitle(it.title), decadeOf(it.year), it.year));
      } else if (extras.length > 0) {
        sentences.push(extras[rng.int(extras.length)]!);
      } else if (it.genres.length > 0) {
        sentences.push(GENRE_TEMPLATES[0]!(it.title, it.genres[0]!, it, rng));
      }
    }
  }
  rng.shuffle(sentences);
  const paras: string[] = [];
  for (let i = 0; i < sentences.length; i += 4) paras.push(sentences.slice(i, i + 4).join(' '));
  return paras.join('\n\n') + '\n';
}

/** The item-knowledge text of a dataset: reads `ds.items` only (never splits, users or labels). */
export function datasetItemCorpus(ds: Pick<Dataset, 'items'>, opts: ItemCorpusOptions): string {
  return itemCorpus(ds.items, opts);
}

/**
 * Cloze probes of one kind and phrasing for the items (all, or an evenly spaced subset of `maxItems`);
 * items without the answer (no genres / no year) are skipped.
 */
export function itemProbes(items: readonly ItemTextInfo[], kind: ItemProbeKind, phrasing: 'heldIn' | 'unseen', maxItems = Infinity): ItemProbe[] {
  const candidates = kind === 'genre' ? genreCandidates(items) : decadeCandidates(items);
  const idx = items.map((_, i) => i).filter((i) => (kind === 'genre' ? items[i]!.genres.length > 0 : items[i]!.year !== null));
  const n = Math.min(idx.length, maxItems);
  const pick = n === idx.length ? idx : Array.from({ length: n }, (_, k) => idx[Math.floor((k * idx.length) / n)]!);
  return pick.map((i) => {
    const it = items[i]!;
    return {
      item: i, kind, phrasing, prompt: ITEM_CLOZE[kind][phrasing](it), candidates,
      answers: kind === 'genre' ? [...it.genres] : [decadeOf(it.year!)],
    };
  });
}

/**
 * Supervised item questions for domain adaptation: every item that has the answer, asked in every prompt
 * of ITEM_QUESTION_PROMPTS[kind], with all of the catalogue's genres (decades) as candidates and the
 * item's own as answers. Reads item metadata only.
 */
export function itemQuestions(items: readonly ItemTextInfo[], kinds: readonly ItemProbeKind[]): (ClozeProbe & { readonly item: number; readonly kind: ItemProbeKind })[] {
  return kinds.flatMap((kind) => {
    const probes = itemProbes(items, kind, 'heldIn');
    return ITEM_QUESTION_PROMPTS[kind].flatMap((prompt) => probes.map(({ item, candidates, answers }) => ({ item, kind, prompt: prompt(items[item]!), candidates, answers })));
  });
}

/** Chance top-1 of probes: the mean share of candidates that are right answers. */
export function probeChance(probes: readonly ClozeProbe[]): number {
  return probes.length === 0 ? 0 : probes.reduce((a, p) => a + p.answers.length / p.candidates.length, 0) / probes.length;
}

/**
 * The dataset with each item's genres written after its title ("Quest (1964) (Adventure)"): perfect item
 * knowledge handed over as text, for measuring whether an LLM can use genre words in a prompt at all.
 * A generated dataset's `source.generator` is renamed (`withGenresInTitles(<generator>)`) so that its
 * content hash differs from the plain world's; other sources get `transform` recorded, which their
 * content hash includes (data/dataset-files.ts).
 */
export function withGenresInTitles<D extends Pick<Dataset, 'items'> & Partial<Pick<Dataset, 'source'>>>(ds: D): D {
  const items = ds.items.map((it) => ({ ...it, title: it.genres.length ? `${it.title} (${it.genres.join(', ')})` : it.title }));
  const src = ds.source;
  if (!src) return { ...ds, items };
  const gen = src['generator'];
  return { ...ds, items, source: typeof gen === 'string' ? { ...src, generator: `withGenresInTitles(${gen})` } : { ...src, transform: 'withGenresInTitles' } };
}
