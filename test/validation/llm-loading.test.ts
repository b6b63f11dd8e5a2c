// Issue 16, LLM loading: a tokenizer that does not fit the model's embedding, config.json fields that
// change the decoder's math (hidden_act, rope_scaling, biases, softcapping, sliding windows), a broken
// tokenizer folder, and a tied head that differs from the embedding: each an error or a clear warning.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { writeSafetensors } from '../../src/core/safetensors';
import { llamaConfigFromHf, llamaConfigToHf, makeLlamaConfig } from '../../src/llm/config';
import { loadHfModel, readHfConfig } from '../../src/llm/hf-load';
import { randomLlama } from '../../src/llm/init';
import { checkTokenizerFitsModel, loadTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, weightsToHfTensors } from '../../src/llm/weights';

const KIT = path.resolve(__dirname, '..', '..', 'models', 'kit-lm');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-loading-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});

const BASE = llamaConfigToHf(makeLlamaConfig({ vocabSize: 24, hiddenSize: 8, intermediateSize: 12, numHiddenLayers: 1, numAttentionHeads: 2 }));

describe('config.json fields that change the math', () => {
  const errors: [string, Record<string, unknown>, string][] = [
    ['hidden_act gelu', { hidden_act: 'gelu' }, 'field "hidden_act" is "gelu"; the kit\'s decoder computes SwiGLU with SiLU only'],
    ['hidden_act gelu_pytorch_tanh', { hidden_act: 'gelu_pytorch_tanh' }, 'field "hidden_act" is "gelu_pytorch_tanh"'],
    ['hidden_act relu', { hidden_act: 'relu' }, 'field "hidden_act" is "relu"'],
    ['hidden_act not a string', { hidden_act: 3 }, 'field "hidden_act" is 3'],
    ['hidden_activation (Gemma spelling)', { hidden_act: undefined, hidden_activation: 'gelu_pytorch_tanh' }, 'field "hidden_act"'],
    ['rope_scaling linear', { rope_scaling: { type: 'linear', factor: 2 } }, 'field "rope_scaling" is {"type":"linear","factor":2}'],
    ['rope_scaling llama3', { rope_scaling: { rope_type: 'llama3', factor: 8 } }, 'field "rope_scaling"'],
    ['mlp_bias', { mlp_bias: true }, 'field "mlp_bias" is true'],
    ['attention_bias on llama (o_proj bias)', { attention_bias: true }, 'field "attention_bias" is true on a llama model'],
    ['attention_bias as a string', { attention_bias: 'true' }, 'field "attention_bias" must be true or false, got "true"'],
    ['tie_word_embeddings as a string', { tie_word_embeddings: 'false' }, 'field "tie_word_embeddings" must be true or false, got "false"'],
    ['partial rotary', { partial_rotary_factor: 0.5 }, 'field "partial_rotary_factor" is 0.5'],
    ['attention softcapping', { attn_logit_softcapping: 50 }, 'field "attn_logit_softcapping" is 50'],
    ['final softcapping', { final_logit_softcapping: 30 }, 'field "final_logit_softcapping" is 30'],
    ['unsupported model_type', { model_type: 'gemma' }, 'model_type "gemma" is not a LLaMA-family decoder'],
    ['vocab_size missing', { vocab_size: undefined }, 'field "vocab_size" must be a number'],
  ];
  it.each(errors)('%s is an error naming the field', (_name, over, fragment) => {
    const j = { ...BASE, ...over };
    expect(() => llamaConfigFromHf(j, '/m/config.json', { onWarning: () => undefined })).toThrow(`/m/config.json: `);
    expect(() => llamaConfigFromHf(j, '/m/config.json', { onWarning: () => undefined })).toThrow(fragment);
  });
  const warnings: [string, Record<string, unknown>, string | null][] = [
    ['mistral sliding window', { model_type: 'mistral', sliding_window: 4096, max_position_embeddings: 32768 }, 'sliding_window 4096 is not implemented'],
    ['qwen2 sliding window in use', { model_type: 'qwen2', use_sliding_window: true, sliding_window: 4096, max_position_embeddings: 32768 }, 'exact only for sequences up to 4096 tokens'],
    ['qwen2 sliding window switched off', { model_type: 'qwen2', use_sliding_window: false, sliding_window: 32768, max_position_embeddings: 32768 }, null],
    ['mistral window as long as the context', { model_type: 'mistral', sliding_window: 2048, max_position_embeddings: 2048 }, null],
    ['attention dropout', { attention_dropout: 0.1 }, 'attention_dropout 0.1 is not applied'],
    ['pretraining_tp', { pretraining_tp: 2 }, 'pretraining_tp 2 only splits matmuls'],
    ['hidden_act silu', { hidden_act: 'silu' }, null],
    ['hidden_act swish', { hidden_act: 'swish' }, null],
    ['rope_scaling null', { rope_scaling: null }, null],
  ];
  it.each(warnings)('%s warns (or not) and loads', (_name, over, fragment) => {
    const seen: string[] = [];
    const c = llamaConfigFromHf({ ...BASE, ...over }, '/m/config.json', { onWarning: (m) => seen.push(m) });
    expect(c.vocabSize).toBe(24);
    if (fragment === null) expect(seen).toEqual([]);
    else expect(seen.join('\n')).toContain(fragment);
  });
  it('readHfConfig refuses a gelu model before reading any weight', () => {
    const dir = path.join(tmp, 'gelu');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...BASE, hidden_act: 'gelu' }));
    expect(() => readHfConfig(dir)).toThrow(`${path.join(dir, 'config.json')}: field "hidden_act" is "gelu"`);
    expect(() => loadHfModel(dir)).toThrow('hidden_act');
  });
});

describe('tokenizer and model vocabulary', () => {
  const folder = (name: string, vocab: number | null, edit?: (dir: string) => void): string => {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(KIT, f), path.join(dir, f));
    if (vocab !== null) fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...BASE, vocab_size: vocab }));
    edit?.(dir);
    return dir;
  };
  const cases: [string, number | null, ((dir: string) => void) | undefined, string | null][] = [
    ['tokenizer larger than the embedding', 8000, undefined, 'the tokenizer has 8192 token ids but the model'],
    ['tokenizer much smaller than the embedding', 32000, undefined, 'this looks like another model\'s tokenizer'],
    ['padded embedding (under 1% unused)', 8256, undefined, null],
    ['same size', 8192, undefined, null],
    ['no config.json beside it', null, undefined, null],
    ['tokenizer.json not JSON', 8192, (d) => fs.writeFileSync(path.join(d, 'tokenizer.json'), '{"model": '), 'tokenizer.json: invalid JSON'],
    ['tokenizer.json empty', 8192, (d) => fs.writeFileSync(path.join(d, 'tokenizer.json'), ''), 'tokenizer.json: invalid JSON'],
    ['tokenizer.json without a model', 8192, (d) => fs.writeFileSync(path.join(d, 'tokenizer.json'), '{"version": "1.0"}'), 'tokenizer.json: no "model" object'],
    ['tokenizer.json an array', 8192, (d) => fs.writeFileSync(path.join(d, 'tokenizer.json'), '[]'), 'tokenizer.json: expected a JSON object'],
    ['tokenizer_config.json not JSON', 8192, (d) => fs.writeFileSync(path.join(d, 'tokenizer_config.json'), 'nope'), 'tokenizer_config.json: invalid JSON'],
    ['tokenizer.json is a folder', 8192, (d) => {
      fs.rmSync(path.join(d, 'tokenizer.json'));
      fs.mkdirSync(path.join(d, 'tokenizer.json'));
    }, 'tokenizer.json: is a folder'],
    ['tokenizer.json with a broken model', 8192, (d) => fs.writeFileSync(path.join(d, 'tokenizer.json'), JSON.stringify({ model: { type: 'NoSuchModel', vocab: {} } })), 'tokenizer.json: transformers.js could not build a tokenizer'],
  ];
  it.each(cases)('%s', async (name, vocab, edit, fragment) => {
    const dir = folder(name.replace(/\W+/g, '-'), vocab, edit);
    if (fragment === null) {
      expect((await loadTokenizer(dir)).vocabSize).toBe(8192);
    } else {
      await expect(loadTokenizer(dir)).rejects.toThrow(fragment);
      await expect(loadTokenizer(dir)).rejects.toThrow(dir);
    }
  });
  it('checks tokenizers and models loaded from different folders', () => {
    expect(() => checkTokenizerFitsModel(151665, 151936, 't', 'm')).not.toThrow();  // Qwen2.5's padding
    expect(() => checkTokenizerFitsModel(512, 32000, 't', 'm')).toThrow('t: the tokenizer has 512 token ids');
    expect(() => checkTokenizerFitsModel(32001, 32000, 't', 'm')).toThrow('ids past the last row cannot be embedded');
  });
});

describe('tied head', () => {
  it('warns when a tied config stores a different lm_head, and uses the embedding', () => {
    const cfg = makeLlamaConfig({ vocabSize: 24, hiddenSize: 8, intermediateSize: 12, numHiddenLayers: 1, numAttentionHeads: 2, tieWordEmbeddings: true });
    const m = randomLlama(cfg, 1, { std: 0.2 });
    const dir = path.join(tmp, 'tied');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(llamaConfigToHf(cfg)));
    const t = Object.fromEntries([...weightsToHfTensors(m)].map(([n, x]) => [n, { shape: x.shape, data: x.dataSync() as Float32Array }]));
    t['lm_head.weight'] = { shape: [24, 8], data: new Float32Array(24 * 8).fill(0.5) };
    writeSafetensors(path.join(dir, 'model.safetensors'), t);
    const warned: string[] = [];
    const onWarning = (w: Error) => warned.push(w.message);
    process.on('warning', onWarning);
    const before = tf.memory().numTensors;
    const back = loadHfModel(dir);
    expect(back.weights.lmHead).toBeNull();
    disposeLlama(back);
    expect(tf.memory().numTensors).toBe(before);
    disposeLlama(m);
    return new Promise<void>((resolve) => setImmediate(() => {
      process.off('warning', onWarning);
      expect(warned.join('\n')).toContain('lm_head.weight differs from model.embed_tokens.weight');
      resolve();
    }));
  });
});

describe('model folders that are not model folders are named', () => {
  const cases: [string, (dir: string) => void, string][] = [
    ['empty config.json', (d) => fs.writeFileSync(path.join(d, 'config.json'), ''), 'config.json: invalid JSON'],
    ['config.json an array', (d) => fs.writeFileSync(path.join(d, 'config.json'), '[]'), 'config.json: expected a JSON object, got an array'],
    ['config.json a folder', (d) => fs.mkdirSync(path.join(d, 'config.json')), 'config.json: is a folder, expected a JSON file'],
    ['no config.json', () => undefined, 'config.json: file not found'],
  ];
  it.each(cases)('%s', (name, make) => {
    const dir = path.join(tmp, `model-${name.replace(/\W+/g, '-')}`);
    fs.mkdirSync(dir);
    make(dir);
    expect(() => readHfConfig(dir)).toThrow(path.join(dir, 'config.json'));
    expect(() => readHfConfig(dir)).toThrow(cases.find((c) => c[0] === name)![2]);
  });
  it('a file given as the model folder', () => {
    const file = path.join(tmp, 'not-a-folder.safetensors');
    fs.writeFileSync(file, 'x');
    expect(() => readHfConfig(file)).toThrow(`${file}: is a file, not a Hugging Face model folder`);
  });
});

describe('untied config without an lm_head', () => {
  it('says to set tie_word_embeddings', () => {
    const cfg = makeLlamaConfig({ vocabSize: 24, hiddenSize: 8, intermediateSize: 12, numHiddenLayers: 1, numAttentionHeads: 2, tieWordEmbeddings: true });
    const m = randomLlama(cfg, 1, { std: 0.2 });
    const dir = path.join(tmp, 'untied-no-head');
    fs.mkdirSync(dir);
    const { tie_word_embeddings: _tie, ...noTie } = llamaConfigToHf(cfg);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(noTie));
    writeSafetensors(path.join(dir, 'model.safetensors'), Object.fromEntries([...weightsToHfTensors(m)].map(([n, x]) => [n, { shape: x.shape, data: x.dataSync() as Float32Array }])));
    const before = tf.memory().numTensors;
    expect(() => loadHfModel(dir)).toThrow(/tensor "lm_head\.weight" \[24, 8\] is missing .*untied lm_head\); tie_word_embeddings is false or left out \(default false\): .*set "tie_word_embeddings": true/);
    expect(tf.memory().numTensors).toBe(before);
    disposeLlama(m);
  });
});
