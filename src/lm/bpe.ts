// Byte-level BPE training (GPT-2 style: bytes mapped to printable characters, GPT-2 pre-tokenisation
// regex, greedy most-frequent-pair merges with incremental pair counts), written as a Hugging Face
// tokenizer.json that @huggingface/transformers loads. Reference: Sennrich et al. 2016; GPT-2 encoder.py.

/** GPT-2's pre-tokenisation pattern (contractions, letters, numbers, other, whitespace). */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's reversible byte -> printable character table. @returns [256] single-character strings */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) { bs.push(b); cs.push(256 + n); n++; }
  }
  const table = new Array<string>(256);
  bs.forEach((b, i) => { table[b] = String.fromCharCode(cs[i]!); });
  return table;
}

/** BPE training settings. */
export interface BpeConfig {
  /** Final vocabulary size including the 256 byte symbols and the special tokens (required). */
  readonly vocabSize: number;
  /** Special tokens, given ids 0..n-1 (e.g. ["<|endoftext|>", "<unk>"]; required, may be empty). */
  readonly specialTokens: readonly string[];
  /** Ignore pre-tokenised words seen fewer times than this (speed; they still encode via bytes; required, 1 keeps all). */
  readonly minWordCount: number;
}

/** A trained byte-level BPE. */
export interface BpeModel {
  /** token string -> id */
  readonly vocab: Map<string, number>;
  /** merges in rank order, each "a b" */
  readonly merges: string[];
  readonly specialTokens: readonly string[];
}

/** Counts the pre-tokenised words of a text (in byte-mapped form) into `counts`. */
export function countWords(text: string, counts: Map<string, number>): void {
  const table = bytesToUnicode();
  const enc = new TextEncoder();
  for (const m of text.matchAll(GPT2_SPLIT)) {
    const bytes = enc.encode(m[0]);
    let w = '';
    for (const b of bytes) w += table[b];
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
}

/**
 * Learns merges from word counts until the vocabulary reaches cfg.vocabSize.
 * onProgress(merges, vocabSize) is called every 500 merges.
 */
export function trainBpe(counts: Map<string, number>, cfg: BpeConfig, onProgress?: (merges: number, target: number) => void): BpeModel {
  const table = bytesToUnicode();
  const vocab = new Map<string, number>();
  for (const s of cfg.specialTokens) vocab.set(s, vocab.size);
  for (const ch of [...table].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0))) vocab.set(ch, vocab.size);
  if (cfg.vocabSize < vocab.size) throw new Error(`BpeConfig.vocabSize must be >= ${vocab.size} (256 bytes + specials), got ${cfg.vocabSize}`);
  // words as arrays of symbol ids
  const symbols: string[] = [...vocab.keys()];
  const words: Int32Array[] = [], freq: number[] = [];
  for (const [w, c] of counts) {
    if (c < cfg.minWordCount) continue;
    words.push(Int32Array.from([...w].map((ch) => vocab.get(ch)!)));
    freq.push(c);
  }
  const key = (a: number, b: number): number => a * 65536 + b;
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const heap = new PairHeap();
  const touched = new Set<number>();
  const addWord = (wi: number, sign: number): void => {
    const w = words[wi]!;
    for (let k = 0; k + 1 < w.length; k++) {
      const p = key(w[k]!, w[k + 1]!);
      pairCount.set(p, (pairCount.get(p) ?? 0) + sign * freq[wi]!);
      touched.add(p);
      if (sign > 0) {
        let s = pairWords.get(p);
        if (!s) { s = new Set(); pairWords.set(p, s); }
        s.add(wi);
      }
    }
  };
  const flush = (): void => {
    for (const p of touched) heap.push(pairCount.get(p) ?? 0, p);
    touched.clear();
  };
  for (let wi = 0; wi < words.length; wi++) addWord(wi, 1);
  flush();
  const merges: string[] = [];
  while (vocab.size < cfg.vocabSize) {
    // lazy deletion: skip heap entries whose count is stale
    let best = -1, bestCount = 0;
    while (heap.size > 0) {
      const [c, p] = heap.pop();
      if (c === pairCount.get(p) && c > 0) { best = p; bestCount = c; break; }
    }
    if (best < 0 || bestCount < 2) break;
    const a = Math.floor(best / 65536), b = best % 65536;
    const merged = symbols[a]! + symbols[b]!;
    const id = symbols.length;
    symbols.push(merged);
    vocab.set(merged, id);
    merges.push(`${symbols[a]} ${symbols[b]}`);
    for (const wi of [...(pairWords.get(best) ?? [])]) {
      const w = words[wi]!;
      addWord(wi, -1);
      const out: number[] = [];
      for (let k = 0; k < w.length; k++) {
        if (k + 1 < w.length && w[k] === a && w[k + 1] === b) { out.push(id); k++; } else out.push(w[k]!);
      }
      words[wi] = Int32Array.from(out);
      addWord(wi, 1);
    }
    pairCount.delete(best);
    pairWords.delete(best);
    touched.delete(best);
    flush();
    if (onProgress && merges.length % 500 === 0) onProgress(merges.length, cfg.vocabSize);
  }
  return { vocab, merges, specialTokens: cfg.specialTokens };
}

/** The Hugging Face tokenizer.json object of a trained BPE (ByteLevel pre-tokenizer and decoder, no prefix space). */
export function bpeToTokenizerJson(m: BpeModel): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: m.specialTokens.map((content) => ({
      id: m.vocab.get(content)!, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab: Object.fromEntries(m.vocab), merges: m.merges,
    },
  };
}

/** A binary max-heap of (count, pair) ordered by count, then by smaller pair id (deterministic ties). */
class PairHeap {
  private readonly c: number[] = [];
  private readonly p: number[] = [];
  get size(): number { return this.c.length; }
  private before(i: number, j: number): boolean {
    return this.c[i]! > this.c[j]! || (this.c[i] === this.c[j] && this.p[i]! < this.p[j]!);
  }
  private swap(i: number, j: number): void {
    [this.c[i], this.c[j]] = [this.c[j]!, this.c[i]!];
    [this.p[i], this.p[j]] = [this.p[j]!, this.p[i]!];
  }
  push(count: number, pair: number): void {
    this.c.push(count);
    this.p.push(pair);
    for (let i = this.c.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (!this.before(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }
  pop(): [number, number] {
    const top: [number, number] = [this.c[0]!, this.p[0]!];
    const lastC = this.c.pop()!, lastP = this.p.pop()!;
    if (this.c.length > 0) {
      this.c[0] = lastC;
      this.p[0] = lastP;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < this.c.length && this.before(l, m)) m = l;
        if (r < this.c.length && this.before(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}
