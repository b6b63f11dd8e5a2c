// A wasm Sum for reductions over the leading axes (bias and broadcast gradients: [N, d] -> [d]): the
// stock kernel transposes the input first, ~30-60 ms per [51200, 64] call (a fifth of a SASRec epoch);
// one pass that adds rows in place on the heap (the native addon's sumRows when built) takes 1-15 ms. Other reductions go to the stock kernel.
// Reference: @tensorflow/tfjs-backend-wasm 4.22 Sum.ts.
import * as tf from '@tensorflow/tfjs';
import { loadNativeGemm } from './native-gemm';
import type { WasmBackendInternals } from './wasm-internals';

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/**
 * When every reduced axis of size > 1 comes before every kept axis of size > 1, the sum is one of
 * `outer` rows of length `inner`: returns [outer, inner], else null.
 */
export function leadingReduction(shape: readonly number[], axes: readonly number[]): [number, number] | null {
  const r = shape.length;
  const reduced = new Set(axes.map((a) => (a < 0 ? a + r : a)));
  let outer = 1, inner = 1, seenKept = false;
  for (let i = 0; i < r; i++) {
    const n = shape[i]!;
    if (reduced.has(i)) {
      if (n > 1 && seenKept) return null;
      outer *= n;
    } else {
      if (n > 1) seenKept = true;
      inner *= n;
    }
  }
  return [outer, inner];
}

/** Install the leading-axes Sum on the wasm backend (idempotent). */
export function installLeadingSum(): void {
  const stock = tf.getKernel('Sum', 'wasm');
  if (!stock || (stock as { kitLeadingSum?: boolean }).kitLeadingSum) return;
  tf.unregisterKernel('Sum', 'wasm');
  tf.registerKernel({
    kernelName: 'Sum',
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kitLeadingSum: true,
    kernelFunc: (args) => {
      const x = (args.inputs as tf.NamedTensorInfoMap)['x']!;
      const attrs = args.attrs as { axis: number | number[]; keepDims: boolean };
      const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
      const split = x.dtype === 'float32' ? leadingReduction(x.shape, axes) : null;
      if (!split) return stock.kernelFunc(args);
      const [outer, inner] = split;
      const kept = x.shape.map((n, i) => (axes.includes(i) ? 1 : n));
      const backend = args.backend as unknown as WasmBackendInternals;
      const out = backend.makeOutput(attrs.keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i)), 'float32');
      // views after the allocation: heap growth detaches older ones
      const native = loadNativeGemm().gemm;
      if (native?.sumRows && outer > 1) {
        const off = (t: tf.TensorInfo): number => backend.dataIdMap.get(t.dataId).memoryOffset;
        native.sumRows(backend.wasm.HEAPU8.buffer as ArrayBuffer, off(x), off(out), outer, inner);
        return out;
      }
      const xv = backend.typedArrayFromHeap(x) as Float32Array, ov = backend.typedArrayFromHeap(out) as Float32Array;
      if (outer === 1) {
        ov.set(xv.subarray(0, inner));
        return out;
      }
      const acc = new Float64Array(inner);
      for (let r = 0; r < outer; r++) {
        const base = r * inner;
        for (let j = 0; j < inner; j++) acc[j] = acc[j]! + xv[base + j]!;
      }
      ov.set(acc);
      return out;
    },
  } as tf.KernelConfig);
}
