// Stops a training or scoring loop at its next step when the notebook kernel is interrupted: tslab turns
// Kernel > Interrupt (SIGINT) into a rejected cell but leaves the cell's promise running, so the loops
// call stopIfInterrupted() between steps and throw TrainingInterrupted. Reference: docs/architecture.md §10.

/** Thrown by a loop that saw an interrupt; the run folder keeps its last resume point. */
export class TrainingInterrupted extends Error {
  /** The step (training iteration or scoring batch) that did not run. */
  readonly step: number;
  constructor(step: number, message: string) {
    super(message);
    this.name = 'TrainingInterrupted';
    this.step = step;
  }
}

/** An interrupt older than this when a loop first looks is stale (it hit an idle kernel or a cell that does not train). */
const STALE_MS = 30_000;
/** Loops give the event loop a turn (so that a pending SIGINT is delivered) at most this often. */
const YIELD_MS = 100;

let pendingSince: number | null = null;
let watching = false;
let lastYield = 0;
let announcement: string | null = null;

/**
 * Starts listening for SIGINT, once, but only where something already handles it (a tslab kernel does):
 * adding the first listener would stop Ctrl-C from ending a CLI process. `force` listens regardless.
 * @returns whether interrupts are watched.
 */
export function watchInterrupts(force = false): boolean {
  if (watching) return true;
  if (!force && process.listenerCount('SIGINT') === 0) return false;
  process.on('SIGINT', () => requestInterrupt());
  watching = true;
  return true;
}

/** Marks an interrupt as pending, as SIGINT does: the next loop step that checks throws. */
export function requestInterrupt(): void {
  pendingSince = Date.now();
}

/**
 * In a kernel, writes `message` under the interrupted cell (tslab routes stderr there until the next cell
 * runs), since tslab has already ended the cell and drops the loop's error; a later call in the same turn
 * (runEpochLoop adding how to resume) replaces an earlier one. Outside a kernel the error reaches the caller.
 */
export function announceInterrupt(message: string): void {
  if (!watching) return;
  const first = announcement === null;
  announcement = message;
  if (first) {
    setImmediate(() => {
      process.stderr.write(`${announcement}\n`);
      announcement = null;
    });
  }
}

/** Drops a pending interrupt without acting on it. */
export function clearInterrupt(): void {
  pendingSince = null;
}

/** Whether an interrupt is pending (and not stale). */
export function interruptPending(): boolean {
  if (pendingSince !== null && Date.now() - pendingSince > STALE_MS) pendingSince = null;
  return pendingSince !== null;
}

/**
 * Called by loops before each step: gives the event loop a turn every YIELD_MS so that SIGINT is
 * delivered, then throws TrainingInterrupted (consuming the interrupt) when one is pending.
 * `message` builds the error text (where the loop stopped, how to resume).
 */
export async function stopIfInterrupted(step: number, message: () => string): Promise<void> {
  watchInterrupts();
  if (watching && performance.now() - lastYield >= YIELD_MS) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    lastYield = performance.now();
  }
  if (!interruptPending()) return;
  pendingSince = null;
  const text = message();
  announceInterrupt(text);
  throw new TrainingInterrupted(step, text);
}
