// The CF models by name, with the training settings CoLLM used for each on ML-1M.
// Reference: docs/methods.md §3; CoLLM baseline_train_*_ood.py.
import type { CFTrainConfig } from './train';
import { CONTENT } from './content';
import { DIN } from './din';
import { HASH_MF } from './hash-mf';
import { LIGHTGCN } from './lightgcn';
import { MF } from './mf';
import { SASREC } from './sasrec';
import type { CFCommonConfig, CFKind, CFSpec } from './types';

/** Every CF model the kit ships, by name. */
export const CF_SPECS: Readonly<Record<CFKind, CFSpec<CFCommonConfig>>> = Object.freeze({
  mf: MF as unknown as CFSpec<CFCommonConfig>,
  lightgcn: LIGHTGCN as unknown as CFSpec<CFCommonConfig>,
  sasrec: SASREC as unknown as CFSpec<CFCommonConfig>,
  din: DIN as unknown as CFSpec<CFCommonConfig>,
  content: CONTENT as unknown as CFSpec<CFCommonConfig>,
  'hash-mf': HASH_MF as unknown as CFSpec<CFCommonConfig>,
});

/** Training settings per model (CoLLM's ML-1M runs); anything not named uses CF_TRAIN_DEFAULTS. */
export const CF_TRAIN_PRESETS: Readonly<Record<CFKind, Partial<CFTrainConfig>>> = Object.freeze({
  // batch 2048 and patience 100: the run behind CoLLM Table II's MF row (batch 1024 / patience 50 gave test UAUC 0.621-0.632 here)
  mf: { lr: 1e-3, weightDecay: 1e-4, batchSize: 2048, patience: 100 },
  lightgcn: { lr: 1e-2, weightDecay: 1e-4, batchSize: 1024, patience: 50 },
  // the checkpoint CoLLM's baseline_train_sasrec.py evaluates (test AUC 0.7078): d64 lr 1e-2 wd 1e-2 len 25, batch 2048, patience 100
  sasrec: { lr: 1e-2, weightDecay: 1e-2, batchSize: 2048, patience: 100 },
  // CoLLM ships no DIN training script; the paper's setting
  din: { lr: 1e-4, weightDecay: 1e-4 },
  // the content baseline (logistic regression, no ids): convex, converges in ~10 epochs at lr 5e-2
  content: { lr: 5e-2, weightDecay: 1e-5, batchSize: 1024, patience: 3 },
  // BinLLM's code model: the run behind hash_CF_ml.yaml's pretrained_path (0130hashGNN-ml-32lr-0.01wd0.001), hashGNN_ml.py
  'hash-mf': { lr: 1e-2, weightDecay: 1e-3, batchSize: 2048, patience: 100 },
});

/** Names of the models, in the order tables list them. */
export const CF_KINDS: readonly CFKind[] = ['mf', 'lightgcn', 'sasrec', 'din'];

/** Look up a model by name with a clear error for unknown or not-yet-available names. */
export function cfSpec(kind: string): CFSpec<CFCommonConfig> {
  const spec = (CF_SPECS as Record<string, CFSpec<CFCommonConfig> | undefined>)[kind];
  if (!spec) throw new Error(`unknown CF model "${kind}"; available: ${Object.keys(CF_SPECS).join(', ')}`);
  return spec;
}
