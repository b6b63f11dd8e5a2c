// Seeded dropout masks as tensors: written straight into the wasm heap by the native addon when it has
// the kernel (the JS loop was ~130 ms of a SASRec training step: a fifth of the epoch), else the JS
// loop of core/dropout-mask.ts. Both give the same mask, bit for bit.
// Reference: src/core/dropout-mask.ts; native/kitgemm.cc DropoutMask.
import * as tf from '@tensorflow/tfjs';
import { dropoutMaskParams, seededDropoutMask } from '../core/dropout-mask';
import { loadNativeGemm } from './native-gemm';
import { heapOutputs } from './wasm-internals';

/** Whether dropoutMask fills the mask natively (wasm backend active and the addon has the kernel). */
export function nativeDropoutMaskAvailable(): boolean {
  return tf.getBackend() === 'wasm' && typeof loadNativeGemm().gemm?.dropoutMask === 'function';
}

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'KitDropoutMask', backendName: 'wasm',
    kernelFunc: (args) => {
      const { shape, state, threshold, scale } = args.attrs as unknown as { shape: number[]; state: number; threshold: number; scale: number };
      const { heap, off, outs: [out] } = heapOutputs(args.backend, [shape]);
      loadNativeGemm().gemm!.dropoutMask!(heap, off(out!), shape.reduce((p, d) => p * d, 1), state, threshold, scale);
      return out!;
    },
  });
}

/**
 * Inverted-dropout mask of this shape: 0, or 1 / (1 - rate) with probability 1 - rate, reproducible
 * from the seed string. @returns shape float32
 */
export function dropoutMask(shape: readonly number[], rate: number, seed: string): tf.Tensor {
  if (!nativeDropoutMaskAvailable()) return tf.tensor(seededDropoutMask(shape.reduce((p, d) => p * d, 1), rate, seed), [...shape]);
  register();
  const p = dropoutMaskParams(rate, seed);
  return tf.engine().runKernel('KitDropoutMask', {}, { shape: [...shape], state: p.state, threshold: p.threshold, scale: p.scale } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
