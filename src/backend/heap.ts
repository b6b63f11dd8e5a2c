// Out-of-memory on the wasm heap, explained: the wasm backend reports an exhausted heap as
// "memory access out of bounds", "Aborted()" or a failed allocation; this turns those into one error
// that names the work (model load, a training step, scoring), the model, batch size and sequence
// length, the heap in use against its ceiling, and what to change. Reference: docs/validation.md §7;
// Emscripten getHeapMax (tfjs-backend-wasm 4.22 grows its heap up to 4 GiB - 64 KiB).
import * as os from 'os';
import * as tf from '@tensorflow/tfjs';

/** Largest heap tfjs-backend-wasm can grow to (bytes): Emscripten's getHeapMax for a 32-bit wasm. */
export const WASM_HEAP_MAX_BYTES = 4294901760;

/** What was running when the heap ran out; every field is optional but `what`. */
export interface HeapContext {
  /** The work, e.g. "loading the model", "a training step", "scoring". */
  readonly what: string;
  /** Model name or folder. */
  readonly model?: string;
  /** Rows per batch. */
  readonly batchSize?: number;
  /** Tokens per row (LLM batches). */
  readonly seqLen?: number;
  /** Extra advice, e.g. "use a smaller --dim". */
  readonly hint?: string;
}

/** Messages by which wasm (and V8, for large typed arrays) report an exhausted heap. */
const HEAP_ERRORS = /memory access out of bounds|Aborted\(|Cannot enlarge memory|out of memory|Array buffer allocation failed|Invalid typed array length|WebAssembly\.Memory(\.prototype)?\.grow|could not allocate/i;

/** True when an error looks like an exhausted wasm (or typed-array) heap. */
export function isHeapExhaustion(e: unknown): boolean {
  return e instanceof Error && !(e instanceof WasmHeapExhausted) && HEAP_ERRORS.test(`${e.name}: ${e.message}`);
}

/** The explained out-of-memory error; `original` is the backend's original error. */
export class WasmHeapExhausted extends Error {
  constructor(readonly context: HeapContext, readonly original: Error, message: string) {
    super(message);
    this.name = 'WasmHeapExhausted';
  }
}

/** Bytes of the wasm heap in use now, or null on another backend. */
export function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength ?? null;
}

/** The active backend's memory ceiling (bytes): the wasm heap's maximum, else the machine's memory. */
export function heapCeilingBytes(): number {
  return tf.getBackend() === 'wasm' ? WASM_HEAP_MAX_BYTES : os.totalmem();
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/** Set once a heap exhaustion was explained: the wasm heap may now fail any call, disposals included. */
let heapFailed = false;

/**
 * Runs clean-up code (disposals in a `finally`) so that, after an explained heap exhaustion, a second
 * out-of-bounds error from the damaged heap does not replace the explained one; other errors propagate.
 */
export function cleanUpAfterHeapFailure(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(heapFailed && (isHeapExhaustion(e) || (e as Error).name === 'RuntimeError'))) throw e;
  }
}

/** The explained error for `e` under `ctx`. */
export function explainHeapError(e: Error, ctx: HeapContext): WasmHeapExhausted {
  heapFailed = true;
  const parts = [ctx.model !== undefined ? `model ${ctx.model}` : null, ctx.batchSize !== undefined ? `batch size ${ctx.batchSize}` : null,
    ctx.seqLen !== undefined ? `sequence length ${ctx.seqLen}` : null].filter((p): p is string => p !== null);
  const heap = wasmHeapBytes();
  const backend = tf.getBackend();
  const where = heap !== null ? `the wasm heap holds ${gib(heap)} of its ${gib(WASM_HEAP_MAX_BYTES)} ceiling` : `backend ${backend}`;
  const fixes = ['a smaller batch (--batch, or --micro-batch where the command has it)', ctx.seqLen !== undefined ? 'shorter prompts' : null,
    'a smaller model or embedding width (--dim for CF models)', ctx.hint ?? null].filter((p): p is string => p !== null);
  const aborted = /Aborted\(/.test(e.message) ? ' The wasm runtime cannot continue after an abort: start the process again.' : '';
  return new WasmHeapExhausted(ctx, e,
    `out of memory while ${ctx.what}${parts.length ? ` (${parts.join(', ')})` : ''}: ${where}. Try ${fixes.join('; ')}.${aborted} (backend error: ${e.message.split('\n')[0]})`);
}

/**
 * Runs `fn` (sync or async) and turns a heap-exhaustion error into WasmHeapExhausted under `ctx`;
 * other errors pass unchanged. @returns what fn returns
 */
export function withHeapContext<T>(ctx: HeapContext, fn: () => T): T {
  let r: T;
  try {
    r = fn();
  } catch (e) {
    throw isHeapExhaustion(e) ? explainHeapError(e as Error, ctx) : e;
  }
  if (r instanceof Promise) {
    return r.catch((e: unknown) => {
      throw isHeapExhaustion(e) ? explainHeapError(e as Error, ctx) : e;
    }) as T;
  }
  return r;
}
