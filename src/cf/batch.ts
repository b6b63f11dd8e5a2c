// Moves a typed-array RowBatch onto the tensor side and back out. Reference: tfjs memory discipline (docs/architecture.md §4).
import * as tf from '@tensorflow/tfjs';
import type { RowBatch } from '../data/batching';
import type { CFBatch } from './types';

/** Create the batch tensors; the caller must dispose them with disposeCFBatch (in a finally). */
export function toCFBatch(b: RowBatch): CFBatch {
  return {
    userIdx: tf.tensor1d(b.userIdx, 'int32'),
    itemIdx: tf.tensor1d(b.itemIdx, 'int32'),
    label: tf.tensor1d(b.label, 'float32'),
    hist: tf.tensor2d(b.hist, [b.size, b.maxLen], 'int32'),
  };
}

/** Dispose every tensor of a batch made by toCFBatch. */
export function disposeCFBatch(b: CFBatch): void {
  tf.dispose([b.userIdx, b.itemIdx, b.label, b.hist]);
}
