// The CF models by name, with the training settings CoLLM used for each on ML-1M.
// Reference: ../shared/notes/methods.md §3; CoLLM baseline_train_*_ood.py.
import type { CFTrainConfig } from './train';
import { LIGHTGCN } from './lightgcn';
import { MF } from './mf';
import type { CFCommonConfig, CFKind, CFSpec } from './types';

/** Every CF model the kit ships, by name. */
export const CF_SPECS: Readonly<Record<CFKind, CFSpec<CFCommonConfig>>> = Object.freeze({
  mf: MF as unknown as CFSpec<CFCommonConfig>,
  lightgcn: LIGHTGCN as unknown as CFSpec<CFCommonConfig>,
} as Record<CFKind, CFSpec<CFCommonConfig>>);

/** Training settings per model (CoLLM's ML-1M runs); anything not named uses CF_TRAIN_DEFAULTS. */
export const CF_TRAIN_PRESETS: Readonly<Record<CFKind, Partial<CFTrainConfig>>> = Object.freeze({
  mf: { lr: 1e-3, weightDecay: 1e-4, batchSize: 1024, patience: 50 },
  lightgcn: { lr: 1e-2, weightDecay: 1e-4, batchSize: 1024, patience: 50 },
  sasrec: {},
  din: { lr: 1e-4, weightDecay: 1e-4 },
});

/** Names of the models, in the order tables list them. */
export const CF_KINDS: readonly CFKind[] = ['mf', 'lightgcn', 'sasrec', 'din'];

/** Look up a model by name with a clear error for unknown or not-yet-available names. */
export function cfSpec(kind: string): CFSpec<CFCommonConfig> {
  const spec = (CF_SPECS as Record<string, CFSpec<CFCommonConfig> | undefined>)[kind];
  if (!spec) throw new Error(`unknown CF model "${kind}"; available: ${Object.keys(CF_SPECS).join(', ')}`);
  return spec;
}
