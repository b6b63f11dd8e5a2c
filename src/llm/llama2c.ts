// Reader for llama2.c's legacy .bin checkpoints (7 int32 header + float32 weights). llama2.c rotates
// adjacent pairs; with layout 'half' the q/k rows are permuted per head (as Hugging Face's
// convert_llama_weights_to_hf.py does) so the model runs, and saves, in the Hugging Face layout.
// Reference: karpathy/llama2.c run.c (memory_map_weights); transformers convert_llama_weights_to_hf.py.
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { makeLlamaConfig, type RopeLayout } from './config';
import type { LlamaLayerWeights, LlamaModel } from './weights';

/**
 * Row order that turns interleaved-pair rope rows into half-split rows: within each head of width D,
 * new row j < D/2 takes old row 2j, new row D/2 + j takes old row 2j + 1. @returns [nHeads * D] row indices
 */
export function interleavedToHalfRows(nHeads: number, headDim: number): Int32Array {
  const out = new Int32Array(nHeads * headDim), half = headDim / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < half; j++) {
      out[h * headDim + j] = h * headDim + 2 * j;
      out[h * headDim + half + j] = h * headDim + 2 * j + 1;
    }
  }
  return out;
}

/** Loads a llama2.c .bin (legacy version-0 format); bos = 1, eos = 2 as in llama2.c's tokenizer. */
export function loadLlama2c(file: string, opts: { layout?: RopeLayout } = {}): LlamaModel {
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found`);
  const buf = fs.readFileSync(file);
  if (buf.length < 28) throw new Error(`${file}: too short for a llama2.c header (${buf.length} bytes)`);
  const h = Array.from({ length: 7 }, (_, i) => buf.readInt32LE(4 * i));
  const [dim, hidden, L, H, KV, vocabSigned, seqLen] = h as [number, number, number, number, number, number, number];
  const shared = vocabSigned > 0, vocab = Math.abs(vocabSigned);
  if ([dim, hidden, L, H, KV, vocab, seqLen].some((x) => !(x > 0)) || dim % H !== 0) throw new Error(`${file}: implausible llama2.c header ${JSON.stringify(h)}`);
  const hd = dim / H, kvDim = KV * hd;
  const counts = [vocab * dim, L * dim, L * dim * dim, L * kvDim * dim, L * kvDim * dim, L * dim * dim, L * dim, L * hidden * dim, L * dim * hidden, L * hidden * dim, dim, seqLen * hd / 2, seqLen * hd / 2];
  const need = counts.reduce((a, b) => a + b, 0) + (shared ? 0 : vocab * dim);
  const have = (buf.length - 28) / 4;
  if (have !== need) throw new Error(`${file}: holds ${have} floats after the header, the header ${JSON.stringify(h)} implies ${need} (truncated or not a llama2.c v0 file)`);
  const f = new Float32Array(buf.buffer.slice(buf.byteOffset + 28, buf.byteOffset + buf.length));
  let o = 0;
  const take = (n: number): Float32Array => { const x = f.subarray(o, o + n); o += n; return x; };
  const [emb, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal] = counts.slice(0, 11).map(take) as Float32Array[];
  take(counts[11]!);
  take(counts[12]!);
  const cls = shared ? null : take(vocab * dim);
  const layout = opts.layout ?? 'half';
  const qRows = layout === 'half' ? interleavedToHalfRows(H, hd) : null, kRows = layout === 'half' ? interleavedToHalfRows(KV, hd) : null;
  const mat = (src: Float32Array, l: number, rows: number, cols: number, perm: Int32Array | null = null): tf.Tensor2D => {
    const base = l * rows * cols;
    if (!perm) return tf.tensor2d(src.slice(base, base + rows * cols), [rows, cols]);
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) out.set(src.subarray(base + perm[r]! * cols, base + (perm[r]! + 1) * cols), r * cols);
    return tf.tensor2d(out, [rows, cols]);
  };
  const vec = (src: Float32Array, l: number, n: number): tf.Tensor1D => tf.tensor1d(src.slice(l * n, (l + 1) * n));
  const layers: LlamaLayerWeights[] = [];
  for (let l = 0; l < L; l++) {
    layers.push({
      inputNorm: vec(rmsAtt!, l, dim), q: mat(wq!, l, dim, dim, qRows), k: mat(wk!, l, kvDim, dim, kRows), v: mat(wv!, l, kvDim, dim), o: mat(wo!, l, dim, dim),
      qBias: null, kBias: null, vBias: null,
      postNorm: vec(rmsFfn!, l, dim), gate: mat(w1!, l, hidden, dim), up: mat(w3!, l, hidden, dim), down: mat(w2!, l, dim, hidden),
    });
  }
  const config = makeLlamaConfig({
    vocabSize: vocab, hiddenSize: dim, intermediateSize: hidden, numHiddenLayers: L, numAttentionHeads: H, numKeyValueHeads: KV,
    maxPositionEmbeddings: seqLen, rmsNormEps: 1e-5, ropeTheta: 10000, ropeLayout: layout, tieWordEmbeddings: shared, bosTokenId: 1, eosTokenId: 2,
  });
  return { config, weights: { embed: tf.tensor2d(emb!, [vocab, dim]), layers, finalNorm: tf.tensor1d(rmsFinal!), lmHead: cls ? tf.tensor2d(cls, [vocab, dim]) : null } };
}
