// A generic epoch loop with model selection on a validation metric (higher is better), early
// stopping, a NaN guard and resumable state; the model-specific work comes in through hooks.
// Reference: CoLLM's early_stoper (patience on valid AUC); nanoGPT's resumable training loop.
import { TrainingInterrupted } from './interrupt';

/** Stopping rules of the loop. */
export interface LoopConfig {
  /** Hard cap on epochs (required; no default at this level). */
  readonly maxEpochs: number;
  /** Stop after this many epochs without a better validation metric (required). */
  readonly patience: number;
}

/** One finished epoch. */
export interface EpochRecord {
  /** 0-based epoch number. */
  readonly epoch: number;
  /** Mean training loss over the epoch. */
  readonly trainLoss: number;
  /** Validation metric after the epoch (higher is better). */
  readonly valid: number;
  /** Whether this epoch became the best so far. */
  readonly improved: boolean;
  /** Wall time of train + validation, seconds. */
  readonly seconds: number;
}

/** Everything needed to resume the loop; JSON-serialisable. */
export interface LoopState {
  /** Next epoch to run. */
  readonly nextEpoch: number;
  /** Best epoch so far, -1 before any. */
  readonly bestEpoch: number;
  /** Best validation metric so far, -Infinity before any (stored as null in JSON). */
  readonly bestValid: number;
  /** Epochs since the last improvement. */
  readonly badEpochs: number;
  /** All finished epochs. */
  readonly history: readonly EpochRecord[];
}

/** Why the loop ended. */
export type StopReason = 'patience' | 'maxEpochs' | 'nonFiniteLoss';

/** The loop's outcome. */
export interface LoopResult extends LoopState {
  /** Why the loop stopped. */
  readonly stoppedBy: StopReason;
  /** Human-readable detail, e.g. the epoch where a NaN loss appeared. */
  readonly message: string;
}

/** Model-specific work plugged into the loop. */
export interface LoopHooks {
  /** Train one epoch; return its mean loss (NaN/Infinity stops the loop before validation). */
  trainEpoch(epoch: number): Promise<number>;
  /** Validation metric after an epoch, higher is better. */
  validate(epoch: number): Promise<number>;
  /** Called when an epoch becomes the best: save the best parameters here. */
  onBest(epoch: number, valid: number): Promise<void>;
  /** Called after every epoch with the state to persist for resuming (after onBest). */
  onEpochEnd(state: LoopState, record: EpochRecord): Promise<void>;
}

/** The state of a loop that has not started. */
export const FRESH_LOOP: LoopState = Object.freeze({ nextEpoch: 0, bestEpoch: -1, bestValid: -Infinity, badEpochs: 0, history: [] });

/** Run epochs from state until patience, maxEpochs or a non-finite loss. */
export async function runEpochLoop(cfg: LoopConfig, hooks: LoopHooks, from: LoopState = FRESH_LOOP): Promise<LoopResult> {
  if (!Number.isInteger(cfg.maxEpochs) || cfg.maxEpochs < 1) throw new Error(`runEpochLoop: maxEpochs must be an integer >= 1, got ${cfg.maxEpochs}`);
  if (!Number.isInteger(cfg.patience) || cfg.patience < 1) throw new Error(`runEpochLoop: patience must be an integer >= 1, got ${cfg.patience}`);
  let state: LoopState = from;
  if (state.badEpochs >= cfg.patience) return { ...state, stoppedBy: 'patience', message: `already stopped: ${state.badEpochs} epochs without improvement` };
  try {
    return await epochs(cfg, hooks, state, (s) => { state = s; });
  } catch (e) {
    if (!(e instanceof TrainingInterrupted)) throw e;
    const resume = state.nextEpoch > 0 ? `the run resumes after epoch ${state.nextEpoch - 1}, its last checkpoint` : 'no epoch had finished, so it starts over';
    throw new TrainingInterrupted(e.step, `${e.message}; run it again to resume (${resume})`);
  }
}

/** The epochs of runEpochLoop; `saved` receives each new state once its resume point is written. */
async function epochs(cfg: LoopConfig, hooks: LoopHooks, from: LoopState, saved: (s: LoopState) => void): Promise<LoopResult> {
  let state = from;
  for (let epoch = state.nextEpoch; epoch < cfg.maxEpochs; epoch++) {
    const t0 = performance.now();
    const trainLoss = await hooks.trainEpoch(epoch);
    if (!Number.isFinite(trainLoss)) {
      return { ...state, stoppedBy: 'nonFiniteLoss', message: `training loss became ${trainLoss} in epoch ${epoch}; kept the best checkpoint from epoch ${state.bestEpoch}` };
    }
    const valid = await hooks.validate(epoch);
    const improved = valid > state.bestValid;
    if (improved) await hooks.onBest(epoch, valid);
    const record: EpochRecord = { epoch, trainLoss, valid, improved, seconds: (performance.now() - t0) / 1000 };
    state = {
      nextEpoch: epoch + 1,
      bestEpoch: improved ? epoch : state.bestEpoch,
      bestValid: improved ? valid : state.bestValid,
      badEpochs: improved ? 0 : state.badEpochs + 1,
      history: [...state.history, record],
    };
    await hooks.onEpochEnd(state, record);
    saved(state);
    if (state.badEpochs >= cfg.patience) {
      return { ...state, stoppedBy: 'patience', message: `no improvement for ${cfg.patience} epochs; best epoch ${state.bestEpoch}` };
    }
  }
  return { ...state, stoppedBy: 'maxEpochs', message: `reached maxEpochs=${cfg.maxEpochs}; best epoch ${state.bestEpoch}` };
}
