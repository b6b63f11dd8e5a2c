// Keys and values of already-processed positions, per layer, for incremental decoding. The cache owns
// its tensors (hence a class with dispose(), as docs/architecture.md §4 allows for long-lived tensors).
// Reference: transformers' DynamicCache.
import * as tf from '@tensorflow/tfjs';

/** One layer's cached keys (already rotated) and values: each [B, nKvHeads, P, headDim] float32. */
export interface LayerKV {
  readonly k: tf.Tensor4D;
  readonly v: tf.Tensor4D;
}

/** Per-layer k, v of P cached positions; the decoder forward extends it in place. */
export class KVCache {
  /** Per layer, in layer order. Replacing an entry transfers ownership to the cache. */
  layers: LayerKV[] = [];
  /** Cached positions P. */
  get length(): number {
    return this.layers[0]?.k.shape[2] ?? 0;
  }
  /** Frees every cached tensor. */
  dispose(): void {
    for (const l of this.layers) tf.dispose([l.k, l.v]);
    this.layers = [];
  }
}
