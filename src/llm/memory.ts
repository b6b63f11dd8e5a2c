// Memory of a LLaMA-family decoder pass, estimated from its shape: the float32 activations a forward
// pass (scoring) or a forward + backward pass (training, the tape's saved tensors) holds per row, and the
// largest micro-batch that fits beside what is already allocated under the active backend's ceiling.
// Reference: docs/environment.md §6 (memory); Korthikanti et al., activation memory of transformers (2022).
import * as tf from '@tensorflow/tfjs';
import { heapCeilingBytes } from '../backend/heap';
import type { LlamaConfig } from './config';

/** What a pass of one micro-batch runs. */
export interface PassShape {
  /** Tokens per row (the longest prompt). */
  readonly seqLen: number;
  /** 'train': forward + backward (every layer's saved tensors live at once); 'score': forward only. */
  readonly mode: 'train' | 'score';
  /** Projections per layer with an adapter (LoRA, per-sample); each saves its input once more; default 4. */
  readonly adapterTargets?: number;
}

/** Float32 values one token keeps per layer while training (the tape's saved tensors). */
function savedPerTokenLayer(c: LlamaConfig, S: number, adapterTargets: number): number {
  const d = c.hiddenSize, q = c.numAttentionHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim, F = c.intermediateSize;
  // norms, residual adds, projection outputs, rope'd heads, repeated k/v, scores and probabilities,
  // SwiGLU's gate/up/product, and the adapters' dropped-out inputs
  return 8 * d + 5 * q + 5 * kv + 4 * F + 2 * c.numAttentionHeads * S + adapterTargets * d;
}

/** Estimated bytes of activations for `rows` rows of one pass (not the weights or optimiser state). */
export function activationBytes(c: LlamaConfig, rows: number, p: PassShape): number {
  const T = p.seqLen, perLayer = savedPerTokenLayer(c, T, p.adapterTargets ?? 4);
  // training: the tape holds every layer's saved tensors and backward keeps about as much again in
  // gradients until it ends (measured on wasm, unique buffers: peak / forward-held = 2.0; the estimate is
  // 6-15% above the measured peak at the SmolLM2-135M and Qwen2.5-0.5B shapes); scoring frees each
  // layer's temporaries, so one layer's worth lives at a time
  const perRow = p.mode === 'train' ? T * ((2.1 * c.numHiddenLayers + 1) * perLayer + 4 * c.hiddenSize) : T * (1.5 * perLayer + 4 * c.hiddenSize);
  return 4 * rows * perRow;
}

/** A planned micro-batch: its size, what it needs, and the ceiling it was planned against. */
export interface MicroBatchPlan {
  /** Rows per pass (1..batch). */
  readonly microBatch: number;
  /** Bytes in tensors now (weights, optimiser state, CF model). */
  readonly allocatedBytes: number;
  /** Estimated activation bytes of one micro-batch. */
  readonly activationBytes: number;
  /** Extra bytes the step holds besides activations (gradients being accumulated). */
  readonly extraBytes: number;
  /** The active backend's memory ceiling (bytes). */
  readonly ceilingBytes: number;
  /** True when even one row is estimated not to fit. */
  readonly tooBig: boolean;
}

/** Share of the ceiling plans may fill: the rest covers the allocator's fragmentation and kernels' scratch. */
export const HEAP_FILL = 0.8;

/**
 * The largest micro-batch (at most `batch`) whose estimated activations fit beside the tensors allocated
 * now and `extraBytes` under HEAP_FILL of the backend's ceiling; 1 with tooBig when nothing fits.
 */
export function planMicroBatch(c: LlamaConfig, batch: number, p: PassShape, extraBytes = 0, ceilingBytes = heapCeilingBytes()): MicroBatchPlan {
  const allocated = tf.memory().numBytes;
  const free = HEAP_FILL * ceilingBytes - allocated - extraBytes;
  const perRow = activationBytes(c, 1, p);
  const fit = Math.min(batch, Math.floor(free / perRow));
  const m = Math.max(1, fit);
  return { microBatch: m, allocatedBytes: allocated, activationBytes: activationBytes(c, m, p), extraBytes, ceilingBytes, tooBig: fit < 1 };
}

/** Splits `n` rows into the fewest passes of at most `micro` rows, sizes as even as possible. @returns pass sizes, summing to n */
export function microBatchSizes(n: number, micro: number): number[] {
  const passes = Math.ceil(n / micro), base = Math.floor(n / passes), extra = n % passes;
  return Array.from({ length: passes }, (_, i) => base + (i < extra ? 1 : 0));
}
