// Hugging Face folders beyond the single float32 file: a sharded checkpoint (index + 2 shards), float16
// and bfloat16 tensors widened to float32, and a tokenizer folder with a missing file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { writeSafetensors } from '../../src/core/safetensors';
import { makeLlamaConfig, llamaConfigToHf } from '../../src/llm/config';
import { loadHfModel } from '../../src/llm/hf-load';
import { saveHfModel } from '../../src/llm/hf-save';
import { randomLlama } from '../../src/llm/init';
import { decoderLogits } from '../../src/llm/model';
import { loadTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, weightsToHfTensors } from '../../src/llm/weights';
import { writeHalf } from './half-safetensors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-hfio-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});

const cfg = makeLlamaConfig({ vocabSize: 24, hiddenSize: 8, intermediateSize: 12, numHiddenLayers: 2, numAttentionHeads: 2, tieWordEmbeddings: true });

describe('Hugging Face folders', () => {
  const m = randomLlama(cfg, 3, { std: 0.25 });
  const x = { ids: tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32') };
  const ref = decoderLogits(m, x);
  const maxDiff = (mm: ReturnType<typeof loadHfModel>) => tf.tidy(() => tf.max(tf.abs(tf.sub(decoderLogits(mm, x), ref))).dataSync()[0]!);

  it('loads a sharded checkpoint through model.safetensors.index.json', () => {
    const dir = path.join(tmp, 'sharded');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(llamaConfigToHf(cfg)));
    const all = [...weightsToHfTensors(m)];
    const parts = [all.slice(0, 7), all.slice(7)];
    const weightMap: Record<string, string> = {};
    parts.forEach((part, i) => {
      const f = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(path.join(dir, f), Object.fromEntries(part.map(([n, t]) => [n, { shape: t.shape, data: t.dataSync() as Float32Array }])));
      for (const [n] of part) weightMap[n] = f;
    });
    fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const back = loadHfModel(dir);
    expect(maxDiff(back)).toBeLessThan(1e-5); // BLAS may sum in another order for other heap alignments
    expect(Array.from(back.weights.layers[1]!.down.dataSync())).toEqual(Array.from(m.weights.layers[1]!.down.dataSync()));
    disposeLlama(back);
  });
  it.each(['F16', 'BF16'] as const)('widens %s weights to float32 (within half precision)', (dtype) => {
    const dir = path.join(tmp, dtype);
    saveHfModel(m, dir);
    writeHalf(path.join(dir, 'model.safetensors'), weightsToHfTensors(m), dtype);
    const back = loadHfModel(dir);
    const w0 = m.weights.embed.dataSync(), w1 = back.weights.embed.dataSync();
    let rel = 0;
    for (let i = 0; i < w0.length; i++) rel = Math.max(rel, Math.abs(w0[i]! - w1[i]!) / Math.max(1e-3, Math.abs(w0[i]!)));
    expect(rel).toBeLessThan(dtype === 'F16' ? 2e-3 : 1e-2);
    expect(rel).toBeGreaterThan(0);
    disposeLlama(back);
  });
  it('names the missing tokenizer file', async () => {
    const dir = path.join(tmp, 'no-tok');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{}');
    await expect(loadTokenizer(dir)).rejects.toThrow(/tokenizer_config\.json: file not found/);
  });
});
