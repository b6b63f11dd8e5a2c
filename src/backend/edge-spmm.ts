// Propagation over a weighted edge list, out = A h with A[dst, src] = w, as one native pass (forward and
// gradient): the gather -> multiply -> segment-sum chain (and its gradient chain) was ~70% of a LightGCN
// epoch. For a symmetric edge list (both directions, equal weights) the gradient is the same call.
// Use only when edgeSpmmAvailable(); callers keep the op chain otherwise. Reference: native/kitgemm.cc EdgeSpmm.
import * as tf from '@tensorflow/tfjs';
import { loadNativeGemm } from './native-gemm';
import type { WasmBackendInternals } from './wasm-internals';

/** Whether edgeSpmm can run: wasm backend active and the addon has the kernel. */
export function edgeSpmmAvailable(): boolean {
  return tf.getBackend() === 'wasm' && typeof loadNativeGemm().gemm?.edgeSpmm === 'function';
}

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'KitEdgeSpmm', backendName: 'wasm',
    kernelFunc: (args) => {
      const { h, src, dst, w } = args.inputs as Record<string, tf.TensorInfo>;
      const b = args.backend as unknown as WasmBackendInternals;
      const [n, D] = h!.shape as [number, number];
      const out = b.makeOutput([n, D], 'float32');
      const off = (t: tf.TensorInfo): number => b.dataIdMap.get(t.dataId).memoryOffset;
      loadNativeGemm().gemm!.edgeSpmm!(b.wasm.HEAPU8.buffer as ArrayBuffer, off(h!), off(src!), off(dst!), off(w!), off(out), src!.shape[0]!, D, n);
      return out;
    },
  });
}

/**
 * out[dst[e]] += w[e] * h[src[e]] over a symmetric edge list (each edge in both directions with one weight).
 * @param h [n, D] float32 @param src [E] int32 @param dst [E] int32 @param w [E] float32 @returns [n, D] float32; gradient to h only.
 */
export function edgeSpmm(h: tf.Tensor2D, src: tf.Tensor1D, dst: tf.Tensor1D, w: tf.Tensor1D): tf.Tensor2D {
  register();
  const run = (x: tf.Tensor, s: tf.Tensor, d: tf.Tensor): tf.Tensor2D => tf.engine().runKernel('KitEdgeSpmm', { h: x, src: s, dst: d, w }) as tf.Tensor2D;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: run(args[0] as tf.Tensor, src, dst),
    // A^T dy: the same edges with src and dst swapped
    gradFunc: (dy: tf.Tensor) => run(dy, dst, src),
  }));
  return tf.tidy(() => (f as (x: tf.Tensor) => tf.Tensor2D)(h));
}
