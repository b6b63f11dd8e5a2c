// Pretraining text as token streams: documents from a text file (books separated by a line holding
// only <|endoftext|>, .gz allowed), tokenised once and cached as uint16/int32 binaries next to a
// fingerprint; seeded random windows drawn from a mix of streams for each step (reproducible on resume).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { writeFileAtomic } from '../core/io';
import { makeRng } from '../core/rng';

/** What the corpus needs from a tokenizer. */
export interface TextEncoder {
  /** Token ids of a text, without special tokens. */
  encode(text: string): number[];
  /** Id appended after every document. */
  readonly eosId: number;
  readonly vocabSize: number;
}

/** The text of a corpus file (.gz allowed), with a clear error naming the file. */
export function readCorpusText(file: string): string {
  if (!fs.existsSync(file)) throw new Error(`${file}: corpus file not found`);
  const raw = fs.readFileSync(file);
  try {
    return (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
  } catch (e) {
    throw new Error(`${file}: not a complete gzip file (${(e as Error).message})`);
  }
}

/** Splits a corpus text into documents at lines holding only <|endoftext|>. */
export function splitDocuments(text: string): string[] {
  return text.split(/^<\|endoftext\|>\n/m).filter((d) => d.length > 0);
}

/**
 * Tokenises documents into one stream (eos after each), reusing `cacheFile` when its fingerprint
 * (text hash + tokenizer fingerprint) matches. Long documents are encoded in paragraph chunks.
 * @returns the stream as Uint16Array (vocab <= 65536) or Int32Array
 */
export function tokenizeToStream(docs: readonly string[], tok: TextEncoder, tokFingerprint: string, cacheFile: string | null,
  onProgress?: (done: number, total: number) => void): Uint16Array | Int32Array {
  const hash = crypto.createHash('sha256');
  for (const d of docs) hash.update(d).update('\u0000');
  const fp = `${hash.digest('hex')}:${tokFingerprint}`;
  const wide = tok.vocabSize > 65536;
  if (cacheFile && fs.existsSync(cacheFile) && fs.existsSync(cacheFile + '.json')) {
    const meta = JSON.parse(fs.readFileSync(cacheFile + '.json', 'utf8')) as { fingerprint: string };
    if (meta.fingerprint === fp) {
      const b = fs.readFileSync(cacheFile);
      const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
      return wide ? new Int32Array(ab) : new Uint16Array(ab);
    }
  }
  const parts: number[][] = [];
  let total = 0;
  docs.forEach((d, k) => {
    const ids: number[] = [];
    for (const chunk of d.split(/(?<=\n\n)/)) for (const t of tok.encode(chunk)) ids.push(t);
    ids.push(tok.eosId);
    parts.push(ids);
    total += ids.length;
    onProgress?.(k + 1, docs.length);
  });
  const out = wide ? new Int32Array(total) : new Uint16Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  if (cacheFile) {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileAtomic(cacheFile, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    writeFileAtomic(cacheFile + '.json', JSON.stringify({ fingerprint: fp, tokens: total, docs: docs.length }));
  }
  return out;
}

/** A stream with its sampling weight. */
export interface WeightedStream {
  readonly name: string;
  readonly tokens: Uint16Array | Int32Array;
  /** Relative probability that a window comes from this stream. */
  readonly weight: number;
}

/**
 * The [B, T+1] token windows of one step: each row picks a stream by weight and a uniform start; the
 * draw depends only on (seed, step), so a resumed run sees the same data. @returns row-major Int32Array
 */
export function windowsAt(streams: readonly WeightedStream[], batch: number, seqLen: number, seed: number, step: number): Int32Array {
  const rng = makeRng((seed * 1000003 + step * 7919 + 11) | 0);
  const total = streams.reduce((a, s) => a + s.weight, 0);
  const out = new Int32Array(batch * (seqLen + 1));
  for (let b = 0; b < batch; b++) {
    let r = rng.next() * total, s = streams[0]!;
    for (const x of streams) { if (r < x.weight) { s = x; break; } r -= x.weight; }
    if (s.tokens.length < seqLen + 1) throw new Error(`stream "${s.name}" has ${s.tokens.length} tokens, fewer than a window of ${seqLen + 1}`);
    const start = rng.int(s.tokens.length - seqLen);
    for (let t = 0; t <= seqLen; t++) out[b * (seqLen + 1) + t] = s.tokens[start + t]!;
  }
  return out;
}
