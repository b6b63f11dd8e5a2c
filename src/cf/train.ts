// Training and scoring of any CF model: pointwise BCE-with-logits on (user, item, label) rows, Adam
// with PyTorch-style (L2, coupled) weight decay, seeded shuffling and dropout; a non-finite loss stops
// the epoch before the update is applied.
// Reference: CoLLM baseline_train_*_ood.py (Adam(weight_decay=wd), BCEWithLogitsLoss).
import * as tf from '@tensorflow/tfjs';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import { assertFiniteParameters } from '../core/finite';
import { cleanUpAfterHeapFailure, withHeapContext } from '../backend/heap';
import { ADAM_DEFAULTS, adamStep, type AdamConfig, type AdamState } from '../core/optim';
import type { Rng } from '../core/rng';
import { batchRows, makeRowBatch } from '../data/batching';
import type { InteractionSplit } from '../data/types';
import { disposeCFBatch, toCFBatch } from './batch';
import { stopIfInterrupted } from '../core/interrupt';
import type { CFBatch, CFCommonConfig, CFModel, CFSpec } from './types';
import type { ForwardMode } from '../core/types';
import { namedGrads } from '../core/grads';
import { bceWithLogits } from '../core/loss';

/** Optimisation settings of a CF run. */
export interface CFTrainConfig {
  /** Adam learning rate; default 1e-3 (per-model presets in CF_TRAIN_PRESETS). */
  readonly lr: number;
  /** Coupled L2 weight decay, as torch.optim.Adam(weight_decay=...): adds wd * theta to every gradient; default 1e-4. */
  readonly weightDecay: number;
  /** Rows per training step; default 1024. */
  readonly batchSize: number;
  /** Rows per scoring step (evaluation only); default 4096. */
  readonly evalBatchSize: number;
  /** Hard cap on epochs (one epoch = one pass over train); default 1000. */
  readonly maxEpochs: number;
  /** Early-stopping patience in epochs without a better valid AUC; default 50. */
  readonly patience: number;
}

/** Defaults follow CoLLM's MF run on ML-1M (lr 1e-3, wd 1e-4, batch 1024, patience 50). */
export const CF_TRAIN_DEFAULTS: CFTrainConfig = Object.freeze({ lr: 1e-3, weightDecay: 1e-4, batchSize: 1024, evalBatchSize: 4096, maxEpochs: 1000, patience: 50 });

/** Merge, validate and freeze training settings. */
export function makeCFTrainConfig(options: Readonly<Partial<CFTrainConfig>> = {}): CFTrainConfig {
  const c = mergeConfig('CFTrainConfig', CF_TRAIN_DEFAULTS, options);
  checkRange('CFTrainConfig', 'lr', c.lr, 0, 10, true);
  checkRange('CFTrainConfig', 'weightDecay', c.weightDecay, 0, 10);
  checkInt('CFTrainConfig', 'batchSize', c.batchSize);
  checkInt('CFTrainConfig', 'evalBatchSize', c.evalBatchSize);
  checkInt('CFTrainConfig', 'maxEpochs', c.maxEpochs);
  checkInt('CFTrainConfig', 'patience', c.patience);
  return Object.freeze(c);
}

/** Mean BCE-with-logits of a batch (weight decay lives in the optimiser). @returns [] float32 */
export function cfLoss<C extends CFCommonConfig>(spec: CFSpec<C>, model: CFModel<C>, batch: CFBatch, mode: ForwardMode): tf.Scalar {
  return tf.tidy(() => bceWithLogits(spec.score(model, batch, mode), batch.label));
}

/** torch.optim.Adam(lr, weight_decay) semantics for a CF run. */
export function cfAdamConfig(cfg: CFTrainConfig): AdamConfig {
  return { ...ADAM_DEFAULTS, lr: cfg.lr, weightDecay: cfg.weightDecay, decoupled: false };
}

/**
 * One pass over the train split in a seeded random order. Stops at the first non-finite loss.
 * @returns mean batch loss (BCE + L2 term), or the non-finite value that stopped it.
 */
export async function trainEpoch<C extends CFCommonConfig>(
  spec: CFSpec<C>, model: CFModel<C>, train: InteractionSplit, cfg: CFTrainConfig, opt: AdamState, rng: Rng,
): Promise<number> {
  const adam = cfAdamConfig(cfg);
  let total = 0, n = 0;
  for (const rows of batchRows(train.userIdx.length, cfg.batchSize, rng)) {
    await stopIfInterrupted(opt.step, () => `interrupted at step ${opt.step} (training batch ${n + 1})`);
    const batch = toCFBatch(makeRowBatch(train, rows, model.config.maxHistory, model.config.nItems));
    try {
      const mode: ForwardMode = { training: true, seed: rng.int(2 ** 31) };
      const { value: cost, grads } = withHeapContext({ what: 'a CF training step', model: `${spec.kind}, dEmb ${model.config.dEmb}`, batchSize: rows.length },
        () => (spec.lossAndGrads ? spec.lossAndGrads(model, batch, mode) : namedGrads(() => cfLoss(spec, model, batch, mode), model.params)));
      const value = (await cost.data())[0]!;
      cost.dispose();
      if (!Number.isFinite(value)) {
        tf.dispose(Object.values(grads));
        return value;
      }
      adamStep(model.params, grads, opt, adam);
      tf.dispose(Object.values(grads));
      total += value;
      n += 1;
    } finally {
      cleanUpAfterHeapFailure(() => disposeCFBatch(batch));
    }
  }
  // the loss of the last update is computed before it: only the parameters show whether it broke them
  await assertFiniteParameters(model.params);
  return total / Math.max(n, 1);
}

/** Logits for every row of a split, in row order, with dropout off. @returns [n] float32 */
export async function scoreSplit<C extends CFCommonConfig>(spec: CFSpec<C>, model: CFModel<C>, split: InteractionSplit, batchSize: number): Promise<Float32Array> {
  const out = new Float32Array(split.userIdx.length);
  for (const rows of batchRows(split.userIdx.length, batchSize)) {
    await stopIfInterrupted(rows[0]!, () => `interrupted while scoring (row ${rows[0]} of ${out.length})`);
    const batch = toCFBatch(makeRowBatch(split, rows, model.config.maxHistory, model.config.nItems));
    try {
      const logits = withHeapContext({ what: 'CF scoring', model: `${spec.kind}, dEmb ${model.config.dEmb}`, batchSize: rows.length }, () => spec.score(model, batch, { training: false, seed: 0 }));
      out.set(await logits.data(), rows[0]!);
      logits.dispose();
    } finally {
      cleanUpAfterHeapFailure(() => disposeCFBatch(batch));
    }
  }
  return out;
}
