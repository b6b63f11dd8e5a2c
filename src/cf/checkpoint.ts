// Saving and loading a CF model's trained parameters (and, for resuming, the Adam moments) as
// safetensors, tagged with the model kind and config. Reference: huggingface/safetensors.
import { loadParams, saveParams } from '../core/checkpoint';
import type { AdamState } from '../core/optim';
import { readSafetensors } from '../core/safetensors';
import type { CFModel } from './types';

/** Write the model's parameters (keys = parameter names), plus adam.m./adam.v. moments when given. */
export function saveCFCheckpoint(file: string, model: CFModel, adam: AdamState | null): void {
  saveParams(file, model.params, adam, { kind: model.kind, config: JSON.stringify(model.config) });
}

/**
 * Load parameters into the model (shapes must match its config); when adam is given, its moments and
 * step are replaced from the file. @returns the (same) adam state, or null.
 */
export function loadCFCheckpoint(file: string, model: CFModel, adam: AdamState | null): AdamState | null {
  const kind = readSafetensors(file).metadata['kind'];
  if (kind && kind !== model.kind) throw new Error(`${file}: holds a ${kind} model, not ${model.kind}`);
  loadParams(file, model.params, adam);
  return adam;
}
