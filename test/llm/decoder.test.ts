// The decoder: golden greedy text of the real stories260K checkpoint (llama2.c .bin in both rope
// layouts, and the Hugging Face copy the kit writes), padding invariance, KV cache vs recomputation,
// restricted logits, embedding override, Hugging Face round trips of LLaMA- and Qwen2-style configs.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { makeLlamaConfig } from '../../src/llm/config';
import { generate } from '../../src/llm/generate';
import { loadHfModel } from '../../src/llm/hf-load';
import { saveHfModel } from '../../src/llm/hf-save';
import { randomLlama } from '../../src/llm/init';
import { decoderLogits, lastTokenLogits } from '../../src/llm/model';
import { KVCache } from '../../src/llm/kv-cache';
import { interleavedToHalfRows, loadLlama2c } from '../../src/llm/llama2c';
import { loadTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, weightsToHfTensors, type LlamaModel } from '../../src/llm/weights';

const MODELS = path.resolve(__dirname, '..', '..', '..', 'shared', 'models');
const STORIES = path.join(MODELS, 'stories260K');
const haveStories = fs.existsSync(path.join(STORIES, 'stories260K.bin'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-llm-'));

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

describe.skipIf(!haveStories)(`stories260K golden greedy text${haveStories ? '' : ` [SKIPPED: ${STORIES}/stories260K.bin is missing]`}`, () => {
  const readme = haveStories ? fs.readFileSync(path.join(STORIES, 'README.md'), 'utf8') : '';
  const blocks = readme.split('```');
  const golden = (blocks[blocks.length - 2] ?? '').trim();
  async function greedyText(m: LlamaModel): Promise<string> {
    const tok = await loadTokenizer(STORIES);
    const ids = await generate(m, [1], { maxNewTokens: 256, temperature: 0, stopTokens: [1] });
    return tok.decode(ids).trim();
  }
  it('reproduces the published text from the .bin in the llama2.c (interleaved) layout', async () => {
    const m = loadLlama2c(path.join(STORIES, 'stories260K.bin'), { layout: 'interleaved' });
    expect(m.config).toMatchObject({ hiddenSize: 64, intermediateSize: 172, numHiddenLayers: 5, numAttentionHeads: 8, numKeyValueHeads: 4, vocabSize: 512 });
    expect(await greedyText(m)).toBe(golden);
    disposeLlama(m);
  }, 60_000);
  it('reproduces it from the .bin permuted to the Hugging Face layout and from the HF copy the kit writes', async () => {
    const m = loadLlama2c(path.join(STORIES, 'stories260K.bin'), { layout: 'half' });
    expect(await greedyText(m)).toBe(golden);
    const dir = path.join(tmp, 'stories-hf');
    saveHfModel(m, dir, { tokenizerDir: STORIES });
    disposeLlama(m);
    const back = loadHfModel(dir);
    expect(back.config.ropeLayout).toBe('half');
    expect(await greedyText(back)).toBe(golden);
    disposeLlama(back);
  }, 60_000);
  it('the half-layout permutation moves pair (2j, 2j+1) to (j, j + D/2) in every head', () => {
    expect(Array.from(interleavedToHalfRows(2, 4))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
  });
});

describe('decoder invariants on random tiny models', () => {
  const llama = makeLlamaConfig({ vocabSize: 50, hiddenSize: 32, intermediateSize: 48, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, ropeTheta: 500 });
  const qwen = makeLlamaConfig({ modelType: 'qwen2', vocabSize: 50, hiddenSize: 32, intermediateSize: 48, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 1, tieWordEmbeddings: true });
  const ids = [[3, 7, 1, 9, 4, 2], [5, 5, 8, 1, 0, 6]];

  it('left padding gives the same last-position logits as no padding', () => {
    const m = randomLlama(llama, 1, { std: 0.2 });
    const plain = lastTokenLogits(m, { ids: tf.tensor2d([[9, 4, 2]], [1, 3], 'int32') }, null);
    const padded = lastTokenLogits(m, { ids: tf.tensor2d([[0, 0, 9, 4, 2], [1, 3, 7, 9, 4]], [2, 5], 'int32'), mask: tf.tensor2d([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]]) }, null);
    expect(maxAbsDiff(plain, tf.slice(padded, [0, 0], [1, 50]))).toBeLessThan(1e-5);
    disposeLlama(m);
  });
  it('incremental decoding with the KV cache equals full recomputation', () => {
    const m = randomLlama(llama, 2, { std: 0.2 });
    const full = decoderLogits(m, { ids: tf.tensor2d(ids, [2, 6], 'int32') });
    const cache = new KVCache();
    const a = decoderLogits(m, { ids: tf.tensor2d(ids.map((r) => r.slice(0, 4)), [2, 4], 'int32') }, cache);
    const b = decoderLogits(m, { ids: tf.tensor2d(ids.map((r) => r.slice(4, 5)), [2, 1], 'int32') }, cache);
    const c = decoderLogits(m, { ids: tf.tensor2d(ids.map((r) => r.slice(5)), [2, 1], 'int32') }, cache);
    expect(cache.length).toBe(6);
    expect(maxAbsDiff(tf.concat([a, b, c], 1), full)).toBeLessThan(1e-4);
    cache.dispose();
    disposeLlama(m);
  });
  it('restricted last-token logits equal those columns of the full logits', () => {
    const m = randomLlama(qwen, 3, { std: 0.2 });
    const x = { ids: tf.tensor2d(ids, [2, 6], 'int32') };
    const full = decoderLogits(m, x);
    const some = lastTokenLogits(m, x, [4, 17, 49]);
    const ref = tf.gather(tf.squeeze(tf.slice(full, [0, 5, 0], [2, 1, 50]), [1]), tf.tensor1d([4, 17, 49], 'int32'), 1);
    expect(maxAbsDiff(some, ref)).toBeLessThan(1e-5);
    disposeLlama(m);
  });
  it('an embedding override equals feeding those vectors as token embeddings, with a gradient', () => {
    const m = randomLlama(llama, 4, { std: 0.2 });
    const vecs = tf.variable(tf.tidy(() => tf.gather(m.weights.embed, tf.tensor1d([11, 12], 'int32'))));
    const ref = decoderLogits(m, { ids: tf.tensor2d([[3, 11, 5], [12, 7, 1]], [2, 3], 'int32') });
    const over = decoderLogits(m, { ids: tf.tensor2d([[3, 0, 5], [0, 7, 1]], [2, 3], 'int32'), embedOverride: { positions: [1, 3], vectors: vecs } });
    expect(maxAbsDiff(ref, over)).toBeLessThan(1e-5);
    const g = tf.variableGrads(() => tf.sum(decoderLogits(m, { ids: tf.tensor2d([[3, 0, 5], [0, 7, 1]], [2, 3], 'int32'), embedOverride: { positions: [1, 3], vectors: vecs } })), [vecs]);
    expect(tf.norm(g.grads[vecs.name]!).dataSync()[0]).toBeGreaterThan(0);
    disposeLlama(m);
    vecs.dispose();
  });
  it.each([['LLaMA-style (untied, GQA)', llama], ['Qwen2-style (q/k/v biases, tied)', qwen]] as const)('%s saves and reloads through the Hugging Face path with identical logits', (_, cfg) => {
    const m = randomLlama(cfg, 5, { std: 0.2 });
    if (cfg.attentionBias) m.weights.layers.forEach((l) => { (l as { qBias: tf.Tensor1D | null }).qBias = tf.randomNormal([cfg.numAttentionHeads * cfg.headDim], 0, 0.3, 'float32', 9) as tf.Tensor1D; });
    const dir = path.join(tmp, cfg.modelType);
    saveHfModel(m, dir);
    const back = loadHfModel(dir);
    expect(back.config).toEqual(m.config);
    const x = { ids: tf.tensor2d(ids, [2, 6], 'int32') };
    expect(maxAbsDiff(decoderLogits(m, x), decoderLogits(back, x))).toBeLessThan(1e-5);
    for (const [name, t] of weightsToHfTensors(m)) expect(Array.from(weightsToHfTensors(back).get(name)!.dataSync()), name).toEqual(Array.from(t.dataSync()));
    disposeLlama(m);
    disposeLlama(back);
  });
  it('leaks no tensors in forward passes or generation', async () => {
    const m = randomLlama(llama, 6, { std: 0.2 });
    const x = tf.tensor2d(ids, [2, 6], 'int32');
    const before = tf.memory().numTensors;
    decoderLogits(m, { ids: x }).dispose();
    lastTokenLogits(m, { ids: x }, [1, 2]).dispose();
    await generate(m, [1, 2, 3], { maxNewTokens: 5, temperature: 0.8, topP: 0.9, seed: 1 });
    await generate(m, [1, 2, 3], { maxNewTokens: 5, useCache: false });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeLlama(m);
  });
  it('generation with and without the cache gives the same greedy tokens; sampling is seeded', async () => {
    const m = randomLlama(llama, 7, { std: 0.3 });
    const a = await generate(m, [1, 2], { maxNewTokens: 8 });
    expect(await generate(m, [1, 2], { maxNewTokens: 8, useCache: false })).toEqual(a);
    const s1 = await generate(m, [1, 2], { maxNewTokens: 8, temperature: 1, seed: 3 });
    expect(await generate(m, [1, 2], { maxNewTokens: 8, temperature: 1, seed: 3 })).toEqual(s1);
    disposeLlama(m);
  });
});

describe('loading errors', () => {
  it('names a missing config.json, a wrong tensor shape, and a truncated .bin', () => {
    expect(() => loadHfModel(path.join(tmp, 'nowhere'))).toThrow(/config\.json: file not found/);
    const cfg = makeLlamaConfig({ vocabSize: 20, hiddenSize: 8, intermediateSize: 12, numHiddenLayers: 1, numAttentionHeads: 2 });
    const m = randomLlama(cfg, 1);
    const dir = path.join(tmp, 'bad-shape');
    saveHfModel(m, dir);
    const j = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...j, intermediate_size: 16 }));
    expect(() => loadHfModel(dir)).toThrow(/model\.safetensors: tensor "model\.layers\.0\.mlp\.gate_proj\.weight" has shape \[12, 8\], config\.json implies \[16, 8\]/);
    disposeLlama(m);
    if (haveStories) {
      const f = path.join(tmp, 'trunc.bin');
      fs.writeFileSync(f, fs.readFileSync(path.join(STORIES, 'stories260K.bin')).subarray(0, 5000));
      expect(() => loadLlama2c(f)).toThrow(/trunc\.bin: holds \d+ floats after the header/);
    }
  });
});
