// A batch of encoded prompts: left-padded ids [B, T] with their mask, the flat placeholder positions
// (row * T + offset; user then item per row), and the rows' users, items and labels.
import * as tf from '@tensorflow/tfjs';
import type { InteractionSplit } from '../data/types';
import type { EncodedPrompts } from './encode';

/** Host-side batch (typed arrays); toTensors makes the tensors. */
export interface PromptBatch {
  /** The split the rows belong to (CF models read histories from it). */
  readonly split: InteractionSplit;
  readonly rows: readonly number[];
  readonly B: number;
  readonly T: number;
  /** [B*T] int32, left-padded with padId. */
  readonly ids: Int32Array;
  /** [B*T] float32 1 = real token. */
  readonly mask: Float32Array;
  /** Flat positions of the user placeholders [B] and item placeholders [B] (CoLLM prompts only). */
  readonly userSlots: number[];
  readonly itemSlots: number[];
  readonly userIdx: Int32Array;
  readonly itemIdx: Int32Array;
  readonly label: Float32Array;
}

/** Builds the batch of the given rows of a split. */
export function makePromptBatch(enc: EncodedPrompts, split: InteractionSplit, rows: readonly number[], padId: number): PromptBatch {
  const B = rows.length, T = Math.max(...rows.map((r) => enc.ids[r]!.length));
  const ids = new Int32Array(B * T).fill(padId), mask = new Float32Array(B * T);
  const userSlots: number[] = [], itemSlots: number[] = [];
  rows.forEach((r, b) => {
    const t = enc.ids[r]!, off = T - t.length;
    ids.set(t, b * T + off);
    mask.fill(1, b * T + off, (b + 1) * T);
    const ph = enc.placeholders[r]!;
    if (ph.length === 2) { userSlots.push(b * T + off + ph[0]!); itemSlots.push(b * T + off + ph[1]!); }
  });
  return {
    split, rows, B, T, ids, mask, userSlots, itemSlots,
    userIdx: Int32Array.from(rows, (r) => split.userIdx[r]!), itemIdx: Int32Array.from(rows, (r) => split.itemIdx[r]!),
    label: Float32Array.from(rows, (r) => split.label[r]!),
  };
}

/** The id and mask tensors of a batch (caller disposes). */
export function batchTensors(b: PromptBatch): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  return { ids: tf.tensor2d(b.ids, [b.B, b.T], 'int32'), mask: tf.tensor2d(b.mask, [b.B, b.T]) };
}
