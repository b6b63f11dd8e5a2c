// Saving and loading a CF model's trained parameters (and, for resuming, the Adam moments) as
// safetensors; only trained tensors are written. Reference: huggingface/safetensors.
import * as tf from '@tensorflow/tfjs';
import type { AdamState } from '../core/optim';
import { readSafetensors, writeSafetensors } from '../core/safetensors';
import type { CFModel } from './types';

/** Write the model's parameters (keys = parameter names), plus adam.m./adam.v. moments when given. */
export function saveCFCheckpoint(file: string, model: CFModel, adam: AdamState | null): void {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  const put = (key: string, t: tf.Tensor) => { tensors[key] = { shape: t.shape, data: t.dataSync() as Float32Array }; };
  for (const [k, p] of Object.entries(model.params)) put(k, p);
  if (adam) {
    for (const [k, m] of Object.entries(adam.m)) put(`adam.m.${k}`, m);
    for (const [k, v] of Object.entries(adam.v)) put(`adam.v.${k}`, v);
  }
  writeSafetensors(file, tensors, { kind: model.kind, config: JSON.stringify(model.config), adamStep: String(adam?.step ?? 0) });
}

/**
 * Load parameters into the model (shapes must match its config); when adam is given, its moments and
 * step are replaced from the file. @returns the (same) adam state, or null.
 */
export function loadCFCheckpoint(file: string, model: CFModel, adam: AdamState | null): AdamState | null {
  const { tensors, metadata } = readSafetensors(file);
  if (metadata['kind'] && metadata['kind'] !== model.kind) throw new Error(`${file}: holds a ${metadata['kind']} model, not ${model.kind}`);
  const take = (key: string, shape: readonly number[]): tf.Tensor => {
    const t = tensors[key];
    if (!t) throw new Error(`${file}: missing tensor "${key}"`);
    if (t.shape.join(',') !== shape.join(',')) throw new Error(`${file}: tensor "${key}" has shape [${t.shape}], the model needs [${shape}]`);
    return tf.tensor(t.data as Float32Array, [...shape], 'float32');
  };
  for (const [k, p] of Object.entries(model.params)) {
    const t = take(k, p.shape);
    p.assign(t);
    t.dispose();
  }
  if (!adam) return null;
  for (const k of Object.keys(model.params)) {
    const m = take(`adam.m.${k}`, model.params[k]!.shape), v = take(`adam.v.${k}`, model.params[k]!.shape);
    tf.dispose([adam.m[k]!, adam.v[k]!]);
    adam.m[k] = m;
    adam.v[k] = v;
  }
  adam.step = Number(metadata['adamStep'] ?? 0);
  return adam;
}
