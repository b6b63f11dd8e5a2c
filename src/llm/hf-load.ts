// Loads a Hugging Face LLaMA-family model folder: config.json plus model.safetensors or a sharded
// model.safetensors.index.json (F16/BF16 widened to float32 one tensor at a time, each host copy dropped
// once it is on the backend), with every tensor name and shape checked against the config before any
// tensor is created. Reference: transformers modeling_utils (sharded checkpoints).
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readJson } from '../core/io';
import { readSafetensorsLazy, type LazySafeTensor } from '../core/safetensors';
import { llamaConfigFromHf, type LlamaConfig } from './config';
import { expectedHfShapes, type LlamaLayerWeights, type LlamaModel } from './weights';
import { ownedVariable } from '../core/variable';
import { withHeapContext } from '../backend/heap';

/** One stored tensor and the file it came from (for error messages). */
export interface StoredTensor {
  /** Dtype, shape, and decode() widening the values to float32 (int32 for integer dtypes). */
  readonly t: LazySafeTensor;
  /** The .safetensors file holding it. */
  readonly file: string;
}

/** Buffers transformers recomputes at load time; checkpoints written by old versions still carry them. */
const IGNORED = /(^|\.)rotary_emb\.inv_freq$/;

/** Reads config.json of a model folder; errors name the file and say why the folder is not a model. */
export function readHfConfig(dir: string): LlamaConfig {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(dir)) throw new Error(`${file}: file not found (the folder ${dir} does not exist; expected a Hugging Face model folder)`);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir}: is a file, not a Hugging Face model folder (config.json + model.safetensors)`);
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found (${dir} is not a Hugging Face model folder: it needs config.json and model.safetensors or model.safetensors.index.json)`);
  const j = readJson<unknown>(file);
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new Error(`${file}: expected a JSON object, got ${Array.isArray(j) ? 'an array' : JSON.stringify(j)}`);
  return llamaConfigFromHf(j as Record<string, unknown>, file);
}

/** Reads the weight_map of a sharded checkpoint index. @returns tensor name -> shard file name */
function readWeightMap(index: string): Map<string, string> {
  const j = readJson<{ weight_map?: unknown }>(index);
  const wm = j.weight_map;
  if (typeof wm !== 'object' || wm === null || Array.isArray(wm)) throw new Error(`${index}: no "weight_map" object`);
  const out = new Map<string, string>();
  for (const [name, shard] of Object.entries(wm as Record<string, unknown>)) {
    if (typeof shard !== 'string') throw new Error(`${index}: weight_map["${name}"] must be a file name, got ${JSON.stringify(shard)}`);
    out.set(name, shard);
  }
  return out;
}

/**
 * Reads the tensor table of a model folder, single-file or sharded (values decoded on demand).
 * @returns tensor name -> tensor with its file; `source` names model.safetensors or the index
 */
export function readHfTensors(dir: string): { tensors: Map<string, StoredTensor>; source: string } {
  const single = path.join(dir, 'model.safetensors'), index = path.join(dir, 'model.safetensors.index.json');
  const tensors = new Map<string, StoredTensor>();
  const add = (file: string): Set<string> => {
    const names = new Set<string>();
    for (const [name, t] of Object.entries(readSafetensorsLazy(file).tensors)) {
      const prev = tensors.get(name);
      if (prev) throw new Error(`${file}: tensor "${name}" is also stored in ${prev.file}`);
      tensors.set(name, { t, file });
      names.add(name);
    }
    return names;
  };
  if (fs.existsSync(single)) {
    add(single);
    return { tensors, source: single };
  }
  if (fs.existsSync(index)) {
    const wm = readWeightMap(index);
    const byShard = new Map<string, string[]>();
    for (const [name, shard] of wm) byShard.set(shard, [...(byShard.get(shard) ?? []), name]);
    for (const [shard, names] of byShard) {
      const file = path.join(dir, shard);
      if (!fs.existsSync(file)) throw new Error(`${index}: shard ${shard} (holding "${names[0]}") not found at ${file}`);
      const got = add(file);
      const lost = names.find((n) => !got.has(n));
      if (lost !== undefined) throw new Error(`${file}: tensor "${lost}" is listed in ${path.basename(index)} but not stored in this shard`);
    }
    return { tensors, source: index };
  }
  const hint = fs.existsSync(path.join(dir, 'pytorch_model.bin')) ? ' (pytorch_model.bin found: only safetensors is supported; convert with transformers save_pretrained(safe_serialization=True))' : '';
  throw new Error(`${dir}: no model.safetensors or model.safetensors.index.json${hint}`);
}

/**
 * Loads a LLaMA-family model (llama, qwen2, mistral) from a Hugging Face folder. Every expected
 * tensor must be present with its exact shape; rotary inv_freq buffers are ignored, lm_head may be
 * absent (and is ignored) when the config ties it to the embedding; any other tensor is an error.
 * With `trainable`, weights are tf.Variables. @returns float32 weights in the [out, in] layout
 */
export function loadHfModel(dir: string, opts: { trainable?: boolean } = {}): LlamaModel {
  const config = readHfConfig(dir);
  const { tensors, source } = readHfTensors(dir);
  const expected = expectedHfShapes(config);
  for (const [name, shape] of expected) {
    const e = tensors.get(name);
    // an absent lm_head under tie_word_embeddings false (also its default) usually means a tied model whose config omits the flag
    const tieHint = name === 'lm_head.weight' ? '; tie_word_embeddings is false or left out (default false): if the model shares its embedding with the output head, set "tie_word_embeddings": true in config.json' : '';
    if (!e) throw new Error(`${source}: tensor "${name}" [${shape.join(', ')}] is missing (config.json: ${config.modelType}, ${config.numHiddenLayers} layers${config.tieWordEmbeddings ? ', tied' : ', untied lm_head'})${tieHint}`);
    if (e.t.shape.length !== shape.length || e.t.shape.some((s, i) => s !== shape[i])) {
      throw new Error(`${e.file}: tensor "${name}" has shape [${e.t.shape.join(', ')}], config.json implies [${shape.join(', ')}]`);
    }
    if (!['F32', 'F16', 'BF16'].includes(e.t.dtype)) throw new Error(`${e.file}: tensor "${name}" has dtype ${e.t.dtype}, expected F32, F16 or BF16`);
  }
  for (const [name, e] of tensors) {
    if (expected.has(name) || IGNORED.test(name) || (name === 'lm_head.weight' && config.tieWordEmbeddings)) continue;
    throw new Error(`${e.file}: unexpected tensor "${name}" [${e.t.shape.join(', ')}] (not part of a ${config.modelType} model with this config.json)`);
  }
  const head = tensors.get('lm_head.weight'), embed = tensors.get('model.embed_tokens.weight')!;
  if (config.tieWordEmbeddings && head && !sameValues(head.t.decode(), embed.t.decode())) {
    // transformers ties the head to the embedding and drops the stored head: the kit does the same, but says so
    process.emitWarning(`${head.file}: lm_head.weight differs from model.embed_tokens.weight, but config.json has tie_word_embeddings true: ` +
      'the embedding is used as the output head (as transformers does); set tie_word_embeddings false if the stored head is meant', 'CfLlmKitWarning');
  }
  // every check passed: only now create tensors; a failure while creating them (out of memory) frees
  // the ones made so far and says which model and how much heap
  const created: tf.Tensor[] = [];
  const heapCtx = { what: 'loading the model', model: dir };
  const get = (name: string): tf.Tensor => {
    const e = tensors.get(name)!;
    const t = withHeapContext(heapCtx, () => {
      // widened here and dropped after the upload: one tensor's float32 copy on the host at a time
      const x = tf.tensor(e.t.decode() as Float32Array, expected.get(name)!, 'float32');
      return opts.trainable ? ownedVariable(x) : x;
    });
    created.push(t);
    return t;
  };
  try {
    return buildModel(config, get);
  } catch (e) {
    tf.dispose(created);
    throw e;
  }
}

/** The model from its tensors, fetched by Hugging Face name through `get`. */
function buildModel(config: LlamaConfig, get: (name: string) => tf.Tensor): LlamaModel {
  const layers: LlamaLayerWeights[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `model.layers.${i}.`;
    const bias = (n: string): tf.Tensor1D | null => (config.attentionBias ? (get(`${p}self_attn.${n}_proj.bias`) as tf.Tensor1D) : null);
    layers.push({
      inputNorm: get(p + 'input_layernorm.weight') as tf.Tensor1D,
      q: get(p + 'self_attn.q_proj.weight') as tf.Tensor2D,
      k: get(p + 'self_attn.k_proj.weight') as tf.Tensor2D,
      v: get(p + 'self_attn.v_proj.weight') as tf.Tensor2D,
      o: get(p + 'self_attn.o_proj.weight') as tf.Tensor2D,
      qBias: bias('q'), kBias: bias('k'), vBias: bias('v'),
      postNorm: get(p + 'post_attention_layernorm.weight') as tf.Tensor1D,
      gate: get(p + 'mlp.gate_proj.weight') as tf.Tensor2D,
      up: get(p + 'mlp.up_proj.weight') as tf.Tensor2D,
      down: get(p + 'mlp.down_proj.weight') as tf.Tensor2D,
    });
  }
  return {
    config,
    weights: {
      embed: get('model.embed_tokens.weight') as tf.Tensor2D,
      layers,
      finalNorm: get('model.norm.weight') as tf.Tensor1D,
      lmHead: config.tieWordEmbeddings ? null : (get('lm_head.weight') as tf.Tensor2D),
    },
  };
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
