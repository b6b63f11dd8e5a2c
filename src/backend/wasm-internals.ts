// The parts of tfjs-backend-wasm's backend object that the kit's kernels touch (tfjs's typings do not
// export them), declared once for every kernel file. Reference: @tensorflow/tfjs-backend-wasm 4.22 backend_wasm.ts.
import type * as tf from '@tensorflow/tfjs';

/** The wasm backend as the kernels see it: heap, tensor records, output allocation, reference counts. */
export interface WasmBackendInternals {
  wasm: {
    cwrap: (name: string, ret: null, args: string[]) => (...a: unknown[]) => void;
    tfjs: { disposeData: (id: number) => void };
    HEAPU8: Uint8Array;
  };
  dataIdMap: { get: (dataId: object) => { id: number; memoryOffset: number; refCount: number }; delete: (dataId: object) => void };
  makeOutput: (shape: number[], dtype: tf.DataType, memoryOffset?: number | null) => tf.TensorInfo;
  disposeData: (dataId: object, force?: boolean) => boolean;
  typedArrayFromHeap: (t: tf.TensorInfo) => Float32Array | Int32Array | Uint8Array;
  incRef: (dataId: object) => void;
}

/** The cpu backend as the JS kernels see it. */
export interface CpuBackendInternals {
  readSync: (id: object) => Float32Array | Int32Array;
  makeTensorInfo: (s: number[], d: tf.DataType, v: Float32Array) => tf.TensorInfo;
}

/**
 * Allocates float32 outputs of these shapes on the wasm heap and returns them with the heap's buffer,
 * read after the allocation (growing the heap detaches the old buffer), and the byte offset of a tensor.
 */
export function heapOutputs(backend: unknown, outShapes: readonly number[][]): { heap: ArrayBuffer; off: (t: tf.TensorInfo) => number; outs: tf.TensorInfo[] } {
  const b = backend as WasmBackendInternals;
  const outs = outShapes.map((s) => b.makeOutput(s, 'float32'));
  return { heap: b.wasm.HEAPU8.buffer as ArrayBuffer, off: (t) => b.dataIdMap.get(t.dataId).memoryOffset, outs };
}
