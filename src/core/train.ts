// A generic epoch loop with model selection on a validation metric (higher is better), early
// stopping, a NaN guard and resumable state; the model-specific work comes in through hooks.
// Reference: CoLLM's early_stoper (patience on valid AUC); nanoGPT's resumable training loop.
import { NonFiniteParameter } from './finite';
import { announceInterrupt, TrainingInterrupted } from './interrupt';

/** Stopping rules of the loop. */
export interface LoopConfig {
  /** Hard cap on epochs (required; no default at this level). */
  readonly maxEpochs: number;
  /** Stop after this many epochs without a better validation metric (required). */
  readonly patience: number;
  /** Learning rate, named in the divergence error (optional). */
  readonly lr?: number;
  /** An epoch's mean loss above this many times the lowest earlier one (and above the first epoch's) is divergence; 0 = off; default 4. */
  readonly divergenceFactor?: number;
}

/** Default of LoopConfig.divergenceFactor. */
export const DIVERGENCE_FACTOR = 4;

/** Thrown when the training loss grows far above its early level (a learning rate too high for the model). */
export class TrainingDiverged extends Error {
  constructor(readonly epoch: number, readonly trainLoss: number, message: string) {
    super(message);
    this.name = 'TrainingDiverged';
  }
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
  /**
   * Train one epoch; return its mean loss (NaN/Infinity stops the loop before validation, and so does a
   * NonFiniteParameter thrown when a parameter became non-finite in the epoch's last update).
   */
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
    const message = `${e.message}; run it again to resume (${resume})`;
    announceInterrupt(message);
    throw new TrainingInterrupted(e.step, message);
  }
}

function lrText(cfg: LoopConfig): string {
  return cfg.lr !== undefined ? ` (learning rate ${cfg.lr})` : '';
}

/** Throws TrainingDiverged when the loss is far above its lowest earlier epoch and above the first epoch's. */
function checkDivergence(cfg: LoopConfig, state: LoopState, epoch: number, trainLoss: number): void {
  const factor = cfg.divergenceFactor ?? DIVERGENCE_FACTOR;
  const first = state.history[0];
  if (factor <= 0 || !first) return;
  let low = state.history[0]!;
  for (const r of state.history) if (r.trainLoss < low.trainLoss) low = r;
  if (trainLoss > factor * low.trainLoss && trainLoss > first.trainLoss && low.trainLoss > 0) {
    throw new TrainingDiverged(epoch, trainLoss,
      `training diverged in epoch ${epoch}${lrText(cfg)}: mean loss ${trainLoss.toPrecision(4)}, more than ${factor}x its lowest (${low.trainLoss.toPrecision(4)} in epoch ${low.epoch}; ` +
      `${first.trainLoss.toPrecision(4)} in epoch ${first.epoch}); lower the learning rate (--lr) and start the run again with --fresh (the checkpoints up to epoch ${epoch - 1} are kept)`);
  }
}

/** The epochs of runEpochLoop; `saved` receives each new state once its resume point is written. */
async function epochs(cfg: LoopConfig, hooks: LoopHooks, from: LoopState, saved: (s: LoopState) => void): Promise<LoopResult> {
  let state = from;
  for (let epoch = state.nextEpoch; epoch < cfg.maxEpochs; epoch++) {
    const t0 = performance.now();
    let trainLoss: number;
    try {
      trainLoss = await hooks.trainEpoch(epoch);
    } catch (e) {
      if (!(e instanceof NonFiniteParameter)) throw e;
      return { ...state, stoppedBy: 'nonFiniteLoss', message: `${e.message} after the last update of epoch ${epoch}${lrText(cfg)}; kept the best checkpoint from epoch ${state.bestEpoch}` };
    }
    if (!Number.isFinite(trainLoss)) {
      return { ...state, stoppedBy: 'nonFiniteLoss', message: `training loss became ${trainLoss} in epoch ${epoch}${lrText(cfg)}; kept the best checkpoint from epoch ${state.bestEpoch}` };
    }
    checkDivergence(cfg, state, epoch, trainLoss);
    const valid = await hooks.validate(epoch);
    if (Number.isNaN(valid)) {
      return { ...state, stoppedBy: 'nonFiniteLoss', message: `the validation metric is NaN after epoch ${epoch} (non-finite scores?)${lrText(cfg)}; kept the best checkpoint from epoch ${state.bestEpoch}` };
    }
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
