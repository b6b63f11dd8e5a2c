// Kernels that make the tfjs wasm backend fast and complete for training: every float32 BatchMatMul
// goes to XNNPACK (transposes materialised, batches split into 2-D calls on zero-copy heap views),
// an O(N*d) UnsortedSegmentSum (the gradient of gather, missing on wasm), and zero-copy Identity/Cast.
// Reference: docs/environment.md §2; XNNPACK via @tensorflow/tfjs-backend-wasm 4.22.
import * as tf from '@tensorflow/tfjs';
import { loadNativeGemm } from './native-gemm';
import type { WasmBackendInternals } from './wasm-internals';
import { installLeadingSum } from './sum-kernel';
import { installNativeAdam } from './adam-kernel';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const shapeBytes = (s: number[]): Uint8Array => new Uint8Array(new Int32Array(s).buffer);

/** Below this many multiply-adds per slice the stock loop beats per-slice XNNPACK operator set-up. */
const MIN_SLICE_MACS = 1 << 14;

function registerFastBatchMatMul(): void {
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!stock || !transpose) throw new Error('wasm backend kernels BatchMatMul/Transpose are not registered');
  let xnnMatMul: ((...a: unknown[]) => void) | null = null;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: (args) => {
      const { inputs, attrs } = args as unknown as KernelArgs;
      const backend = args.backend as unknown as WasmBackendInternals;
      const a = inputs['a']!, b = inputs['b']!;
      const transposeA = Boolean(attrs?.['transposeA']), transposeB = Boolean(attrs?.['transposeB']);
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock.kernelFunc(args);
      const aR = a.shape.length, bR = b.shape.length;
      const batchA = prod(a.shape.slice(0, -2)), batchB = prod(b.shape.slice(0, -2));
      // general broadcasting between two batched operands: leave it to the stock kernel
      if (batchA > 1 && batchB > 1 && batchA !== batchB) return stock.kernelFunc(args);
      const M = transposeA ? a.shape[aR - 1]! : a.shape[aR - 2]!;
      const K = transposeA ? a.shape[aR - 2]! : a.shape[aR - 1]!;
      const N = transposeB ? b.shape[bR - 2]! : b.shape[bR - 1]!;
      const kB = transposeB ? b.shape[bR - 1]! : b.shape[bR - 2]!;
      if (K !== kB) {
        throw new Error(`matMul: inner dimensions ${K} and ${kB} of shapes [${a.shape}] and [${b.shape}] ` +
          `(transposeA=${transposeA}, transposeB=${transposeB}) must match`);
      }
      const batch = Math.max(batchA, batchB);
      const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const native = loadNativeGemm().gemm;
      if (native) {
        // OpenBLAS handles transposes and the batch loop in place on the heap: no copies at all
        const out = backend.makeOutput([batch, M, N], 'float32');
        const offA = backend.dataIdMap.get(a.dataId).memoryOffset, offB = backend.dataIdMap.get(b.dataId).memoryOffset;
        const offO = backend.dataIdMap.get(out.dataId).memoryOffset;
        const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
        if (batchB === 1 && !transposeA) native.sgemmBatched(heap, offA, 0, offB, 0, offO, 0, 1, batchA * M, N, K, false, transposeB);
        else native.sgemmBatched(heap, offA, batchA === 1 ? 0 : M * K * 4, offB, batchB === 1 ? 0 : K * N * 4, offO, M * N * 4, batch, M, N, K, transposeA, transposeB);
        return { dataId: out.dataId, shape: [...outer, M, N], dtype: 'float32' };
      }
      // the stock kernel already uses XNNPACK for this case
      if (!transposeA && !transposeB && batchA === 1 && batchB === 1) return stock.kernelFunc(args);
      if (batchB > 1 && M * K * N < MIN_SLICE_MACS) return stock.kernelFunc(args);
      if (!xnnMatMul) {
        xnnMatMul = backend.wasm.cwrap('BatchMatMul', null,
          ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
      }
      const temps: tf.TensorInfo[] = [];
      // materialise transposes so both operands are row-major [batch, M, K] and [batch, K, N]
      let A: tf.TensorInfo = { dataId: a.dataId, shape: transposeA ? [batchA, K, M] : [batchA, M, K], dtype: 'float32' };
      let B: tf.TensorInfo = { dataId: b.dataId, shape: transposeB ? [batchB, N, K] : [batchB, K, N], dtype: 'float32' };
      if (transposeA) {
        A = transpose.kernelFunc({ inputs: { x: A }, backend: args.backend, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo;
        temps.push(A);
      }
      if (transposeB) {
        B = transpose.kernelFunc({ inputs: { x: B }, backend: args.backend, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo;
        temps.push(B);
      }
      const out = backend.makeOutput([batch, M, N], 'float32');
      const idOf = (t: tf.TensorInfo): number => backend.dataIdMap.get(t.dataId).id;
      if (batchB === 1) {
        // [batchA*M, K] @ [K, N]: one XNNPACK call, A and the output are contiguous
        xnnMatMul(idOf(A), shapeBytes([1, batchA * M, K]), 3, idOf(B), shapeBytes([1, K, N]), 3, false, false, idOf(out));
      } else {
        const offA = backend.dataIdMap.get(A.dataId).memoryOffset;
        const offB = backend.dataIdMap.get(B.dataId).memoryOffset;
        const offO = backend.dataIdMap.get(out.dataId).memoryOffset;
        const views: tf.TensorInfo[] = [];
        const view = (off: number, shape: number[]): number => {
          const v = backend.makeOutput(shape, 'float32', off);
          views.push(v);
          return idOf(v);
        };
        const sA = shapeBytes([1, M, K]), sB = shapeBytes([1, K, N]);
        for (let i = 0; i < batch; i++) {
          const ia = batchA === 1 ? 0 : i;
          xnnMatMul(view(offA + ia * M * K * 4, [1, M, K]), sA, 3, view(offB + i * K * N * 4, [1, K, N]), sB, 3,
            false, false, view(offO + i * M * N * 4, [1, M, N]));
        }
        // views alias real buffers: unregister them without freeing (also drops XNNPACK's cached operator)
        for (const v of views) {
          backend.wasm.tfjs.disposeData(idOf(v));
          backend.dataIdMap.delete(v.dataId);
        }
      }
      for (const t of temps) backend.disposeData(t.dataId);
      return { dataId: out.dataId, shape: [...outer, M, N], dtype: 'float32' };
    },
  });
}

/** out[s, ...] = sum over i with ids[i] == s of x[i, ...]: O(N * inner), reading the heap in place. */
function segmentSumInto(out: Float32Array | Int32Array, x: ArrayLike<number>, ids: ArrayLike<number>, inner: number, numSegments: number): void {
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner, dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] = out[dst + j]! + x[src + j]!;
  }
}

function registerUnsortedSegmentSum(backendName: 'wasm' | 'cpu'): void {
  if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: (args) => {
      const { inputs, attrs } = args as unknown as KernelArgs;
      const x = inputs['x']!, segmentIds = inputs['segmentIds']!;
      const numSegments = Number(attrs?.['numSegments']);
      if (segmentIds.shape.length !== 1) {
        throw new Error(`UnsortedSegmentSum: segmentIds must be 1-D, got shape [${segmentIds.shape}]`);
      }
      const innerShape = x.shape.slice(1);
      const inner = prod(innerShape);
      if (backendName === 'wasm') {
        const backend = args.backend as unknown as WasmBackendInternals;
        const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
        const native = loadNativeGemm().gemm;
        if (native?.segmentSumRows && x.dtype === 'float32' && segmentIds.dtype === 'int32') {
          const off = (t: tf.TensorInfo): number => backend.dataIdMap.get(t.dataId).memoryOffset;
          native.segmentSumRows(backend.wasm.HEAPU8.buffer as ArrayBuffer, off(x), off(segmentIds), off(out), segmentIds.shape[0]!, inner, numSegments);
          return out;
        }
        // views are taken after the allocation: heap growth detaches older views
        const xv = backend.typedArrayFromHeap(x), ids = backend.typedArrayFromHeap(segmentIds);
        segmentSumInto(backend.typedArrayFromHeap(out) as Float32Array, xv, ids, inner, numSegments);
        return out;
      }
      const backend = args.backend as { readSync: (id: object) => ArrayLike<number>; makeTensorInfo: (s: number[], d: tf.DataType, v: Float32Array | Int32Array) => tf.TensorInfo };
      const xv = backend.readSync(x.dataId), ids = backend.readSync(segmentIds.dataId);
      const ov = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
      segmentSumInto(ov, xv, ids, inner, numSegments);
      return backend.makeTensorInfo([numSegments, ...innerShape], x.dtype, ov);
    },
  });
}

/** Row gather along axis 0 by block copies (the stock wasm GatherV2 indexes element by element: ~30x slower). */
function registerFastGather(): void {
  const stock = tf.getKernel('GatherV2', 'wasm');
  if (!stock) throw new Error('wasm backend kernel GatherV2 is not registered');
  tf.unregisterKernel('GatherV2', 'wasm');
  tf.registerKernel({
    kernelName: 'GatherV2',
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    kernelFunc: (args) => {
      const { inputs, attrs } = args as unknown as KernelArgs;
      const x = inputs['x']!, indices = inputs['indices']!;
      const axis = Number(attrs?.['axis'] ?? 0), batchDims = Number(attrs?.['batchDims'] ?? 0);
      if (axis !== 0 || batchDims !== 0 || x.dtype === 'string' || x.dtype === 'complex64') return stock.kernelFunc(args);
      const backend = args.backend as unknown as WasmBackendInternals;
      const rowShape = x.shape.slice(1);
      const row = prod(rowShape), nRows = x.shape[0]!;
      const out = backend.makeOutput([...indices.shape, ...rowShape], x.dtype);
      const xv = backend.typedArrayFromHeap(x), ids = backend.typedArrayFromHeap(indices), ov = backend.typedArrayFromHeap(out);
      for (let i = 0; i < ids.length; i++) {
        const r = ids[i]!;
        if (r < 0 || r >= nRows) {
          backend.disposeData(out.dataId);
          throw new Error(`gather: index ${r} at position ${i} is out of range [0, ${nRows})`);
        }
        ov.set(xv.subarray(r * row, (r + 1) * row), i * row);
      }
      return out;
    },
  });
}

/** Identity and same-dtype Cast share the input buffer (tensors are immutable) instead of copying it. */
function registerZeroCopyIdentity(): void {
  const stockCast = tf.getKernel('Cast', 'wasm');
  if (!stockCast) throw new Error('wasm backend kernel Cast is not registered');
  for (const k of ['Identity', 'Cast']) if (tf.getKernel(k, 'wasm')) tf.unregisterKernel(k, 'wasm');
  const share = (x: tf.TensorInfo, backend: WasmBackendInternals, dtype: tf.DataType): tf.TensorInfo => {
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype };
  };
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = (args.inputs as tf.NamedTensorInfoMap)['x']!;
      return share(x, args.backend as unknown as WasmBackendInternals, x.dtype);
    },
  });
  tf.registerKernel({
    kernelName: 'Cast',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = (args.inputs as tf.NamedTensorInfoMap)['x']!;
      const dtype = (args.attrs as tf.NamedAttrMap)['dtype'] as tf.DataType;
      if (dtype === x.dtype && dtype !== 'string') return share(x, args.backend as unknown as WasmBackendInternals, dtype);
      return stockCast.kernelFunc(args);
    },
  });
}

/** Names of the kernels installed by installWasmKernels, recorded with every result. */
export const WASM_KERNEL_PATCHES = ['BatchMatMul->XNNPACK', 'GatherV2 row copy', 'UnsortedSegmentSum', 'Identity/Cast zero-copy', 'Sum over leading axes'] as const;

/** Install the fast and missing kernels for the wasm backend (idempotent per process). */
export function installWasmKernels(): void {
  if (installed.wasm) return;
  registerFastBatchMatMul();
  registerFastGather();
  registerUnsortedSegmentSum('wasm');
  registerZeroCopyIdentity();
  installLeadingSum();
  installNativeAdam();
  installed.wasm = true;
}

/** Replace the cpu backend's O(numSegments * N * d) UnsortedSegmentSum by the O(N * d) one. */
export function installCpuKernels(): void {
  if (installed.cpu) return;
  registerUnsortedSegmentSum('cpu');
  installed.cpu = true;
}

const installed = { wasm: false, cpu: false };
