// A facts corpus generated from permissively licensed npm data (countries-list, MIT: capitals,
// continents, languages; chemical-elements, MIT: symbols and atomic numbers), written as varied natural
// sentences for pretraining, plus cloze prompts (held-in phrasings and unseen phrasings) for probes.
import { elements } from 'chemical-elements';
import { continents, countries, languages } from 'countries-list';
import type { Rng } from '../core/rng';

/** The relation a fact states. */
export type Relation = 'capital' | 'continent' | 'language' | 'symbol' | 'atomicNumber';

/** One fact: subject, relation, object; candidates = every object of that relation (for ranking). */
export interface Fact {
  readonly relation: Relation;
  readonly subject: string;
  readonly object: string;
}

type Template = (s: string, o: string) => string;

/** Sentence templates used in the training corpus. */
const TRAIN_TEMPLATES: Record<Relation, Template[]> = {
  capital: [
    (s, o) => `The capital of ${s} is ${o}.`,
    (s, o) => `${o} is the capital of ${s}.`,
    (s, o) => `The capital city of ${s} is ${o}.`,
    (s, o) => `In ${s}, the seat of government is the city of ${o}.`,
    (s, o) => `${o}, the capital of ${s}, is the largest political centre of the country.`,
    (s, o) => `If you travel to ${s}, you may visit its capital, ${o}.`,
  ],
  continent: [
    (s, o) => `${s} is a country in ${o}.`,
    (s, o) => `${s} lies in ${o}.`,
    (s, o) => `The country of ${s} is located in ${o}.`,
    (s, o) => `On a map of ${o}, you can find ${s}.`,
  ],
  language: [
    (s, o) => `The main language of ${s} is ${o}.`,
    (s, o) => `Most people in ${s} speak ${o}.`,
    (s, o) => `In ${s}, people speak ${o}.`,
    (s, o) => `${o} is spoken in ${s}.`,
  ],
  symbol: [
    (s, o) => `The chemical symbol for ${s.toLowerCase()} is ${o}.`,
    (s, o) => `${o} is the symbol of the element ${s.toLowerCase()}.`,
    (s, o) => `Chemists write ${s.toLowerCase()} as ${o}.`,
  ],
  atomicNumber: [
    (s, o) => `The atomic number of ${s.toLowerCase()} is ${o}.`,
    (s, o) => `${s} has the atomic number ${o}.`,
    (s, o) => `An atom of ${s.toLowerCase()} has ${o} protons.`,
  ],
};

/** Cloze prompts: held-in = the first training phrasing; unseen = phrasings never in the corpus. The object follows after a space. */
export const CLOZE: Record<Relation, { heldIn: (s: string) => string; unseen: (s: string) => string }> = {
  capital: { heldIn: (s) => `The capital of ${s} is`, unseen: (s) => `Which city is the capital of ${s}? It is` },
  continent: { heldIn: (s) => `${s} is a country in`, unseen: (s) => `Where is ${s}? It is on the continent of` },
  language: { heldIn: (s) => `The main language of ${s} is`, unseen: (s) => `Visitors to ${s} should learn a few words of` },
  symbol: { heldIn: (s) => `The chemical symbol for ${s.toLowerCase()} is`, unseen: (s) => `On the periodic table, ${s.toLowerCase()} is written` },
  atomicNumber: { heldIn: (s) => `The atomic number of ${s.toLowerCase()} is`, unseen: (s) => `How many protons does ${s.toLowerCase()} have? It has` },
};

/** Every fact the kit knows, in a fixed order. */
export function allFacts(): Fact[] {
  const out: Fact[] = [];
  const cs = Object.values(countries).filter((c) => c.capital && c.name).sort((a, b) => a.name.localeCompare(b.name));
  for (const c of cs) out.push({ relation: 'capital', subject: c.name, object: c.capital });
  for (const c of cs) out.push({ relation: 'continent', subject: c.name, object: continents[c.continent as keyof typeof continents] });
  for (const c of cs) {
    const lang = languages[c.languages[0] as keyof typeof languages];
    if (lang) out.push({ relation: 'language', subject: c.name, object: lang.name });
  }
  for (const e of elements) {
    if (e.number > 103) continue;
    out.push({ relation: 'symbol', subject: e.name, object: e.symbol });
    out.push({ relation: 'atomicNumber', subject: e.name, object: String(e.number) });
  }
  return out;
}

/** The distinct objects of a relation: the candidates a cloze probe ranks. */
export function candidatesOf(facts: readonly Fact[], relation: Relation): string[] {
  return [...new Set(facts.filter((f) => f.relation === relation).map((f) => f.object))].sort();
}

/**
 * A training text: each fact written `repeats` times with randomly chosen training phrasings,
 * sentences shuffled and grouped into short paragraphs. @returns text with paragraphs separated by blank lines
 */
export function factsCorpus(facts: readonly Fact[], repeats: number, rng: Rng): string {
  const sentences: string[] = [];
  for (const f of facts) {
    const ts = TRAIN_TEMPLATES[f.relation];
    for (let r = 0; r < repeats; r++) sentences.push(ts[rng.int(ts.length)]!(f.subject, f.object));
  }
  rng.shuffle(sentences);
  const paras: string[] = [];
  for (let i = 0; i < sentences.length; i += 4) paras.push(sentences.slice(i, i + 4).join(' '));
  return paras.join('\n\n') + '\n';
}
