// Hugging Face model folders: load config.json + model.safetensors (or a sharded
// model.safetensors.index.json; F16/BF16 widened to float32) into a LlamaModel with every tensor name
// and shape checked; save config.json + model.safetensors (float32) so a model round-trips.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readJson, writeJsonAtomic } from '../core/io';
import { readSafetensors, writeSafetensors, type SafeTensor } from '../core/safetensors';
import { llamaConfigFromHf, llamaConfigToHf, type LlamaConfig } from './config';
import { expectedHfShapes, weightsToHfTensors, type LlamaLayerWeights, type LlamaModel } from './weights';

/** Reads every tensor of a model folder, single-file or sharded. @returns name -> tensor, with the file each came from */
function readAllTensors(dir: string): Map<string, { t: SafeTensor; file: string }> {
  const single = path.join(dir, 'model.safetensors'), index = path.join(dir, 'model.safetensors.index.json');
  const out = new Map<string, { t: SafeTensor; file: string }>();
  let files: string[];
  if (fs.existsSync(single)) files = [single];
  else if (fs.existsSync(index)) {
    const map = readJson<{ weight_map?: Record<string, string> }>(index).weight_map;
    if (!map) throw new Error(`${index}: no "weight_map"`);
    files = [...new Set(Object.values(map))].map((f) => path.join(dir, f));
  } else throw new Error(`${dir}: no model.safetensors or model.safetensors.index.json (is this a Hugging Face model folder?)`);
  for (const f of files) {
    const sf = readSafetensors(f);
    for (const [name, t] of Object.entries(sf.tensors)) out.set(name, { t, file: f });
  }
  return out;
}

/** Loads a LLaMA-family model from a Hugging Face folder; names the file and tensor of any mismatch. */
export function loadHfModel(dir: string, opts: { trainable?: boolean } = {}): LlamaModel {
  const cfgFile = path.join(dir, 'config.json');
  if (!fs.existsSync(cfgFile)) throw new Error(`${cfgFile}: file not found (is ${dir} a Hugging Face model folder?)`);
  const config = llamaConfigFromHf(readJson<Record<string, unknown>>(cfgFile), cfgFile);
  const stored = readAllTensors(dir);
  const expected = expectedHfShapes(config);
  const get = (name: string): tf.Tensor => {
    const e = stored.get(name);
    const shape = expected.get(name)!;
    if (!e) throw new Error(`${dir}: tensor "${name}" is missing from the checkpoint`);
    if (e.t.shape.length !== shape.length || e.t.shape.some((s, i) => s !== shape[i])) {
      throw new Error(`${e.file}: tensor "${name}" has shape [${e.t.shape.join(', ')}], config.json implies [${shape.join(', ')}]`);
    }
    if (!(e.t.data instanceof Float32Array)) throw new Error(`${e.file}: tensor "${name}" has dtype ${e.t.dtype}, expected a float type`);
    const t = tf.tensor(e.t.data, shape);
    return opts.trainable ? tf.variable(t) : t;
  };
  const layers: LlamaLayerWeights[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `model.layers.${i}.`;
    const b = (n: string) => (config.attentionBias ? get(p + `self_attn.${n}_proj.bias`) as tf.Tensor1D : null);
    layers.push({
      inputNorm: get(p + 'input_layernorm.weight') as tf.Tensor1D,
      q: get(p + 'self_attn.q_proj.weight') as tf.Tensor2D, k: get(p + 'self_attn.k_proj.weight') as tf.Tensor2D,
      v: get(p + 'self_attn.v_proj.weight') as tf.Tensor2D, o: get(p + 'self_attn.o_proj.weight') as tf.Tensor2D,
      qBias: b('q'), kBias: b('k'), vBias: b('v'),
      postNorm: get(p + 'post_attention_layernorm.weight') as tf.Tensor1D,
      gate: get(p + 'mlp.gate_proj.weight') as tf.Tensor2D, up: get(p + 'mlp.up_proj.weight') as tf.Tensor2D, down: get(p + 'mlp.down_proj.weight') as tf.Tensor2D,
    });
  }
  const embed = get('model.embed_tokens.weight') as tf.Tensor2D;
  const lmHead = config.tieWordEmbeddings ? null : get('lm_head.weight') as tf.Tensor2D;
  return { config, weights: { embed, layers, finalNorm: get('model.norm.weight') as tf.Tensor1D, lmHead } };
}

/** Writes config.json + model.safetensors (float32); copies tokenizer files from tokenizerDir when given. */
export function saveHfModel(m: LlamaModel, dir: string, opts: { tokenizerDir?: string; metadata?: Record<string, string> } = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, t] of weightsToHfTensors(m)) tensors[name] = { shape: t.shape, data: t.dataSync() as Float32Array };
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt', ...opts.metadata });
  writeJsonAtomic(path.join(dir, 'config.json'), llamaConfigToHf(m.config));
  if (opts.tokenizerDir) {
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
      const src = path.join(opts.tokenizerDir, f);
      if (fs.existsSync(src) && path.resolve(src) !== path.resolve(path.join(dir, f))) fs.copyFileSync(src, path.join(dir, f));
    }
  }
}

