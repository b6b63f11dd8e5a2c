// Fused decoder ops on the wasm backend through the native addon (native/kitgemm.cc): RMSNorm, the SwiGLU
// activation silu(g) * u, rope with the head transpose, and the masked attention softmax, each one pass
// over the heap in place of a chain of tfjs kernels (and of their gradients' chains), with registered
// gradients. Use them only when fusedKernelsAvailable(); callers keep the op composition otherwise.
import * as tf from '@tensorflow/tfjs';
import { loadNativeGemm, type NativeGemm } from './native-gemm';
import type { WasmBackendInternals } from './wasm-internals';

type Fused = Required<Pick<NativeGemm, 'rmsNorm' | 'rmsNormGrad' | 'swiglu' | 'swigluGrad' | 'ropeHeads' | 'maskedSoftmax' | 'maskedSoftmaxGrad'>>;

const NAMES = ['rmsNorm', 'rmsNormGrad', 'swiglu', 'swigluGrad', 'ropeHeads', 'maskedSoftmax', 'maskedSoftmaxGrad'] as const;

function nativeFused(): Fused | null {
  const g = loadNativeGemm().gemm;
  return g && NAMES.every((n) => typeof g[n] === 'function') ? (g as unknown as Fused) : null;
}

/** Whether the fused ops can run: wasm backend active and the native addon (with these kernels) loaded. */
export function fusedKernelsAvailable(): boolean {
  return tf.getBackend() === 'wasm' && nativeFused() !== null;
}

type Args = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

/** Allocates the outputs, then calls f with the heap and the byte offsets of inputs and outputs (after allocation: growth detaches the heap). */
function onHeap(args: Args, names: string[], outShapes: number[][], f: (nat: Fused, heap: ArrayBuffer, off: number[]) => void): tf.TensorInfo[] {
  const b = args.backend as unknown as WasmBackendInternals;
  const outs = outShapes.map((s) => b.makeOutput(s, 'float32'));
  const off = (t: tf.TensorInfo): number => b.dataIdMap.get(t.dataId).memoryOffset;
  const ins = names.map((n) => {
    const t = args.inputs[n];
    if (!t || t.dtype !== 'float32') throw new Error(`fused kernel: input ${n} must be float32, got ${t?.dtype}`);
    return off(t);
  });
  f(nativeFused()!, b.wasm.HEAPU8.buffer as ArrayBuffer, [...ins, ...outs.map(off)]);
  return outs;
}

const attr = (a: Args, k: string): number => Number(a.attrs?.[k]);
const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  const kernel = (kernelName: string, kernelFunc: (a: Args) => tf.TensorInfo | tf.TensorInfo[]): void => {
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: (a) => kernelFunc(a as unknown as Args) });
  };
  // x [N, D], w [D] -> y [N, D]
  kernel('KitRmsNorm', (a) => {
    const [N, D] = a.inputs['x']!.shape as [number, number];
    return onHeap(a, ['x', 'w'], [[N, D]], (n, h, o) => n.rmsNorm(h, o[0]!, o[1]!, o[2]!, N, D, attr(a, 'eps')))[0]!;
  });
  // (dy, x, w) -> dx [N, D] (which = 0) or dw [D] (which = 1)
  kernel('KitRmsNormGrad', (a) => {
    const [N, D] = a.inputs['x']!.shape as [number, number], which = attr(a, 'which');
    return onHeap(a, ['dy', 'x', 'w'], [which === 0 ? [N, D] : [D]], (n, h, o) =>
      n.rmsNormGrad(h, o[0]!, o[1]!, o[2]!, which === 0 ? o[3]! : -1, which === 1 ? o[3]! : -1, N, D, attr(a, 'eps')))[0]!;
  });
  kernel('KitSwiglu', (a) => {
    const g = a.inputs['g']!;
    return onHeap(a, ['g', 'u'], [g.shape], (n, h, o) => n.swiglu(h, o[0]!, o[1]!, o[2]!, tf.util.sizeFromShape(g.shape)))[0]!;
  });
  // (dy, g, u) -> dg (which = 0) or du (which = 1)
  kernel('KitSwigluGrad', (a) => {
    const g = a.inputs['g']!, which = attr(a, 'which');
    return onHeap(a, ['dy', 'g', 'u'], [g.shape], (n, h, o) =>
      n.swigluGrad(h, o[0]!, o[1]!, o[2]!, which === 0 ? o[3]! : -1, which === 1 ? o[3]! : -1, tf.util.sizeFromShape(g.shape)))[0]!;
  });
  // toHeads 1: x [B*T, n*D] -> [B, n, T, D] rotated by +angle; 0: x [B, n, T, D] -> [B*T, n*D] rotated by sign * angle
  kernel('KitRopeHeads', (a) => {
    const B = attr(a, 'B'), T = attr(a, 'T'), n = attr(a, 'n'), D = attr(a, 'D'), toHeads = attr(a, 'toHeads');
    return onHeap(a, ['x', 'cos', 'sin'], [toHeads ? [B, n, T, D] : [B * T, n * D]], (nat, h, o) =>
      nat.ropeHeads(h, o[0]!, o[1]!, o[2]!, o[3]!, B, T, n, D, attr(a, 'interleaved'), attr(a, 'sign'), toHeads))[0]!;
  });
  kernel('KitMaskedSoftmax', (a) => {
    const [B, H, Tq, S] = a.inputs['raw']!.shape as [number, number, number, number];
    return onHeap(a, ['raw', 'keep', 'bias'], [[B, H, Tq, S]], (n, h, o) => n.maskedSoftmax(h, o[0]!, o[1]!, o[2]!, o[3]!, B, H, Tq, S, attr(a, 'scale')))[0]!;
  });
  kernel('KitMaskedSoftmaxGrad', (a) => {
    const [B, H, Tq, S] = a.inputs['p']!.shape as [number, number, number, number];
    return onHeap(a, ['dp', 'p', 'keep'], [[B, H, Tq, S]], (n, h, o) => n.maskedSoftmaxGrad(h, o[0]!, o[1]!, o[2]!, o[3]!, B, H, Tq, S, attr(a, 'scale')))[0]!;
  });

  // gradients: each input's closure runs only when the engine needs that input's gradient (frozen
  // weights cost nothing); the position tables and the mask are constants (zero gradients)
  tf.registerGradient({
    kernelName: 'KitRmsNorm', inputsToSave: ['x', 'w'],
    gradFunc: (dy, saved, attrs) => {
      const [x, w] = saved as [tf.Tensor, tf.Tensor];
      const eps = Number(attrs['eps']);
      return { x: () => run('KitRmsNormGrad', { dy: dy as tf.Tensor, x, w }, { eps, which: 0 }), w: () => run('KitRmsNormGrad', { dy: dy as tf.Tensor, x, w }, { eps, which: 1 }) };
    },
  });
  tf.registerGradient({
    kernelName: 'KitSwiglu', inputsToSave: ['g', 'u'],
    gradFunc: (dy, saved) => {
      const [g, u] = saved as [tf.Tensor, tf.Tensor];
      return { g: () => run('KitSwigluGrad', { dy: dy as tf.Tensor, g, u }, { which: 0 }), u: () => run('KitSwigluGrad', { dy: dy as tf.Tensor, g, u }, { which: 1 }) };
    },
  });
  tf.registerGradient({
    kernelName: 'KitRopeHeads', inputsToSave: ['cos', 'sin'],
    gradFunc: (dy, saved, attrs) => {
      const [cos, sin] = saved as [tf.Tensor, tf.Tensor];
      return {
        x: () => run('KitRopeHeads', { x: dy as tf.Tensor, cos, sin }, { ...attrs, toHeads: 0, sign: -1 }),
        cos: () => tf.zerosLike(cos), sin: () => tf.zerosLike(sin),
      };
    },
  });
  tf.registerGradient({
    kernelName: 'KitMaskedSoftmax', inputsToSave: ['keep', 'bias'], outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [keep, bias, p] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      return {
        raw: () => run('KitMaskedSoftmaxGrad', { dp: dy as tf.Tensor, p, keep }, { scale: Number(attrs['scale']) }),
        keep: () => tf.zerosLike(keep), bias: () => tf.zerosLike(bias),
      };
    },
  });
}

function need(what: string): void {
  if (!fusedKernelsAvailable()) throw new Error(`${what}: the fused kernels need the wasm backend and the native addon (check fusedKernelsAvailable() first)`);
  register();
}

/** x * rsqrt(mean(x^2) + eps) * w over rows, one pass. @param x [N, D] float32 @param w [D] @returns [N, D] float32 */
export function fusedRmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D {
  need('fusedRmsNorm');
  return run('KitRmsNorm', { x, w }, { eps }) as tf.Tensor2D;
}

/** silu(g) * u elementwise, one pass. @param g any shape float32 @param u g.shape @returns g.shape float32 */
export function fusedSwiglu<T extends tf.Tensor>(g: T, u: T): T {
  need('fusedSwiglu');
  return run('KitSwiglu', { g, u }) as T;
}

/**
 * Rope on the rows of a projection, moved into head layout in the same pass: pair (a, b) ->
 * (a cos - b sin, b cos + a sin), pairs (i, i + D/2) ('half') or (2i, 2i + 1) ('interleaved').
 * @param x [B*T, n*D] float32 @param cos [B, 1, T, D/2] @param sin [B, 1, T, D/2] @returns [B, n, T, D] float32
 */
export function fusedRopeHeads(x: tf.Tensor2D, B: number, T: number, n: number, D: number, cos: tf.Tensor4D, sin: tf.Tensor4D,
  layout: 'half' | 'interleaved'): tf.Tensor4D {
  need('fusedRopeHeads');
  if (x.shape[0] !== B * T || x.shape[1] !== n * D || D % 2 !== 0) throw new Error(`fusedRopeHeads: x is [${x.shape}], expected [${B * T}, ${n * D}] with even D = ${D}`);
  return run('KitRopeHeads', { x, cos, sin }, { B, T, n, D, interleaved: layout === 'interleaved' ? 1 : 0, sign: 1, toHeads: 1 }) as tf.Tensor4D;
}

/**
 * softmax(raw * scale * keep + bias) over the last axis, one pass. @param raw [B, H, Tq, S] float32
 * @param keep [B, 1, Tq, S] 0/1 @param bias [B, 1, Tq, S] @returns [B, H, Tq, S] float32
 */
export function fusedMaskedSoftmax(raw: tf.Tensor4D, keep: tf.Tensor4D, bias: tf.Tensor4D, scale: number): tf.Tensor4D {
  need('fusedMaskedSoftmax');
  const [B, , Tq, S] = raw.shape;
  for (const [name, t] of [['keep', keep], ['bias', bias]] as const) {
    if (t.shape[0] !== B || t.shape[1] !== 1 || t.shape[2] !== Tq || t.shape[3] !== S) throw new Error(`fusedMaskedSoftmax: ${name} is [${t.shape}], expected [${B}, 1, ${Tq}, ${S}]`);
  }
  return run('KitMaskedSoftmax', { raw, keep, bias }, { scale }) as tf.Tensor4D;
}
