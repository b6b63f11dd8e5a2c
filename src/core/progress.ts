// Progress of long runs as typed events: the training loops emit one `epoch` event per finished epoch,
// everything else is a `note`; formatProgress turns an event into the CLI line, and a progress callback
// receives both (line first, so that `(line) => console.log(line)` callbacks keep working).
// Reference: docs/architecture.md §10 (progress reporting).

/** One finished training epoch of a CF model or an LLM-recommender stage. */
export interface EpochProgress {
  readonly kind: 'epoch';
  /** Which loop: a CF model's (src/cf) or an LLM recommender's (src/rec). */
  readonly loop: 'cf' | 'rec';
  /** The model or method name, e.g. "mf" or "CoRA". */
  readonly run: string;
  /** The run's seed, where the loop reports it (CF runs). */
  readonly seed?: number;
  /** 0-based epoch. */
  readonly epoch: number;
  /** Mean training loss of the epoch. */
  readonly trainLoss: number;
  /** Validation AUC after the epoch. */
  readonly validAuc: number;
  /** Whether the epoch became the best so far. */
  readonly improved: boolean;
  /** Train + validation wall time, seconds. */
  readonly seconds: number;
  /** Best validation AUC so far, its epoch, epochs without improvement and the patience (CF runs). */
  readonly best?: { readonly validAuc: number; readonly epoch: number; readonly badEpochs: number; readonly patience: number };
}

/** Any other progress message (start, resume, reuse, finish, scoring). */
export interface NoteProgress {
  readonly kind: 'note';
  readonly text: string;
}

/** A progress event. */
export type ProgressEvent = EpochProgress | NoteProgress;

/** A progress callback: the formatted line and the event it was made from. */
export type ProgressCallback = (line: string, event: ProgressEvent) => void;

/** The CLI line of an event, e.g. "mf seed 0 epoch 3: loss 0.5123 valid AUC 0.7012 * (1.2 s; best 0.7012 @ 3, 0/10)". */
export function formatProgress(e: ProgressEvent): string {
  if (e.kind === 'note') return e.text;
  const head = `${e.run}${e.seed === undefined ? '' : ` seed ${e.seed}`} epoch ${e.epoch}: loss ${e.trainLoss.toFixed(4)} valid AUC ${e.validAuc.toFixed(4)}${e.improved ? ' *' : ''}`;
  if (!e.best) return `${head} (${e.seconds.toFixed(0)} s)`;
  return `${head} (${e.seconds.toFixed(1)} s; best ${e.best.validAuc.toFixed(4)} @ ${e.best.epoch}, ${e.best.badEpochs}/${e.best.patience})`;
}

/** Sends `e` to `cb` (when given) with its formatted line. */
export function emitProgress(cb: ProgressCallback | undefined, e: ProgressEvent): void {
  cb?.(formatProgress(e), e);
}

/** A `(text) => void` logger over a callback: every call emits a note event. */
export function noteLogger(cb: ProgressCallback | undefined): (text: string) => void {
  return (text) => emitProgress(cb, { kind: 'note', text });
}

/** Options of progressFilter. */
export interface ProgressFilterOptions {
  /** CF epoch events: every one (1), every n-th epoch (n > 1; epoch 0 and multiples of n), or none (0). Default 1. */
  readonly cfEpochs?: number;
  /** The same for LLM-recommender epoch events. Default 1. */
  readonly recEpochs?: number;
  /** Keep notes (default true). */
  readonly notes?: boolean;
}

/** A callback that forwards to `print` only the lines `opts` keeps (e.g. every 5th CF epoch, no CF epochs). */
export function progressFilter(print: (line: string) => void, opts: ProgressFilterOptions = {}): ProgressCallback {
  const step = { cf: opts.cfEpochs ?? 1, rec: opts.recEpochs ?? 1 };
  for (const [loop, k] of Object.entries(step)) {
    if (!Number.isInteger(k) || k < 0) throw new Error(`progressFilter: ${loop}Epochs must be an integer >= 0 (got ${k})`);
  }
  return (line, e) => {
    const keep = e.kind === 'note' ? opts.notes !== false : step[e.loop] > 0 && e.epoch % step[e.loop] === 0;
    if (keep) print(line);
  };
}
