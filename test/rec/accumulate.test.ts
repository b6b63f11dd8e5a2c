// Micro-batches with gradient accumulation: the accumulated loss and gradient equal the full batch's
// (rows of different lengths, so each pass pads differently), the micro-batch setting is validated and
// resolved, and running out of memory says which model, batch, length, ceiling and flag.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { WasmHeapExhausted } from '../../src/backend/heap';
import { makeLlamaConfig } from '../../src/llm/config';
import { randomLlama } from '../../src/llm/init';
import { microBatchSizes, planMicroBatch } from '../../src/llm/memory';
import { disposeLlama } from '../../src/llm/weights';
import { accumulatedGrads } from '../../src/rec/accumulate';
import { makePromptBatch } from '../../src/rec/batch';
import type { EncodedPrompts } from '../../src/rec/encode';
import type { RecMethod } from '../../src/rec/method';
import { tallrecMethod } from '../../src/rec/text-methods';
import { makeRecTrainConfig, resolveMicroBatch } from '../../src/rec/train';
import type { InteractionSplit } from '../../src/data/types';

beforeAll(async () => {
  await initBackend('wasm');
});

const N = 7;
const split = {
  name: 'train', userIdx: Int32Array.from({ length: N }, (_, i) => i), itemIdx: Int32Array.from({ length: N }, (_, i) => i),
  label: Uint8Array.from({ length: N }, (_, i) => i % 2), timestamp: new Float64Array(N), notCold: new Uint8Array(N).fill(1),
  rowId: Int32Array.from({ length: N }, (_, i) => i), histOffsets: new Int32Array(N + 1), histItems: new Int32Array(0), histRatings: new Float32Array(0),
} as unknown as InteractionSplit;
// prompts of 4..10 tokens: every micro-batch pads to its own length
const enc: EncodedPrompts = { kind: 'tallrec', ids: Array.from({ length: N }, (_, r) => Int32Array.from({ length: 4 + r }, (_, t) => (r * 7 + t * 3) % 50)), placeholders: Array.from({ length: N }, () => []) };
const cfg = makeLlamaConfig({ vocabSize: 50, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, tieWordEmbeddings: true });

describe('accumulatedGrads', () => {
  it('equals the full-batch loss and gradient for every micro-batch size, leaking nothing', async () => {
    const llm = randomLlama(cfg, 3, { std: 0.1 });
    const m = tallrecMethod(llm, 7, { config: { r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'v_proj', 'o_proj'] }, seed: 1 });
    // LoRA B starts at 0, which would leave A's gradient 0: give B values so every gradient is non-trivial
    for (const [k, v] of Object.entries(m.params)) if (k.includes('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', 5));
    const rows = [0, 3, 6, 1, 5, 2, 4];
    const batchOf = (r: readonly number[]) => makePromptBatch(enc, split, r, 0);
    const heap = { what: 'a test step' };
    const full = await accumulatedGrads(m, rows, batchOf, rows.length, 11, heap);
    const before = tf.memory().numTensors;
    for (const micro of [1, 2, 3, 5]) {
      const acc = await accumulatedGrads(m, rows, batchOf, micro, 11, heap);
      expect(acc.loss).toBeCloseTo(full.loss, 5);
      for (const [k, g] of Object.entries(full.grads)) {
        const a = await acc.grads[k]!.data(), b = await g.data();
        const scale = Math.max(1e-3, ...Array.from(b, Math.abs));
        const diff = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
        expect(diff / scale, `${k} at micro-batch ${micro}`).toBeLessThan(1e-4);
      }
      tf.dispose(Object.values(acc.grads));
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.max(...await Promise.all(Object.values(full.grads).map(async (g) => Math.max(...Array.from(await g.data(), Math.abs)))))).toBeGreaterThan(0);
    tf.dispose(Object.values(full.grads));
    m.dispose();
    disposeLlama(llm);
  });

  it('turns a heap failure inside a pass into an error naming model, batch, length and the --micro-batch flag', async () => {
    const m: RecMethod = {
      name: 'oom', promptKind: 'tallrec', params: { w: tf.variable(tf.zeros([2])) },
      logits: () => { throw new Error('RuntimeError: memory access out of bounds'); }, dispose: () => undefined,
    };
    const before = tf.memory().numTensors;
    const err = await accumulatedGrads(m, [0, 1, 2, 3], (r) => makePromptBatch(enc, split, r, 0), 2, 0,
      { what: 'an LLM training step (2 of 4 rows per pass)', model: 'oom on SmolLM2-135M', hint: 'a smaller micro-batch (train-rec --micro-batch 1; the effective batch stays 4)' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WasmHeapExhausted);
    const msg = (err as Error).message;
    for (const part of ['out of memory while an LLM training step (2 of 4 rows per pass)', 'model oom on SmolLM2-135M', 'batch size 2', 'sequence length 5', 'GiB', 'train-rec --micro-batch 1']) expect(msg).toContain(part);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(m.params));
  });
});

describe('micro-batch settings', () => {
  it('splits a batch into the fewest, most even passes', () => {
    expect(microBatchSizes(16, 6)).toEqual([6, 5, 5]);
    expect(microBatchSizes(16, 16)).toEqual([16]);
    expect(microBatchSizes(5, 1)).toEqual([1, 1, 1, 1, 1]);
  });

  it("accepts 'auto' or a positive integer", () => {
    expect(makeRecTrainConfig({}).microBatch).toBe('auto');
    expect(makeRecTrainConfig({ microBatch: 4 }).microBatch).toBe(4);
    expect(() => makeRecTrainConfig({ microBatch: 0 })).toThrow(/microBatch must be an integer >= 1, got 0/);
    expect(() => makeRecTrainConfig({ microBatch: 2.5 })).toThrow(/microBatch must be an integer >= 1, got 2.5/);
    expect(() => makeRecTrainConfig({ microBatch: 'max' as never })).toThrow(/microBatch must be 'auto' or an integer >= 1, got "max"/);
  });

  it('resolves: a number is capped at the batch; auto is the batch without an LLM, else planned from its shape', () => {
    const m: RecMethod = { name: 'tallrec', promptKind: 'tallrec', params: {}, logits: () => { throw new Error('unused'); }, dispose: () => undefined };
    const train = { split, enc };
    expect(resolveMicroBatch(makeRecTrainConfig({ batchSize: 8, microBatch: 32 }), { method: m, train })).toBe(8);
    expect(resolveMicroBatch(makeRecTrainConfig({ batchSize: 8 }), { method: m, train })).toBe(8);
    expect(resolveMicroBatch(makeRecTrainConfig({ batchSize: 8 }), { method: m, train, llm: { config: cfg, name: 'tiny' } })).toBe(8);
    const smol = makeLlamaConfig({ vocabSize: 49152, hiddenSize: 576, intermediateSize: 1536, numHiddenLayers: 30, numAttentionHeads: 9, numKeyValueHeads: 3, tieWordEmbeddings: true });
    const plan = planMicroBatch(smol, 16, { seqLen: 160, mode: 'train' }, 0, 2 ** 32);
    expect(plan.microBatch).toBeGreaterThanOrEqual(1);
    expect(plan.microBatch).toBeLessThan(16);
    expect(planMicroBatch(smol, 16, { seqLen: 160, mode: 'score' }, 0, 2 ** 32).microBatch).toBe(16);
  });

  it('refuses before any work when one row cannot fit, naming model, length, need, ceiling and the flag', () => {
    const m: RecMethod = { name: 'cora', promptKind: 'tallrec', params: {}, logits: () => { throw new Error('unused'); }, dispose: () => undefined };
    const long: EncodedPrompts = { ...enc, ids: [...enc.ids.slice(1), new Int32Array(200_000)] };
    const qwen = makeLlamaConfig({ modelType: 'qwen2', vocabSize: 151936, hiddenSize: 896, intermediateSize: 4864, numHiddenLayers: 24, numAttentionHeads: 14, numKeyValueHeads: 2, tieWordEmbeddings: true });
    let err: unknown;
    try {
      resolveMicroBatch(makeRecTrainConfig({ batchSize: 16 }), { method: m, train: { split, enc: long }, llm: { config: qwen, name: 'Qwen2.5-0.5B' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WasmHeapExhausted);
    expect((err as Error).message).toMatch(/out of memory before training cora on Qwen2\.5-0\.5B: one row of 200000 tokens needs about [\d.]+ GiB of activations beside [\d.]+ GiB .* of the [\d.]+ GiB memory ceiling \(batch size 16, micro-batch 1\)\. Even --micro-batch 1 does not fit/);
  });
});
