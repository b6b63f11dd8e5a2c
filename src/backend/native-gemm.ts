// The optional native accelerator (native/kitgemm.cc: OpenBLAS sgemm on the wasm heap, zero-copy),
// loaded when it was built at install time; absent or disabled ($CFLLM_NATIVE=0) means the XNNPACK path.
// Thread count: $CFLLM_BLAS_THREADS or setNativeThreads (default 1): the addon's own threads, which split
// every GEMM (each block a one-thread BLAS call) and the heavy fused kernels.
import * as fs from 'fs';
import * as path from 'path';
import { readEnv } from '../core/env';

/** The addon's functions. */
export interface NativeGemm {
  /** C[i] = op(A[i]) op(B[i]) for i < batch on float32 data inside `buffer`; offsets and strides in bytes (stride 0 broadcasts). */
  sgemmBatched(buffer: ArrayBuffer, offA: number, strideA: number, offB: number, strideB: number, offC: number, strideC: number,
    batch: number, M: number, N: number, K: number, transA: boolean, transB: boolean): void;
  /**
   * Fused softmax cross-entropy on float32 logits [N, V] and int32 targets [N] inside `buffer` (byte
   * offsets): loss [N] = logsumexp - picked logit, d [N, V] = softmax - onehot (rows with a target < 0 or >= V: 0).
   * Absent in addons built before it existed.
   */
  softmaxXent?(buffer: ArrayBuffer, offX: number, offY: number, offLoss: number, offD: number, N: number, V: number): void;
  /** y [N, D] = x * rsqrt(mean(x^2) + eps) * w over rows. */
  rmsNorm?(buffer: ArrayBuffer, offX: number, offW: number, offY: number, N: number, D: number, eps: number): void;
  /** dx [N, D] and/or dw [D] of rmsNorm (offset -1 skips one). */
  rmsNormGrad?(buffer: ArrayBuffer, offDy: number, offX: number, offW: number, offDx: number, offDw: number, N: number, D: number, eps: number): void;
  /** y = silu(g) * u over n floats. */
  swiglu?(buffer: ArrayBuffer, offG: number, offU: number, offY: number, n: number): void;
  /** dg and/or du of silu(g) * u (offset -1 skips one). */
  swigluGrad?(buffer: ArrayBuffer, offDy: number, offG: number, offU: number, offDg: number, offDu: number, n: number): void;
  /** Rope by sign * angle (cos/sin [B, 1, T, D/2]) moving rows [B*T, n*D] to heads [B, n, T, D] (toHeads 1) or back (0). */
  ropeHeads?(buffer: ArrayBuffer, offX: number, offCos: number, offSin: number, offY: number, B: number, T: number, n: number, D: number,
    interleaved: number, sign: number, toHeads: number): void;
  /** p [B, H, Tq, S] = softmax(raw * scale * keep + bias), keep/bias [B, 1, Tq, S]. */
  maskedSoftmax?(buffer: ArrayBuffer, offRaw: number, offKeep: number, offBias: number, offP: number, B: number, H: number, Tq: number, S: number, scale: number): void;
  /** d raw of maskedSoftmax from p and dp. */
  maskedSoftmaxGrad?(buffer: ArrayBuffer, offDp: number, offP: number, offKeep: number, offDraw: number, B: number, H: number, Tq: number, S: number, scale: number): void;
  /** Adam (torch semantics, double per element) over n floats: x, g, m, v in; x', m', v' out (byte offsets). */
  adamUpdate?(buffer: ArrayBuffer, offX: number, offG: number, offM: number, offV: number, offOx: number, offOm: number, offOv: number, n: number,
    lr: number, beta1: number, beta2: number, eps: number, wd: number, decoupled: number, step: number): void;
  /** out [inner] = the sum of the outer rows of x [outer, inner]. */
  sumRows?(buffer: ArrayBuffer, offX: number, offOut: number, outer: number, inner: number): void;
  /** out [numSegments, inner] = rows of x [n, inner] summed by int32 segment id (ids out of range skipped). */
  segmentSumRows?(buffer: ArrayBuffer, offX: number, offIds: number, offOut: number, n: number, inner: number, numSegments: number): void;
  /** y [N, D] = (x - mean) * rsqrt(var + eps) * w + b over rows (biased variance). */
  layerNorm?(buffer: ArrayBuffer, offX: number, offW: number, offB: number, offY: number, N: number, D: number, eps: number): void;
  /** dx [N, D], dw [D] and db [D] of layerNorm from dy. */
  layerNormGrad?(buffer: ArrayBuffer, offDy: number, offX: number, offW: number, offDx: number, offDw: number, offDb: number, N: number, D: number, eps: number): void;
  /** out [nOut, D] = sum over edges of w[e] * h[src[e]] into row dst[e] (int32 src/dst, float32 w [E]). */
  edgeSpmm?(buffer: ArrayBuffer, offH: number, offSrc: number, offDst: number, offW: number, offOut: number, E: number, D: number, nOut: number): void;
  /** out [n] (byte offset) = scale where the n-th draw of the kit's mulberry32 stream from state is below threshold, else 0. */
  dropoutMask?(buffer: ArrayBuffer, offOut: number, n: number, state: number, threshold: number, scale: number): void;
  /** y [N, C] = x * (a + (1 - a) * sigmoid(gain * x + shift)), a/gain/shift [C] (DIN's Dice). */
  dice?(buffer: ArrayBuffer, offX: number, offA: number, offGain: number, offShift: number, offY: number, N: number, C: number): void;
  /** dx [N, C] and da, dgain, dshift [C] of dice from dy. */
  diceGrad?(buffer: ArrayBuffer, offDy: number, offX: number, offA: number, offGain: number, offShift: number, offDx: number, offDa: number,
    offDgain: number, offDshift: number, N: number, C: number): void;
  /** Threads the addon splits GEMMs and fused kernels across (the caller counts; the BLAS runs one thread per block). */
  setThreads(n: number): void;
  getThreads(): number;
}

let cached: { gemm: NativeGemm | null; why: string } | null = null;

function addonPath(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const f = path.join(dir, 'native', 'build', 'Release', 'kitgemm.node');
    if (fs.existsSync(f)) return f;
    dir = path.dirname(dir);
  }
  return null;
}

/** The addon, or null with the reason (not built, disabled, failed to load). */
export function loadNativeGemm(): { gemm: NativeGemm | null; why: string } {
  if (cached) return cached;
  if (!readEnv('CFLLM_NATIVE')) return (cached = { gemm: null, why: 'disabled by CFLLM_NATIVE=0' });
  const threads = readEnv('CFLLM_BLAS_THREADS');
  const f = addonPath();
  if (!f) return (cached = { gemm: null, why: 'native/build/Release/kitgemm.node not built (needs a system BLAS at install time)' });
  try {
    const gemm = require(f) as NativeGemm;
    gemm.setThreads(threads);
    return (cached = { gemm, why: `loaded ${f}` });
  } catch (e) {
    return (cached = { gemm: null, why: `failed to load ${f}: ${(e as Error).message.split('\n')[0]}` });
  }
}

/** Sets the BLAS thread count when the addon is loaded; returns whether it is. */
export function setNativeThreads(n: number): boolean {
  const { gemm } = loadNativeGemm();
  if (gemm) gemm.setThreads(n);
  return gemm !== null;
}
