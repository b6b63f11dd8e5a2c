// Run-time choice of the tfjs compute backend: tfjs-node if it really loads, else wasm (with the
// kit's fast and missing kernels), else cpu; an explicit choice forces one. The result is recorded
// with every run. Reference: docs/environment.md §2.
import * as tf from '@tensorflow/tfjs';
import { fusedKernelsAvailable } from './fused-ops';
import { loadNativeGemm } from './native-gemm';
import type { BackendChoice, BackendInfo, BackendName } from '../core/types';
import { installCpuKernels, installWasmKernels, WASM_KERNEL_PATCHES } from './wasm-kernels';

export type { BackendChoice, BackendInfo, BackendName } from '../core/types';

const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Parse a user-supplied backend name (option or environment variable) with a clear error. */
export function parseBackendChoice(value: string | undefined, source: string): BackendChoice {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`${source}: unknown backend "${value}"; expected one of auto, ${BACKENDS.join(', ')}`);
}

async function tryTensorflow(): Promise<string | null> {
  try {
    // danfojs-node's override maps the name @tensorflow/tfjs-node onto plain tfjs: only a real
    // tfjs-node registers the 'tensorflow' backend
    require('@tensorflow/tfjs-node');
  } catch (e) {
    return `tensorflow: @tensorflow/tfjs-node not loadable (${(e as Error).message.split('\n')[0]})`;
  }
  if (!tf.findBackendFactory('tensorflow')) return 'tensorflow: @tensorflow/tfjs-node is not installed (name resolves to plain tfjs)';
  return (await tf.setBackend('tensorflow')) ? null : 'tensorflow: backend failed to initialise';
}

async function tryWasm(): Promise<string | null> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    return `wasm: @tensorflow/tfjs-backend-wasm not loadable (${(e as Error).message.split('\n')[0]})`;
  }
  installWasmKernels();
  return (await tf.setBackend('wasm')) ? null : 'wasm: backend failed to initialise';
}

let current: BackendInfo | null = null;

/** Which code runs the wasm backend's matmuls: the native OpenBLAS addon when loaded, else XNNPACK. */
function wasmMatmulPath(): string {
  const { gemm } = loadNativeGemm();
  return gemm ? `native openblas (${gemm.getThreads()} thread${gemm.getThreads() === 1 ? '' : 's'})` : 'xnnpack (all matmuls)';
}

/**
 * Select and initialise the backend; repeated calls with the same choice return the first result.
 * @returns the backend that is now active, with what was skipped and why.
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (current && (choice === 'auto' || choice === current.name) && tf.getBackend() === current.name) return current;
  tf.enableProdMode();
  const order: BackendName[] = choice === 'auto' ? [...BACKENDS] : [choice];
  const skipped: string[] = [];
  for (const name of order) {
    const why = name === 'tensorflow' ? await tryTensorflow() : name === 'wasm' ? await tryWasm() : await tryCpu();
    if (why === null) {
      await tf.ready();
      current = Object.freeze({
        name,
        matmulPath: name === 'tensorflow' ? 'libtensorflow' : name === 'wasm' ? wasmMatmulPath() : 'tfjs-cpu (js loops)',
        kernelPatches: name === 'wasm' ? [...WASM_KERNEL_PATCHES, ...(fusedKernelsAvailable() ? ['native fused RMSNorm/SwiGLU/rope/masked softmax/xent'] : [])]
          : name === 'cpu' ? ['UnsortedSegmentSum O(N*d)'] : [],
        tfjsVersion: tf.version.tfjs,
        skipped: Object.freeze(skipped),
      });
      return current;
    }
    skipped.push(why);
  }
  throw new Error(`No usable tfjs backend for choice "${choice}": ${skipped.join('; ')}`);
}

async function tryCpu(): Promise<string | null> {
  installCpuKernels();
  return (await tf.setBackend('cpu')) ? null : 'cpu: backend failed to initialise';
}

/** The backend chosen by the last initBackend call, or null before any. */
export function currentBackend(): BackendInfo | null {
  return current;
}
