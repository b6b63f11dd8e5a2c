// TALLRec, CoLLM and CoRA on the tiny synthetic world with a small random LLM: CoLLM replaces exactly
// the placeholder tokens, CoRA at initialisation scores exactly like the base LLM, training moves only
// the trainable parameters, and a short training run of each method beats the untrained model.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { collmMethod } from '../../src/collm/method';
import { coraMethod, makeCoraOptions } from '../../src/cora/method';
import { initLora } from '../../src/llm/adapters';
import { loadHfModel } from '../../src/llm/hf-load';
import { loadTokenizer, type KitTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';
import { auc } from '../../src/metrics/auc';
import { makePromptBatch } from '../../src/rec/batch';
import { answerTokenId, encodePrompts, placeholderId, type EncodedPrompts } from '../../src/rec/encode';
import { yesLogits, type RecMethod } from '../../src/rec/method';
import { baseMethod, TALLREC_LORA, tallrecMethod } from '../../src/rec/text-methods';
import { makeRecTrainConfig, scoreRows, trainRecMethod } from '../../src/rec/train';
import { loadCFRun } from '../../src/runner/rec-run';
import { makeCFExperiment, runCFExperiment } from '../../src/runner/cf-experiment';
import type { Dataset } from '../../src/data/types';
import { tinySetting } from './helpers';

let ds: Dataset, dir: string, llm: LlamaModel, tok: KitTokenizer, yesId: number;
let enc: Record<'tallrec' | 'collm', { train: EncodedPrompts; valid: EncodedPrompts }>;
let cf: ReturnType<typeof loadCFRun>;

beforeAll(async () => {
  await initBackend('wasm');
  ({ ds, dir } = tinySetting());
  llm = loadHfModel(dir);
  tok = await loadTokenizer(dir);
  yesId = answerTokenId(tok);
  const valid = ds.splits.valid;
  enc = {
    tallrec: { train: encodePrompts('tallrec', ds, ds.splits.train, tok), valid: encodePrompts('tallrec', ds, valid, tok) },
    collm: { train: encodePrompts('collm', ds, ds.splits.train, tok), valid: encodePrompts('collm', ds, valid, tok) },
  };
  await runCFExperiment(makeCFExperiment({ dataset: 'synthetic-tiny', model: 'mf', seed: 0, backend: 'wasm', train: { lr: 1e-2, maxEpochs: 15, patience: 15 }, modelOptions: { dEmb: 16 } }),
    { outDir: path.join(dir, 'cf'), datasetOverride: ds });
  cf = loadCFRun(path.join(dir, 'cf'), ds);
}, 120_000);
afterAll(() => {
  disposeLlama(llm);
  fs.rmSync(dir, { recursive: true, force: true });
});

const rows = [0, 5, 17, 40];

describe('prompt encoding', () => {
  it('finds two placeholder tokens per CoLLM prompt and none in TALLRec prompts', () => {
    const ph = placeholderId(tok);
    for (const r of rows) {
      const p = enc.collm.train.placeholders[r]!;
      expect(p).toHaveLength(2);
      expect(enc.collm.train.ids[r]![p[0]!]).toBe(ph);
      expect(enc.collm.train.ids[r]![p[1]!]).toBe(ph);
      expect(enc.tallrec.train.placeholders[r]).toEqual([]);
    }
  });
});

describe('CoLLM', () => {
  it('replaces exactly the placeholder positions', () => {
    const b = makePromptBatch(enc.collm.train, ds.splits.train, rows, 0);
    const ph = placeholderId(tok);
    for (const s of [...b.userSlots, ...b.itemSlots]) expect(b.ids[s]).toBe(ph);
    // overriding those positions with the placeholder's own embedding changes nothing ...
    const same = tf.tidy(() => tf.tile(tf.gather(llm.weights.embed, tf.tensor1d([ph], 'int32')), [2 * b.B, 1])) as tf.Tensor2D;
    const plain = yesLogits(llm, yesId, b), over = yesLogits(llm, yesId, b, undefined, { positions: [...b.userSlots, ...b.itemSlots], vectors: same });
    expect(Array.from(over.dataSync())).toEqual(Array.from(plain.dataSync()));
    // ... while the method's mapped CF vectors change the scores
    const lora = initLora(llm, TALLREC_LORA, 0);
    const m = collmMethod(llm, yesId, cf, { variant: 'stage2', lora, seed: 0 });
    const mapped = m.logits(b, { training: false, seed: 0 });
    expect(tf.max(tf.abs(tf.sub(mapped, plain))).dataSync()[0]).toBeGreaterThan(1e-4);
    m.dispose();
    tf.dispose([same, plain, over, mapped, ...Object.values(lora.params)]);
  });
});

describe('CoRA', () => {
  it('scores exactly like the base LLM at initialisation', () => {
    const b = makePromptBatch(enc.tallrec.train, ds.splits.train, rows, 0);
    const m = coraMethod(llm, yesId, cf, makeCoraOptions({ rank: 4, alpha: 8 }, 'mf'), 3);
    const base = baseMethod(llm, yesId).logits(b, { training: false, seed: 0 }), cora = m.logits(b, { training: false, seed: 0 });
    expect(Array.from(cora.dataSync())).toEqual(Array.from(base.dataSync()));
    m.dispose();
    tf.dispose([base, cora]);
  });
});

async function trainAndCompare(make: () => RecMethod, kind: 'tallrec' | 'collm', frozen: tf.Tensor[], name: string, lr: number): Promise<void> {
  const m = make();
  const valid = ds.splits.valid;
  const before = auc(Array.from(valid.label), await scoreRows(m, enc[kind].valid, valid, 0, 64));
  const frozenBefore = frozen.map((t) => t.dataSync().slice());
  const cfg = makeRecTrainConfig({ lr, minLr: lr / 10, warmupStartLr: 1e-3, warmupSteps: 10, itersPerEpoch: 25, maxEpochs: 8, patience: 8, batchSize: 16, evalBatchSize: 64, seed: 1 });
  const r = await trainRecMethod({ method: m, train: { split: ds.splits.train, enc: enc[kind].train }, valid: { split: valid, enc: enc[kind].valid }, padId: 0, config: cfg, outDir: path.join(dir, name) });
  const after = auc(Array.from(valid.label), await scoreRows(m, enc[kind].valid, valid, 0, 64));
  expect(after, `${name}: valid AUC ${before.toFixed(3)} -> ${after.toFixed(3)}`).toBeGreaterThan(before + 0.02);
  expect(r.bestValid).toBeCloseTo(after, 4);
  frozen.forEach((t, i) => expect(Array.from(t.dataSync()), `${name}: a frozen tensor changed`).toEqual(Array.from(frozenBefore[i]!)));
  expect(fs.existsSync(path.join(dir, name, 'best.safetensors'))).toBe(true);
  m.dispose();
}

describe('short training runs beat the untrained model and leave frozen parts untouched', () => {
  const frozenLlm = () => [llm.weights.embed, llm.weights.layers[0]!.q, llm.weights.layers[1]!.down];
  it('TALLRec', async () => {
    await trainAndCompare(() => tallrecMethod(llm, yesId, { seed: 0 }), 'tallrec', frozenLlm(), 'tallrec', 1e-2);
  }, 120_000);
  it('CoLLM (stage 2: mapping only)', async () => {
    const lora = initLora(llm, TALLREC_LORA, 0);
    await trainAndCompare(() => collmMethod(llm, yesId, cf, { variant: 'stage2', lora, seed: 0 }), 'collm', [...frozenLlm(), ...Object.values(lora.params), cf.model.params['userEmb']!], 'collm', 3e-2);
    tf.dispose(Object.values(lora.params));
  }, 120_000);
  it('CoRA', async () => {
    await trainAndCompare(() => coraMethod(llm, yesId, cf, makeCoraOptions({ rank: 4, alpha: 8 }, 'mf'), 0), 'tallrec', [...frozenLlm(), cf.model.params['userEmb']!], 'cora', 1e-2);
  }, 120_000);
});
