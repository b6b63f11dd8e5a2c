// Reader for llama2.c's legacy .bin checkpoints (7 int32 header + float32 weights). llama2.c rotates
// adjacent pairs; with layout 'half' the q/k rows are permuted per head (as Hugging Face's
// convert_llama_weights_to_hf.py does) so the model runs, and saves, in the Hugging Face layout.
// Reference: karpathy/llama2.c run.c (memory_map_weights); transformers convert_llama_weights_to_hf.py.
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { makeLlamaConfig, type RopeLayout } from './config';
import type { LlamaLayerWeights, LlamaModel } from './weights';

/** The 7-int32 header of a llama2.c legacy (version 0) checkpoint. */
export interface Llama2cHeader {
  /** Model width. */
  readonly dim: number;
  /** SwiGLU inner width. */
  readonly hiddenDim: number;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly nKvHeads: number;
  /** Vocabulary size (the file stores it negated when an untied classifier follows the weights). */
  readonly vocabSize: number;
  /** True when the classifier is the token embedding (stored vocab_size > 0). */
  readonly shared: boolean;
  /** Maximum sequence length (rows of the stored rope tables). */
  readonly seqLen: number;
}

/**
 * Row order that turns interleaved-pair rope rows into half-split rows, i.e. Hugging Face's
 * permute: view(nHeads, D/2, 2, in).transpose(1, 2).reshape. Within each head of width D, new row
 * j < D/2 takes old row 2j and new row D/2 + j takes old row 2j + 1. @returns [nHeads * D] int32 source rows
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

/** Parses and checks the header; `file` names the checkpoint in errors. */
export function parseLlama2cHeader(buf: Uint8Array, file: string): Llama2cHeader {
  if (buf.length < 28) throw new Error(`${file}: too short for a llama2.c header (${buf.length} bytes, need 28)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, 28);
  const h = Array.from({ length: 7 }, (_, i) => dv.getInt32(4 * i, true)) as [number, number, number, number, number, number, number];
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSigned, seqLen] = h;
  const bad = (why: string) => new Error(`${file}: implausible llama2.c header [dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len] = [${h.join(', ')}]: ${why}`);
  if ([dim, hiddenDim, nLayers, nHeads, nKvHeads, seqLen].some((x) => !(x > 0)) || vocabSigned === 0) throw bad('sizes must be positive');
  if (dim % nHeads !== 0) throw bad('n_heads must divide dim');
  if (nHeads % nKvHeads !== 0) throw bad('n_kv_heads must divide n_heads');
  if ((dim / nHeads) % 2 !== 0) throw bad('the head width must be even for rotary embeddings');
  return { dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize: Math.abs(vocabSigned), shared: vocabSigned > 0, seqLen };
}

/** Float counts of the stored arrays in file order (classifier last, 0 when shared). */
function sectionSizes(h: Llama2cHeader): number[] {
  const { dim, hiddenDim: f, nLayers: L, vocabSize: V, seqLen } = h;
  const hd = dim / h.nHeads, kv = h.nKvHeads * hd;
  // token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, freq_cis_real, freq_cis_imag, classifier
  return [V * dim, L * dim, L * dim * dim, L * kv * dim, L * kv * dim, L * dim * dim, L * dim, L * f * dim, L * dim * f, L * f * dim, dim, (seqLen * hd) / 2, (seqLen * hd) / 2, h.shared ? 0 : V * dim];
}

/**
 * Loads a llama2.c .bin (legacy version-0 format) as float32 weights in the [out, in] layout. Layout
 * 'half' (default) permutes wq/wk rows to the Hugging Face rotary layout; 'interleaved' keeps them and
 * sets config.ropeLayout 'interleaved'. rope_theta 10000, rms eps 1e-5, bos 1, eos 2 as in llama2.c.
 */
export function loadLlama2c(file: string, opts: { layout?: RopeLayout } = {}): LlamaModel {
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found`);
  const buf = fs.readFileSync(file);
  const h = parseLlama2cHeader(buf, file);
  const sizes = sectionSizes(h);
  const need = sizes.reduce((a, b) => a + b, 0);
  if (buf.length !== 28 + 4 * need) {
    throw new Error(`${file}: holds ${Math.floor((buf.length - 28) / 4)} floats after the header (${buf.length} bytes), but the header (dim ${h.dim}, hidden ${h.hiddenDim}, ${h.nLayers} layers, ${h.nHeads} heads, ${h.nKvHeads} kv heads, vocab ${h.vocabSize}${h.shared ? '' : ' untied'}, seq_len ${h.seqLen}) implies ${need} (truncated, or not a llama2.c version-0 file)`);
  }
  // copy past the header so the floats are 4-byte aligned (Buffer pools may not be)
  const f = new Float32Array(buf.buffer.slice(buf.byteOffset + 28, buf.byteOffset + buf.length));
  let o = 0;
  const parts = sizes.map((n) => { const x = f.subarray(o, o + n); o += n; return x; });
  const [emb, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, , , cls] = parts as [Float32Array, ...Float32Array[]];
  const layout = opts.layout ?? 'half';
  const { dim, hiddenDim: hid, nHeads: H, nKvHeads: KV } = h;
  const hd = dim / H, kvDim = KV * hd;
  const qRows = layout === 'half' ? interleavedToHalfRows(H, hd) : null, kRows = layout === 'half' ? interleavedToHalfRows(KV, hd) : null;
  // layer l of a [L, rows, cols] array, rows reordered by perm when given
  const mat = (src: Float32Array, l: number, rows: number, cols: number, perm: Int32Array | null = null): tf.Tensor2D => {
    const base = l * rows * cols;
    if (!perm) return tf.tensor2d(src.slice(base, base + rows * cols), [rows, cols]);
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) out.set(src.subarray(base + perm[r]! * cols, base + (perm[r]! + 1) * cols), r * cols);
    return tf.tensor2d(out, [rows, cols]);
  };
  const vec = (src: Float32Array, l: number, n: number): tf.Tensor1D => tf.tensor1d(src.slice(l * n, (l + 1) * n));
  const layers: LlamaLayerWeights[] = [];
  for (let l = 0; l < h.nLayers; l++) {
    layers.push({
      inputNorm: vec(rmsAtt!, l, dim),
      q: mat(wq!, l, dim, dim, qRows), k: mat(wk!, l, kvDim, dim, kRows), v: mat(wv!, l, kvDim, dim), o: mat(wo!, l, dim, dim),
      qBias: null, kBias: null, vBias: null,
      postNorm: vec(rmsFfn!, l, dim),
      // llama2.c: w1 = gate, w3 = up, w2 = down
      gate: mat(w1!, l, hid, dim), up: mat(w3!, l, hid, dim), down: mat(w2!, l, dim, hid),
    });
  }
  const config = makeLlamaConfig({
    vocabSize: h.vocabSize, hiddenSize: dim, intermediateSize: hid, numHiddenLayers: h.nLayers, numAttentionHeads: H, numKeyValueHeads: KV,
    maxPositionEmbeddings: h.seqLen, rmsNormEps: 1e-5, ropeTheta: 10000, ropeLayout: layout, tieWordEmbeddings: h.shared, bosTokenId: 1, eosTokenId: 2,
  });
  return {
    config,
    weights: {
      embed: tf.tensor2d(emb.slice(), [h.vocabSize, dim]),
      layers,
      finalNorm: tf.tensor1d(rmsFinal!.slice()),
      lmHead: h.shared ? null : tf.tensor2d(cls!.slice(), [h.vocabSize, dim]),
    },
  };
}
