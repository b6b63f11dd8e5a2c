// One optimiser step's loss and gradients computed in micro-batches: each pass's mean BCE is weighted by
// its share of the rows and the gradients are summed, so the result equals the full batch's (within
// float rounding) while only one micro-batch's activations are alive at a time.
// Reference: docs/methods.md §5 (the shared training loop); gradient accumulation as in PEFT/transformers.
import * as tf from '@tensorflow/tfjs';
import { namedGrads } from '../core/grads';
import { bceWithLogits } from '../core/loss';
import { withHeapContext, type HeapContext } from '../backend/heap';
import { microBatchSizes } from '../llm/memory';
import type { PromptBatch } from './batch';
import type { RecMethod } from './method';

/** Loss (mean over all rows) and summed gradients keyed by parameter name; the caller disposes grads. */
export interface AccumulatedStep {
  readonly loss: number;
  readonly grads: Record<string, tf.Tensor>;
}

/**
 * Mean-BCE loss and gradients of `rows` in passes of at most `microBatch` rows. Pass i uses dropout seed
 * `seed` for the first pass and a derived one after it. A non-finite pass loss stops early and returns
 * it with no gradients. `heap` names the work for an out-of-memory error (batch and length are filled in).
 */
export async function accumulatedGrads(method: RecMethod, rows: readonly number[], batchOf: (rows: readonly number[]) => PromptBatch,
  microBatch: number, seed: number, heap: Omit<HeapContext, 'batchSize' | 'seqLen'>): Promise<AccumulatedStep> {
  const params = method.params;
  let acc: Record<string, tf.Tensor> | null = null, loss = 0, start = 0;
  try {
    for (const [i, n] of microBatchSizes(rows.length, microBatch).entries()) {
      const b = batchOf(rows.slice(start, start + n));
      start += n;
      const share = n / rows.length;
      const passSeed = i === 0 ? seed : (seed * 31 + i * 1000003) | 0;
      const { value, grads } = withHeapContext({ ...heap, batchSize: b.B, seqLen: b.T },
        () => namedGrads(() => tf.tidy(() => tf.mul(bceWithLogits(method.logits(b, { training: true, seed: passSeed }), b.label), share) as tf.Scalar), params));
      const v = (await value.data())[0]!;
      value.dispose();
      if (!Number.isFinite(v)) {
        tf.dispose(Object.values(grads));
        return { loss: v / share, grads: {} };
      }
      loss += v;
      if (acc === null) acc = grads;
      else {
        const prev: Record<string, tf.Tensor> = acc;
        acc = Object.fromEntries(Object.entries(prev).map(([k, g]) => [k, tf.add(g, grads[k]!)]));
        tf.dispose([...Object.values(prev), ...Object.values(grads)]);
      }
    }
    const out = { loss, grads: acc! };
    acc = null;
    return out;
  } finally {
    if (acc) tf.dispose(Object.values(acc));
  }
}
