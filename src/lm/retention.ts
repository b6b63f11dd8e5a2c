// General-knowledge retention of adapted models: held-out perplexity and fact-probe (cloze) accuracy
// of the base model and of named sets of adapter hooks (a set averages over several hooks, e.g. one
// per sampled sample-specific weight), a summary table against the base, and greedy generations side
// by side. Knows hooks only, nothing of what trained them. Also finds the held-out text.
// Reference: Petroni et al., LAMA (2019); Biderman et al., LoRA Learns Less and Forgets Less (2024).
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../core/paths';
import { generate } from '../llm/generate';
import type { AdapterHook } from '../llm/layers';
import type { KitTokenizer } from '../llm/tokenizer';
import type { LlamaModel } from '../llm/weights';
import { readCorpusText, splitDocuments } from './corpus';
import { allFacts, type Fact, type Relation } from './facts';
import { clozeAccuracy, textPerplexity, type ClozeResult } from './probes';

/** Held-out text and where it came from. */
export interface HeldOutText {
  readonly text: string;
  /** The file read. */
  readonly file: string;
  /** True when read from the corpus's valid.txt.gz, false when from the model folder's valid-slice.txt. */
  readonly fromCorpus: boolean;
}

/** The default corpus folder: ../shared/corpora/gutenberg next to the project. */
export function defaultCorpusDir(): string {
  return path.join(projectRoot(), '..', 'shared', 'corpora', 'gutenberg');
}

/**
 * The first maxChars characters of the held-out books: the corpus's valid.txt.gz when `corpusDir`
 * (default defaultCorpusDir()) holds it, else the valid slice stored next to the model by lm-card
 * (the first 12,000 characters of the same text). Throws when neither exists.
 */
export function heldOutText(modelDir: string, opts: { readonly maxChars: number; readonly corpusDir?: string | null }): HeldOutText {
  const corpus = opts.corpusDir === null ? null : path.join(opts.corpusDir ?? defaultCorpusDir(), 'valid.txt.gz');
  if (corpus && fs.existsSync(corpus)) return { text: splitDocuments(readCorpusText(corpus)).join('').slice(0, opts.maxChars), file: corpus, fromCorpus: true };
  const slice = path.join(modelDir, 'valid-slice.txt');
  if (fs.existsSync(slice)) return { text: fs.readFileSync(slice, 'utf8').slice(0, opts.maxChars), file: slice, fromCorpus: false };
  throw new Error(`heldOutText: no held-out text (neither ${corpus ?? 'a corpus'} nor ${slice})`);
}

/** A named way of running the model: hooks averaged over (undefined = the base model, no adapter). */
export interface AdapterSet {
  readonly name: string;
  /** At least one; several (e.g. sampled per-sample weights) are each measured and averaged. */
  readonly hooks: readonly (AdapterHook | undefined)[];
}

/** One probe: a relation under one phrasing. */
export interface ProbeSpec {
  readonly relation: Relation;
  readonly phrasing: 'heldIn' | 'unseen';
}

/** What retention measures. */
export interface RetentionOptions {
  /** Held-out text (its first maxTokens tokens are scored, BOS first). */
  readonly text: string;
  /** Tokens of `text` scored (BOS included). */
  readonly maxTokens: number;
  /** Sliding-window length of the perplexity, in tokens. */
  readonly window: number;
  /** Tokens the perplexity window advances each time (each window scores only its new tokens). */
  readonly stride: number;
  /** Relations and phrasings whose fact-probe accuracy is measured. */
  readonly probes: readonly ProbeSpec[];
  /** Facts per probe (the first ones of the relation). */
  readonly maxFacts: number;
  /** Facts to probe (default allFacts()). */
  readonly facts?: readonly Fact[];
  /** Called after each measured hook. */
  readonly onProgress?: (line: string) => void;
}

/** The measures of one hook of one set. */
export interface RetentionMeasure {
  readonly method: string;
  /** Index of the hook in its set. */
  readonly sample: number;
  readonly ppl: number;
  readonly tokens: number;
  readonly probes: readonly ClozeResult[];
}

/**
 * Held-out perplexity and cloze accuracy of every hook of every set, sets in order. A hook object that
 * an earlier set already holds (e.g. two methods sharing one LoRA) is measured once and its measures reused.
 */
export async function measureRetention(m: LlamaModel, tok: KitTokenizer, sets: readonly AdapterSet[], opts: RetentionOptions): Promise<RetentionMeasure[]> {
  const facts = opts.facts ?? allFacts();
  const out: RetentionMeasure[] = [];
  const seen = new Map<AdapterHook | undefined, Omit<RetentionMeasure, 'method' | 'sample'>>();
  for (const set of sets) {
    if (set.hooks.length === 0) throw new Error(`measureRetention: set "${set.name}" has no hooks`);
    for (const [sample, hook] of set.hooks.entries()) {
      let r = seen.get(hook);
      const reused = r !== undefined;
      if (!r) {
        const p = await textPerplexity(m, tok, opts.text, { maxTokens: opts.maxTokens, window: opts.window, stride: opts.stride, ...(hook ? { adapter: hook } : {}) });
        const probes: ClozeResult[] = [];
        for (const pr of opts.probes) probes.push(await clozeAccuracy(m, tok, facts, pr.relation, pr.phrasing, { maxFacts: opts.maxFacts, ...(hook ? { adapterFor: () => hook } : {}) }));
        r = { ppl: p.ppl, tokens: p.tokens, probes };
        seen.set(hook, r);
      }
      out.push({ method: set.name, sample, ...r });
      opts.onProgress?.(`${set.name}${set.hooks.length > 1 ? ` #${sample + 1}/${set.hooks.length}` : ''}: ppl ${r.ppl.toFixed(2)}, top-1 ${(100 * pooledTop1(r.probes)).toFixed(1)}%${reused ? ' (same adapter as an earlier set)' : ''}`);
    }
  }
  return out;
}

/** Facts-weighted top-1 over probes (optionally of one phrasing); NaN when none. */
function pooledTop1(probes: readonly ClozeResult[], phrasing?: 'heldIn' | 'unseen'): number {
  const ps = probes.filter((p) => phrasing === undefined || p.phrasing === phrasing);
  const n = ps.reduce((a, p) => a + p.facts, 0);
  return n === 0 ? NaN : ps.reduce((a, p) => a + p.top1 * p.facts, 0) / n;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** One method's retention, averaged over its hooks; a type alias, so it fits recordsToSeries' records. */
export type RetentionRow = {
  readonly method: string;
  /** Hooks averaged over. */
  readonly samples: number;
  /** Mean held-out perplexity over the hooks, and its range. */
  readonly ppl: number;
  readonly pplMin: number;
  readonly pplMax: number;
  /** 100 * (ppl / base ppl - 1). */
  readonly pplChangePct: number;
  /** Facts-weighted top-1 over the held-in / unseen probes (NaN without such probes), mean over the hooks. */
  readonly top1HeldIn: number;
  readonly top1Unseen: number;
  /** top1HeldIn - the base's, in percentage points. */
  readonly heldInChangePts: number;
};

/** The retention table: one row per method in order of first appearance, compared with the method named `base`. */
export function retentionTable(measures: readonly RetentionMeasure[], base: string): RetentionRow[] {
  const groups = new Map<string, RetentionMeasure[]>();
  for (const m of measures) groups.set(m.method, [...(groups.get(m.method) ?? []), m]);
  const b = groups.get(base);
  if (!b) throw new Error(`retentionTable: no measures of the base "${base}" (have: ${[...groups.keys()].join(', ')})`);
  const bPpl = mean(b.map((m) => m.ppl)), bHeld = mean(b.map((m) => pooledTop1(m.probes, 'heldIn')));
  return [...groups].map(([method, ms]) => {
    const ppls = ms.map((m) => m.ppl), held = mean(ms.map((m) => pooledTop1(m.probes, 'heldIn')));
    return {
      method, samples: ms.length, ppl: mean(ppls), pplMin: Math.min(...ppls), pplMax: Math.max(...ppls), pplChangePct: 100 * (mean(ppls) / bPpl - 1),
      top1HeldIn: held, top1Unseen: mean(ms.map((m) => pooledTop1(m.probes, 'unseen'))), heldInChangePts: 100 * (held - bHeld),
    };
  });
}

/** Top-1 of one probe for one method (mean over its hooks), with the probe's chance level; a type alias, so it fits recordsToSeries' records. */
export type ProbeRow = {
  readonly method: string;
  /** "<relation> (<phrasing>)". */
  readonly probe: string;
  readonly top1: number;
  readonly chance: number;
  readonly facts: number;
};

/** Per-probe top-1 per method (mean over hooks), methods outer, probes in measured order. */
export function retentionProbeRows(measures: readonly RetentionMeasure[]): ProbeRow[] {
  const groups = new Map<string, RetentionMeasure[]>();
  for (const m of measures) groups.set(m.method, [...(groups.get(m.method) ?? []), m]);
  return [...groups].flatMap(([method, ms]) => ms[0]!.probes.map((p, j) => ({
    method, probe: `${p.relation} (${p.phrasing})`, top1: mean(ms.map((m) => m.probes[j]!.top1)), chance: p.chance, facts: p.facts,
  })));
}

/** One prompt's greedy continuation under each set (its first hook). */
export interface GenerationRow {
  readonly prompt: string;
  /** Method name -> generated text. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** Greedy continuations of each prompt under each set's first hook (stops at EOS). */
export async function sideBySideGenerations(m: LlamaModel, tok: KitTokenizer, prompts: readonly string[], sets: readonly AdapterSet[], maxNewTokens: number): Promise<GenerationRow[]> {
  const stop = tok.eosId !== null ? [tok.eosId] : [];
  const rows: GenerationRow[] = [];
  for (const prompt of prompts) {
    const ids = tok.encode(prompt, { addBos: true });
    const outputs: Record<string, string> = {};
    for (const s of sets) {
      const hook = s.hooks[0];
      outputs[s.name] = tok.decode(await generate(m, ids, { maxNewTokens, stopTokens: stop, ...(hook ? { adapter: hook } : {}) }));
    }
    rows.push({ prompt, outputs });
  }
  return rows;
}

/** One hook's perplexity and pooled held-in top-1 (a point of the retention plane); a type alias, so it fits recordsToSeries' records. */
export type RetentionPoint = {
  readonly method: string;
  readonly sample: number;
  readonly ppl: number;
  readonly top1HeldIn: number;
};

/** One point per measured hook: perplexity and facts-weighted held-in top-1. */
export function retentionPoints(measures: readonly RetentionMeasure[]): RetentionPoint[] {
  return measures.map((m) => ({ method: m.method, sample: m.sample, ppl: m.ppl, top1HeldIn: pooledTop1(m.probes, 'heldIn') }));
}
