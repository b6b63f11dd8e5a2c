// Saving and loading named trainable tensors (and, for resuming, their Adam moments) as safetensors;
// only trained tensors are written. Used by the CF models, LM pretraining and the LLM methods.
// Reference: huggingface/safetensors.
import * as tf from '@tensorflow/tfjs';
import type { AdamState } from './optim';
import { readSafetensors, writeSafetensors } from './safetensors';

/** Writes params (keys = names) plus adam.m./adam.v. moments when given; metadata strings are stored as is. */
export function saveParams(file: string, params: Readonly<Record<string, tf.Tensor>>, adam: AdamState | null, metadata: Readonly<Record<string, string>> = {}): void {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  const put = (key: string, t: tf.Tensor) => { tensors[key] = { shape: t.shape, data: t.dataSync() as Float32Array }; };
  for (const [k, p] of Object.entries(params)) put(k, p);
  if (adam) {
    for (const [k, m] of Object.entries(adam.m)) put(`adam.m.${k}`, m);
    for (const [k, v] of Object.entries(adam.v)) put(`adam.v.${k}`, v);
  }
  writeSafetensors(file, tensors, { ...metadata, adamStep: String(adam?.step ?? 0) });
}

/**
 * Assigns the file's tensors to the variables of the same names (shapes must match); when adam is
 * given, its moments and step are replaced from the file. @returns the file's metadata
 */
export function loadParams(file: string, params: Readonly<Record<string, tf.Variable>>, adam: AdamState | null): Record<string, string> {
  const { tensors, metadata } = readSafetensors(file);
  const take = (key: string, shape: readonly number[]): tf.Tensor => {
    const t = tensors[key];
    if (!t) throw new Error(`${file}: missing tensor "${key}"`);
    if (t.shape.join(',') !== shape.join(',')) throw new Error(`${file}: tensor "${key}" has shape [${t.shape}], the model needs [${shape}]`);
    return tf.tensor(t.data as Float32Array, [...shape], 'float32');
  };
  for (const [k, p] of Object.entries(params)) {
    const t = take(k, p.shape);
    p.assign(t);
    t.dispose();
  }
  if (adam) {
    for (const k of Object.keys(params)) {
      const m = take(`adam.m.${k}`, params[k]!.shape), v = take(`adam.v.${k}`, params[k]!.shape);
      tf.dispose([adam.m[k]!, adam.v[k]!]);
      adam.m[k] = m;
      adam.v[k] = v;
    }
    adam.step = Number(metadata['adamStep'] ?? 0);
  }
  return metadata;
}
