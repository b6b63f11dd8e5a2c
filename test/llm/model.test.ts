// The decoder forward on tiny random models: left-padding invariance, KV cache vs recomputation,
// 'half' vs 'interleaved' rope under the Hugging Face row permutation, GQA vs an explicit kv repeat,
// restricted vs full logits, the embedding override (value and finite-difference gradient), no leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { makeLlamaConfig, type LlamaConfig } from '../../src/llm/config';
import { KVCache } from '../../src/llm/kv-cache';
import { decoderHidden, decoderLogits, embedTokens, lastTokenLogits } from '../../src/llm/model';
import type { LlamaModel } from '../../src/llm/weights';
import { disposeModel, finiteDiff, halfFromInterleavedRows, idsTensor, maxAbsDiff, randomModel, takeRows } from './helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

const LLAMA = makeLlamaConfig({ vocabSize: 50, hiddenSize: 32, intermediateSize: 48, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, ropeTheta: 500 });
const QWEN = makeLlamaConfig({ modelType: 'qwen2', vocabSize: 50, hiddenSize: 32, intermediateSize: 48, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 1, tieWordEmbeddings: true, ropeTheta: 1000 });
const models: LlamaModel[] = [];
function model(cfg: LlamaConfig, seed: number): LlamaModel {
  const m = randomModel(cfg, seed);
  models.push(m);
  return m;
}
afterAll(() => models.forEach(disposeModel));

describe.each([['LLaMA-style (GQA 4/2, untied)', LLAMA], ['Qwen2-style (GQA 4/1, biases, tied)', QWEN]] as const)('%s', (_, cfg) => {
  it('left padding gives the same last-position logits (full and restricted) and real-position states as no padding', () => {
    const m = model(cfg, 1);
    const rows = [[9, 4, 2], [3, 7, 1, 9, 4], [8]];
    const T = 5;
    const padded = idsTensor(rows.map((r) => [...new Array(T - r.length).fill(0), ...r]));
    const mask = tf.tensor2d(rows.map((r) => [...new Array(T - r.length).fill(0), ...new Array(r.length).fill(1)]));
    const full = lastTokenLogits(m, { ids: padded, mask }, null);
    const some = lastTokenLogits(m, { ids: padded, mask }, [0, 7, 49]);
    const hPad = decoderHidden(m, { ids: padded, mask });
    rows.forEach((r, i) => {
      const alone = lastTokenLogits(m, { ids: idsTensor([r]) }, null);
      expect(maxAbsDiff(tf.slice(full, [i, 0], [1, 50]), alone)).toBeLessThan(1e-5);
      expect(maxAbsDiff(tf.slice(some, [i, 0], [1, 3]), tf.gather(alone, tf.tensor1d([0, 7, 49], 'int32'), 1))).toBeLessThan(1e-5);
      const h = decoderHidden(m, { ids: idsTensor([r]) });
      expect(maxAbsDiff(tf.slice(hPad, [i, T - r.length, 0], [1, r.length, 32]), h)).toBeLessThan(1e-5);
    });
  });

  it('incremental decoding with the KV cache (left-padded batch) equals full recomputation within 1e-4', () => {
    const m = model(cfg, 2);
    const ids = [[0, 0, 3, 7, 1, 9, 4], [5, 5, 8, 1, 0, 6, 2]];
    const maskRows = [[0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]];
    const full = decoderLogits(m, { ids: idsTensor(ids), mask: tf.tensor2d(maskRows) });
    const cache = new KVCache();
    const parts: tf.Tensor3D[] = [];
    for (const [a, b] of [[0, 4], [4, 5], [5, 6], [6, 7]] as const) {
      parts.push(decoderLogits(m, { ids: idsTensor(ids.map((r) => r.slice(a, b))), mask: tf.tensor2d(maskRows.map((r) => r.slice(0, b))) }, cache));
      expect(cache.length).toBe(b);
    }
    // compare only real positions (padding rows are arbitrary but finite)
    const real = tf.tensor3d(maskRows.map((r) => r.map((x) => new Array(50).fill(x))));
    expect(maxAbsDiff(tf.mul(tf.concat(parts, 1), real), tf.mul(full, real))).toBeLessThan(1e-4);
    expect(tf.all(tf.isFinite(tf.concat(parts, 1))).dataSync()[0]).toBe(1);
    cache.dispose();
  });

  it("'half' and 'interleaved' rope agree when q/k rows (and biases) are permuted as in the HF conversion", () => {
    const inter = model({ ...cfg, ropeLayout: 'interleaved' }, 3);
    const qRows = halfFromInterleavedRows(cfg.numAttentionHeads, cfg.headDim), kRows = halfFromInterleavedRows(cfg.numKeyValueHeads, cfg.headDim);
    const half: LlamaModel = {
      config: { ...cfg, ropeLayout: 'half' },
      weights: {
        ...inter.weights,
        layers: inter.weights.layers.map((l) => ({
          ...l, q: takeRows(l.q, qRows), k: takeRows(l.k, kRows),
          qBias: l.qBias && takeRows(l.qBias, qRows), kBias: l.kBias && takeRows(l.kBias, kRows),
        })),
      },
    };
    const x = { ids: idsTensor([[3, 7, 1, 9, 4, 2], [5, 5, 8, 1, 0, 6]]), mask: tf.tensor2d([[0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]]) };
    const a = decoderLogits(inter, x), b = decoderLogits(half, x);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    // the layouts really differ: the same weights under the other layout change the outputs
    expect(maxAbsDiff(a, decoderLogits({ ...inter, config: { ...cfg, ropeLayout: 'half' } }, x))).toBeGreaterThan(1e-3);
    for (const l of half.weights.layers) tf.dispose([l.q, l.k, ...(l.qBias ? [l.qBias, l.kBias!] : [])]);
  });

  it('GQA equals full multi-head attention with each kv head repeated for its query-head group', () => {
    const m = model(cfg, 4);
    const H = cfg.numAttentionHeads, KV = cfg.numKeyValueHeads, D = cfg.headDim;
    const rows = Array.from({ length: H }, (_, h) => Math.floor(h / (H / KV))).flatMap((g) => Array.from({ length: D }, (_, j) => g * D + j));
    const mha: LlamaModel = {
      config: { ...cfg, numKeyValueHeads: H },
      weights: { ...m.weights, layers: m.weights.layers.map((l) => ({ ...l, k: takeRows(l.k, rows), v: takeRows(l.v, rows), kBias: l.kBias && takeRows(l.kBias, rows), vBias: l.vBias && takeRows(l.vBias, rows) })) },
    };
    const x = { ids: idsTensor([[3, 7, 1, 9, 4, 2], [5, 5, 8, 1, 0, 6]]) };
    expect(maxAbsDiff(decoderLogits(m, x), decoderLogits(mha, x))).toBeLessThan(1e-5);
    for (const l of mha.weights.layers) tf.dispose([l.k, l.v, ...(l.kBias ? [l.kBias, l.vBias!] : [])]);
  });
});

describe('logits and the embedding override', () => {
  it('restricted last-position logits equal those columns of the full logits', () => {
    const m = model(QWEN, 5);
    const x = { ids: idsTensor([[3, 7, 1, 9, 4, 2], [0, 5, 8, 1, 0, 6]]), mask: tf.tensor2d([[1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1]]) };
    const full = decoderLogits(m, x);
    const some = lastTokenLogits(m, x, [4, 17, 49, 4]);
    const ref = tf.gather(tf.squeeze(tf.slice(full, [0, 5, 0], [2, 1, 50]), [1]), tf.tensor1d([4, 17, 49, 4], 'int32'), 1);
    expect(maxAbsDiff(some, ref)).toBeLessThan(1e-5);
    expect(() => lastTokenLogits(m, x, [50])).toThrow(/token id 50 is outside \[0, 50\)/);
  });

  it('an override by (row, position) pairs or flat positions equals feeding those vectors as embedding rows', () => {
    const m = model(LLAMA, 6);
    const vecs = tf.gather(m.weights.embed, tf.tensor1d([11, 12], 'int32')) as tf.Tensor2D;
    const ref = decoderLogits(m, { ids: idsTensor([[3, 11, 5], [12, 7, 1]]) });
    const ids = idsTensor([[3, 0, 5], [0, 7, 1]]);
    expect(maxAbsDiff(decoderLogits(m, { ids, embedOverride: { at: [[0, 1], [1, 0]], vectors: vecs } }), ref)).toBeLessThan(1e-5);
    expect(maxAbsDiff(decoderLogits(m, { ids, embedOverride: { positions: [1, 3], vectors: vecs } }), ref)).toBeLessThan(1e-5);
    expect(maxAbsDiff(embedTokens(m, ids, { positions: [1, 3], vectors: vecs }), embedTokens(m, idsTensor([[3, 11, 5], [12, 7, 1]])))).toBe(0);
    expect(() => decoderLogits(m, { ids, embedOverride: { positions: [1, 1], vectors: vecs } })).toThrow(/position 1 .* is given twice/);
    expect(() => decoderLogits(m, { ids, embedOverride: { at: [[2, 0], [0, 0]], vectors: vecs } })).toThrow(/pair \(2, 0\) is outside/);
  });

  it('the override gradient w.r.t. the vectors is nonzero and matches central finite differences', () => {
    const m = model(LLAMA, 7);
    const vecs = tf.variable(tf.randomNormal([2, 32], 0, 0.5, 'float32', 3) as tf.Tensor2D);
    const ids = idsTensor([[3, 0, 5, 9], [0, 7, 1, 2]]), mask = tf.tensor2d([[1, 1, 1, 1], [0, 1, 1, 1]]);
    const R = tf.randomNormal([2, 4], 0, 1, 'float32', 4);
    // row 1 is left-padded: its override sits on the first real token
    const loss = (): tf.Scalar => tf.tidy(() => tf.sum(tf.mul(lastTokenLogits(m, { ids, mask, embedOverride: { at: [[0, 1], [1, 1]], vectors: vecs } }, [1, 2, 3, 4]), R)));
    const g = tf.variableGrads(loss, [vecs]);
    const grad = g.grads[vecs.name]!.dataSync();
    expect(Math.max(...Array.from(grad, Math.abs))).toBeGreaterThan(1e-3);
    for (const i of [0, 5, 33, 63]) {
      const fd = finiteDiff(() => { const l = loss(); const v = l.dataSync()[0]!; l.dispose(); return v; }, vecs, i, 1e-2);
      expect(Math.abs(grad[i]! - fd) / Math.max(1e-3, Math.abs(fd)), `element ${i}: analytic ${grad[i]} fd ${fd}`).toBeLessThan(1e-2);
    }
    tf.dispose([g.value, ...Object.values(g.grads), vecs]);
  });

  it('explicit position ids equal the ones derived from the mask; a bad mask shape is named', () => {
    const m = model(LLAMA, 8);
    const ids = idsTensor([[0, 0, 4, 9], [1, 2, 3, 4]]), mask = tf.tensor2d([[0, 0, 1, 1], [1, 1, 1, 1]]);
    const pos = tf.tensor2d([[0, 0, 0, 1], [0, 1, 2, 3]], [2, 4], 'int32');
    expect(maxAbsDiff(decoderLogits(m, { ids, mask, positionIds: pos }), decoderLogits(m, { ids, mask }))).toBe(0);
    expect(() => decoderLogits(m, { ids, mask: tf.ones([2, 3]) as tf.Tensor2D })).toThrow(/mask is \[2,3\], expected \[2, 4\]/);
  });
});

describe('memory', () => {
  it('forward passes, restricted logits, cached decoding and a gradient step leave numTensors unchanged', () => {
    const m = model(LLAMA, 9);
    const ids = idsTensor([[3, 7, 1, 9], [5, 5, 8, 1]]);
    const vecs = tf.variable(tf.randomNormal([1, 32], 0, 0.5, 'float32', 1) as tf.Tensor2D);
    const before = tf.memory().numTensors;
    decoderLogits(m, { ids }).dispose();
    tf.tidy(() => { decoderHidden(m, { ids, mask: tf.ones([2, 4]) as tf.Tensor2D }); });
    lastTokenLogits(m, { ids }, [1, 2]).dispose();
    const cache = new KVCache();
    lastTokenLogits(m, { ids }, null, cache).dispose();
    tf.tidy(() => { lastTokenLogits(m, { ids: idsTensor([[1], [2]]) }, [3], cache); });
    expect(cache.length).toBe(5);
    cache.dispose();
    const g = tf.variableGrads(() => tf.sum(lastTokenLogits(m, { ids, embedOverride: { at: [[1, 2]], vectors: vecs } }, [5])), [vecs]);
    tf.tidy(() => { vecs.assign(tf.sub(vecs, tf.mul(g.grads[vecs.name]!, 0.1))); });
    tf.dispose([g.value, ...Object.values(g.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, vecs]);
  });
});
