// Types shared by every layer that are not tied to one module: the compute backend a run used.
// The backend itself (selection, kernels) lives in src/backend.

/** Backends the kit can run on, fastest first. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
/** What the caller asks for: one backend, or 'auto' (tensorflow, then wasm, then cpu). */
export type BackendChoice = BackendName | 'auto';

/** What ran: stored in every result file. */
export interface BackendInfo {
  /** tfjs backend name as tf.getBackend() reports it. */
  readonly name: BackendName;
  /** Which matrix-multiply implementation the backend uses. */
  readonly matmulPath: string;
  /** Kernels the kit replaced or added on this backend. */
  readonly kernelPatches: readonly string[];
  /** @tensorflow/tfjs-core version. */
  readonly tfjsVersion: string;
  /** Backends that were tried and why they were not used. */
  readonly skipped: readonly string[];
}

/** Whether a forward pass trains (dropout on) and the seed of this step's dropout masks; used by CF models, adapters and LLM methods. */
export interface ForwardMode {
  /** True while training (dropout on). */
  readonly training: boolean;
  /** Seed for this step's dropout masks. */
  readonly seed: number;
}

/** Evaluation mode: no dropout. */
export const EVAL_MODE: ForwardMode = Object.freeze({ training: false, seed: 0 });
