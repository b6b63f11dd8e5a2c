// The training loop shared by TALLRec, CoLLM and CoRA: BCE with logits on the "Yes" score, AdamW with
// warm-up + cosine, "epochs" of a fixed number of iterations, validation AUC each epoch, best-valid
// checkpoint of the trained parameters only, early stopping, NaN guard, resume after a kill.
// Reference: docs/methods.md §5 (CoLLM's schedule and selection), §6.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { loadParams, saveParams } from '../core/checkpoint';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import { readJson, writeJsonAtomic } from '../core/io';
import { adamStep, disposeAdamState, initAdamState } from '../core/optim';
import { makeRng } from '../core/rng';
import { lrAt, makeWarmupCosine } from '../core/schedule';
import { assertFiniteParameters } from '../core/finite';
import { cleanUpAfterHeapFailure, wasmHeapBytes, withHeapContext, WasmHeapExhausted } from '../backend/heap';
import { FRESH_LOOP, runEpochLoop, type LoopResult, type LoopState } from '../core/train';
import { stopIfInterrupted } from '../core/interrupt';
import { emitProgress, noteLogger, type ProgressCallback } from '../core/progress';
import type { InteractionSplit } from '../data/types';
import type { LlamaConfig } from '../llm/config';
import { HEAP_FILL, planMicroBatch } from '../llm/memory';
import { auc } from '../metrics/auc';
import { accumulatedGrads } from './accumulate';
import { makePromptBatch } from './batch';
import type { EncodedPrompts } from './encode';
import type { RecMethod } from './method';

/** Optimisation and budget of one training stage. */
export interface RecTrainConfig {
  /** Peak learning rate, reached after warm-up; default 1e-3. */
  readonly lr: number;
  /** Learning rate at step 0, rising linearly to lr over warmupSteps; default 1e-5. */
  readonly warmupStartLr: number;
  /** Floor of the cosine decay, reached at maxEpochs * itersPerEpoch steps; default 8e-5. */
  readonly minLr: number;
  /** Optimiser steps of linear warm-up; default 20 (at most 10% of maxEpochs * itersPerEpoch). */
  readonly warmupSteps: number;
  /**
   * 'global' (default): one warm-up over the first warmupSteps steps, then cosine. 'per-epoch': the
   * official CoLLM/MiniGPT-4 scheduler, whose warm-up ramp restarts at each epoch's first step while the
   * global step is below warmupSteps (its warm-up uses the in-epoch step), then cosine.
   */
  readonly warmup: 'global' | 'per-epoch';
  /** AdamW decoupled weight decay (0 for 1-D parameters); default 1e-3. */
  readonly weightDecay: number;
  /** Training rows per step, drawn at random from the train split; default 16. */
  readonly batchSize: number;
  /** Iterations per "epoch" (one validation per epoch); default 50. */
  readonly itersPerEpoch: number;
  /** Most epochs to train (the hard cap); also sets the length of the cosine schedule; default 20. */
  readonly maxEpochs: number;
  /** Epochs without a better validation AUC before stopping; default 5. */
  readonly patience: number;
  /**
   * Rows per forward + backward pass; the step's gradient is accumulated over ceil(batchSize / microBatch)
   * passes and equals the full batch's. 'auto' (default): the most rows whose estimated activations fit
   * beside the loaded tensors under the backend's memory ceiling (src/llm/memory.ts), at most batchSize.
   */
  readonly microBatch: 'auto' | number;
  /** Rows scored per forward pass at evaluation; default 32. */
  readonly evalBatchSize: number;
  /** Validate on at most this many rows of the validation split (seeded subset); 0 = all (default). */
  readonly evalRows: number;
  /** Seed of the training batch draws and of the validation subset; default 0. */
  readonly seed: number;
}

/** CoLLM's ML-1M setting with a small budget (see the comparison table for the budgets used). */
export const REC_TRAIN_DEFAULTS: RecTrainConfig = Object.freeze({
  lr: 1e-3, warmupStartLr: 1e-5, minLr: 8e-5, warmupSteps: 20, warmup: 'global', weightDecay: 1e-3, batchSize: 16, microBatch: 'auto', itersPerEpoch: 50,
  maxEpochs: 20, patience: 5, evalBatchSize: 32, evalRows: 0, seed: 0,
});

/** Merges and checks a training config. */
export function makeRecTrainConfig(o: Partial<RecTrainConfig> = {}): RecTrainConfig {
  const c = mergeConfig('RecTrainConfig', REC_TRAIN_DEFAULTS, o);
  for (const k of ['batchSize', 'itersPerEpoch', 'maxEpochs', 'patience', 'evalBatchSize'] as const) checkInt('RecTrainConfig', k, c[k], 1);
  checkInt('RecTrainConfig', 'warmupSteps', c.warmupSteps, 0);
  checkInt('RecTrainConfig', 'evalRows', c.evalRows, 0);
  checkRange('RecTrainConfig', 'lr', c.lr, 0, 1, true);
  checkRange('RecTrainConfig', 'minLr', c.minLr, 0, c.lr);
  checkRange('RecTrainConfig', 'warmupStartLr', c.warmupStartLr, 0, c.lr);
  checkInt('RecTrainConfig', 'seed', c.seed, 0);
  if (c.microBatch !== 'auto') {
    if (typeof c.microBatch !== 'number') throw new Error(`RecTrainConfig: microBatch must be 'auto' or an integer >= 1, got ${JSON.stringify(c.microBatch)}`);
    checkInt('RecTrainConfig', 'microBatch', c.microBatch, 1);
  }
  if (c.warmup !== 'global' && c.warmup !== 'per-epoch') throw new Error(`RecTrainConfig: warmup "${String(c.warmup)}" is not one of global, per-epoch`);
  const planned = c.maxEpochs * c.itersPerEpoch;
  if (c.warmupSteps > 0.1 * planned) {
    throw new Error(`RecTrainConfig: warmupSteps ${c.warmupSteps} is more than 10% of the planned ${planned} steps (maxEpochs ${c.maxEpochs} x itersPerEpoch ${c.itersPerEpoch}); `
      + `the learning rate would still be ramping when training stops: lower warmupSteps to <= ${Math.floor(0.1 * planned)} or raise maxEpochs`);
  }
  return Object.freeze(c);
}

/** The learning rate of a step under the config's schedule. */
export function recLrAt(c: RecTrainConfig, epoch: number, stepInEpoch: number): number {
  const sched = makeWarmupCosine({ peakLr: c.lr, warmupStartLr: c.warmupStartLr, warmupSteps: c.warmupSteps, totalSteps: c.maxEpochs * c.itersPerEpoch, minLr: c.minLr });
  const step = epoch * c.itersPerEpoch + stepInEpoch;
  if (c.warmup === 'per-epoch' && step < c.warmupSteps) return c.warmupStartLr + (c.lr - c.warmupStartLr) * (stepInEpoch / c.warmupSteps);
  return lrAt(sched, step);
}

/** Logits of every given row (default all rows), in order, batchSize rows per forward pass. */
export async function scoreRows(method: RecMethod, enc: EncodedPrompts, split: InteractionSplit, padId: number, batchSize: number, rows?: readonly number[]): Promise<Float32Array> {
  const idx = rows ?? Array.from({ length: split.label.length }, (_, i) => i);
  const out = new Float32Array(idx.length);
  for (let s = 0; s < idx.length; s += batchSize) {
    await stopIfInterrupted(s, () => `${method.name}: interrupted while scoring (row ${s} of ${idx.length})`);
    const b = makePromptBatch(enc, split, idx.slice(s, s + batchSize), padId);
    const l = withHeapContext({ what: 'scoring', model: method.name, batchSize: b.B, seqLen: b.T, hint: `a smaller scoring batch (train-rec --eval-batch ${Math.max(1, b.B >> 1)})` },
      () => method.logits(b, { training: false, seed: 0 }));
    out.set(await l.data() as Float32Array, s);
    l.dispose();
  }
  return out;
}

/** What a training stage needs. */
export interface RecTrainInput {
  readonly method: RecMethod;
  readonly train: { readonly split: InteractionSplit; readonly enc: EncodedPrompts };
  readonly valid: { readonly split: InteractionSplit; readonly enc: EncodedPrompts };
  readonly padId: number;
  readonly config: RecTrainConfig;
  /** Folder for best.safetensors, last.safetensors, state.json. */
  readonly outDir: string;
  readonly resume?: boolean;
  readonly onProgress?: ProgressCallback;
  /** The LLM's config and name (folder), for the 'auto' micro-batch and out-of-memory messages; without it 'auto' means the whole batch. */
  readonly llm?: { readonly config: LlamaConfig; readonly name: string };
}

/** A finished training stage: the loop's outcome (per-epoch history included) and what it consumed. */
export interface RecTrainResult extends LoopResult {
  /** Validation rows the selection used. */
  readonly validRows: number;
  /** Optimiser steps taken (epochs finished x itersPerEpoch). */
  readonly stepsTrained: number;
  /** Training rows seen (stepsTrained x batchSize). */
  readonly samplesSeen: number;
  /** Warm-up steps of the schedule, and how it warmed up. */
  readonly warmupSteps: number;
  readonly warmup: RecTrainConfig['warmup'];
  /** Rows per forward + backward pass (the resolved microBatch; batchSize / microBatch passes per step). */
  readonly microBatch: number;
  /** The wasm heap at the end of training in MiB (it never shrinks, so this is its peak); null on other backends. */
  readonly peakHeapMB: number | null;
}

const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;

/**
 * The micro-batch a stage trains with: the config's number (at most batchSize), or for 'auto' the plan
 * of src/llm/memory.ts at the longest training prompt (the whole batch when no LLM is given). Throws
 * WasmHeapExhausted, naming model, length, need and ceiling, when not even one row is estimated to fit.
 */
export function resolveMicroBatch(c: RecTrainConfig, inp: Pick<RecTrainInput, 'llm' | 'method' | 'train'>): number {
  if (c.microBatch !== 'auto') return Math.min(c.microBatch, c.batchSize);
  if (!inp.llm) return c.batchSize;
  const seqLen = inp.train.enc.ids.reduce((a, t) => Math.max(a, t.length), 1);
  // the trainable parameters' Adam moments, the pass's gradients and the accumulated ones
  const trainable = 4 * 4 * Object.values(inp.method.params).reduce((a, v) => a + v.size, 0);
  const plan = planMicroBatch(inp.llm.config, c.batchSize, { seqLen, mode: 'train' }, trainable);
  if (plan.tooBig) {
    const msg = `out of memory before training ${inp.method.name} on ${inp.llm.name}: one row of ${seqLen} tokens needs about ${gib(plan.activationBytes)} of activations `
      + `beside ${gib(plan.allocatedBytes + plan.extraBytes)} of weights and optimiser state, over ${Math.round(HEAP_FILL * 100)}% of the ${gib(plan.ceilingBytes)} memory ceiling `
      + `(batch size ${c.batchSize}, micro-batch 1). Even --micro-batch 1 does not fit: use shorter prompts, or a smaller model.`;
    throw new WasmHeapExhausted({ what: 'planning a training step', model: inp.llm.name, batchSize: 1, seqLen }, new Error('estimated need exceeds the ceiling'), msg);
  }
  return plan.microBatch;
}

/** Trains the method's parameters; leaves them at the best-validation values. */
export async function trainRecMethod(inp: RecTrainInput): Promise<RecTrainResult> {
  const { method, config: c, outDir } = inp;
  const log = noteLogger(inp.onProgress);
  const params = method.params;
  if (Object.keys(params).length === 0) throw new Error(`${method.name}: no trainable parameters`);
  const micro = resolveMicroBatch(c, inp);
  fs.mkdirSync(outDir, { recursive: true });
  const decay: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(params)) decay[k] = v.rank > 1;
  const adam = initAdamState(params);
  const adamCfg = { lr: c.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: c.weightDecay, decoupled: true };
  const nTrain = inp.train.split.label.length, nValid = inp.valid.split.label.length;
  const validRows = c.evalRows > 0 && c.evalRows < nValid ? makeRng(c.seed + 7).shuffle(Array.from({ length: nValid }, (_, i) => i)).slice(0, c.evalRows).sort((a, b) => a - b) : undefined;
  const last = path.join(outDir, 'last.safetensors'), best = path.join(outDir, 'best.safetensors'), stateFile = path.join(outDir, 'state.json');
  let from: LoopState = FRESH_LOOP;
  if (inp.resume !== false && fs.existsSync(last) && fs.existsSync(stateFile)) {
    loadParams(last, params, adam);
    const st = readJson<LoopState>(stateFile);
    from = { ...st, bestValid: st.bestValid ?? -Infinity };
    log(`${method.name}: resuming at epoch ${from.nextEpoch} (best valid AUC ${from.bestValid.toFixed(4)})`);
  }
  try {
    const result = await runEpochLoop({ maxEpochs: c.maxEpochs, patience: c.patience, lr: c.lr }, {
      trainEpoch: async (epoch) => {
        let sum = 0;
        for (let it = 0; it < c.itersPerEpoch; it++) {
          const step = epoch * c.itersPerEpoch + it;
          await stopIfInterrupted(step, () => `${method.name}: interrupted at step ${step} (epoch ${epoch})`);
          const rng = makeRng((c.seed * 1000003 + step * 7919 + 5) | 0);
          const rows = Array.from({ length: c.batchSize }, () => rng.int(nTrain));
          const { loss, grads } = await accumulatedGrads(method, rows, (r) => makePromptBatch(inp.train.enc, inp.train.split, r, inp.padId), micro, step, {
            what: `an LLM training step (${micro} of ${c.batchSize} rows per pass)`, model: inp.llm ? `${method.name} on ${inp.llm.name}` : method.name,
            hint: `a smaller micro-batch (train-rec --micro-batch ${Math.max(1, micro >> 1)}; the effective batch stays ${c.batchSize})`,
          });
          if (!Number.isFinite(loss)) return loss;
          adamStep(params, grads, adam, adamCfg, recLrAt(c, epoch, it), decay);
          tf.dispose(Object.values(grads));
          sum += loss;
        }
        await assertFiniteParameters(params);  // the last update's effect is not in any loss yet
        return sum / c.itersPerEpoch;
      },
      validate: async () => {
        const s = await scoreRows(method, inp.valid.enc, inp.valid.split, inp.padId, c.evalBatchSize, validRows);
        const labels = validRows ? validRows.map((r) => inp.valid.split.label[r]!) : Array.from(inp.valid.split.label);
        return auc(labels, s);
      },
      onBest: async () => saveParams(best, params, null, { method: method.name }),
      onEpochEnd: async (state, rec) => {
        saveParams(last, params, adam, { method: method.name });
        writeJsonAtomic(stateFile, state);
        emitProgress(inp.onProgress, { kind: 'epoch', loop: 'rec', run: method.name, epoch: rec.epoch, trainLoss: rec.trainLoss, validAuc: rec.valid, improved: rec.improved, seconds: rec.seconds });
      },
    }, from);
    if (result.stoppedBy === 'nonFiniteLoss') log(`${method.name}: stopped: ${result.message}`);
    if (result.bestEpoch < 0) throw new Error(`${method.name}: no epoch finished with a finite loss (${result.message})`);
    loadParams(best, params, null);
    const stepsTrained = result.history.length * c.itersPerEpoch;
    const heap = wasmHeapBytes();
    return { ...result, validRows: validRows?.length ?? nValid, stepsTrained, samplesSeen: stepsTrained * c.batchSize, warmupSteps: c.warmupSteps, warmup: c.warmup,
      microBatch: micro, peakHeapMB: heap === null ? null : Math.round(heap / 2 ** 20) };
  } finally {
    cleanUpAfterHeapFailure(() => disposeAdamState(adam));
  }
}
