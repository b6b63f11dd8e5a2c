// BPE training on a small text, its tokenizer.json loaded by @huggingface/transformers (round trip),
// the facts corpus, and seeded window sampling.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/rng';
import { bpeToTokenizerJson, bytesToUnicode, countWords, trainBpe } from '../../src/lm/bpe';
import { splitDocuments, tokenizeToStream, windowsAt } from '../../src/lm/corpus';
import { allFacts, candidatesOf, CLOZE, factsCorpus } from '../../src/lm/facts';

const TEXT = 'the cat sat on the mat. the cat ate the rat. a cat and a hat; the end. Café naïve 42!\n'.repeat(30);

describe('byte-level BPE', () => {
  it('maps all 256 bytes to distinct printable characters', () => {
    const t = bytesToUnicode();
    expect(new Set(t).size).toBe(256);
    expect(t[65]).toBe('A');
    expect(t[32]).toBe('Ġ');
  });
  it('merges the most frequent pairs first and reaches the vocabulary size', () => {
    const counts = new Map<string, number>();
    countWords(TEXT, counts);
    const m = trainBpe(counts, { vocabSize: 280, specialTokens: ['<|endoftext|>'], minWordCount: 1 });
    expect(m.vocab.get('<|endoftext|>')).toBe(0);
    expect(m.vocab.size).toBe(280);
    expect(m.vocab.has('Ġthe')).toBe(true);
    expect(m.vocab.has('Ġcat')).toBe(true);
    // the first merge is the most frequent adjacent pair, counted here independently
    const pairs = new Map<string, number>();
    for (const [w, c] of counts) {
      const ch = [...w];
      for (let k = 0; k + 1 < ch.length; k++) pairs.set(`${ch[k]} ${ch[k + 1]}`, (pairs.get(`${ch[k]} ${ch[k + 1]}`) ?? 0) + c);
    }
    const top = Math.max(...pairs.values());
    expect(pairs.get(m.merges[0]!)).toBe(top);
    // training stops when no pair occurs twice
    expect(trainBpe(counts, { vocabSize: 5000, specialTokens: [], minWordCount: 1 }).vocab.size).toBeLessThan(5000);
  });
  it('writes a tokenizer.json that transformers.js encodes and decodes losslessly', async () => {
    const counts = new Map<string, number>();
    countWords(TEXT, counts);
    const m = trainBpe(counts, { vocabSize: 320, specialTokens: ['<|endoftext|>', '<unk>'], minWordCount: 1 });
    const { PreTrainedTokenizer } = await import('@huggingface/transformers');
    const tok = new PreTrainedTokenizer(bpeToTokenizerJson(m), { eos_token: '<|endoftext|>', unk_token: '<unk>' });
    const s = 'the cat sat on a hat. Ünïcödé, 123 and "quotes"\n\nnew paragraph';
    const ids = tok.encode(s, { add_special_tokens: false });
    expect(tok.decode(ids)).toBe(s);
    expect(tok.encode(' the cat', { add_special_tokens: false })).toEqual([m.vocab.get('Ġthe'), m.vocab.get('Ġcat')]);
  });
});

describe('facts corpus', () => {
  const facts = allFacts();
  it('has capitals, continents, languages and elements with candidates', () => {
    expect(facts.find((f) => f.relation === 'capital' && f.subject === 'France')?.object).toBe('Paris');
    expect(facts.find((f) => f.relation === 'symbol' && f.subject === 'Gold')?.object).toBe('Au');
    expect(candidatesOf(facts, 'continent')).toContain('Europe');
    expect(candidatesOf(facts, 'capital').length).toBeGreaterThan(200);
    expect(CLOZE.capital.heldIn('France')).toBe('The capital of France is');
  });
  it('writes each fact the requested number of times, deterministically', () => {
    const few = facts.filter((f) => f.relation === 'capital').slice(0, 5);
    const a = factsCorpus(few, 3, makeRng(1)), b = factsCorpus(few, 3, makeRng(1));
    expect(a).toBe(b);
    for (const f of few) expect(a.split(f.object).length - 1).toBeGreaterThanOrEqual(3);
  });
});

describe('token streams and windows', () => {
  const tok = { encode: (t: string) => Array.from(t, (c) => c.charCodeAt(0) % 50), eosId: 99, vocabSize: 100 };
  it('splits documents, appends eos, and reuses the cache only for the same text', () => {
    const docs = splitDocuments('ab\n<|endoftext|>\ncd\n');
    expect(docs).toEqual(['ab\n', 'cd\n']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-corpus-'));
    const f = path.join(dir, 'c.bin');
    const s1 = tokenizeToStream(docs, tok, 'toy', f);
    expect(Array.from(s1)).toEqual([97 % 50, 98 % 50, 10, 99, 99 % 50, 100 % 50, 10, 99]);
    const s2 = tokenizeToStream(docs, { ...tok, encode: () => [1] }, 'toy', f);
    expect(Array.from(s2)).toEqual(Array.from(s1));
    const s3 = tokenizeToStream(['zz'], tok, 'toy', f);
    expect(s3.length).toBe(3);
    fs.rmSync(dir, { recursive: true });
  });
  it('draws the same windows for the same (seed, step) and mixes streams by weight', () => {
    const a = { name: 'a', tokens: new Uint16Array(1000).fill(1), weight: 3 };
    const b = { name: 'b', tokens: new Uint16Array(1000).fill(2), weight: 1 };
    const w1 = windowsAt([a, b], 400, 8, 5, 17), w2 = windowsAt([a, b], 400, 8, 5, 17);
    expect(Array.from(w1)).toEqual(Array.from(w2));
    const fromA = Array.from({ length: 400 }, (_, r) => w1[r * 9]).filter((x) => x === 1).length;
    expect(fromA / 400).toBeGreaterThan(0.65);
    expect(fromA / 400).toBeLessThan(0.85);
    expect(() => windowsAt([{ name: 's', tokens: new Uint16Array(4), weight: 1 }], 1, 8, 0, 0)).toThrow(/stream "s" has 4 tokens/);
  });
});
