// The weight update a LoRA adds to one projection, materialised as the [out, in] matrix mergeLora adds
// to the base weight, and the Frobenius norm of every (layer, target) update without materialising it.
// Reference: Hu et al., LoRA (2021) §4.1 (delta W = (alpha/r) B A).
import * as tf from '@tensorflow/tfjs';
import { adapterKey } from '../llm/low-rank';
import type { Lora } from '../llm/lora';
import type { Projection } from '../llm/weights';

function loraFactors(lora: Lora, layer: number, proj: Projection): { a: tf.Variable; b: tf.Variable } {
  if (!lora.config.targets.includes(proj)) throw new Error(`loraDelta: ${proj} is not a LoRA target (targets: ${lora.config.targets.join(', ')})`);
  const a = lora.params[adapterKey(layer, proj, 'lora_A.weight')], b = lora.params[adapterKey(layer, proj, 'lora_B.weight')];
  if (!a || !b) throw new Error(`loraDelta: no LoRA parameters for layer ${layer} ${proj}`);
  return { a, b };
}

/**
 * The update (alpha/r) B A of one projection, in the model's weight orientation (merged weight =
 * base weight + delta). @returns [out, in] float32
 */
export function loraDelta(lora: Lora, layer: number, proj: Projection): tf.Tensor2D {
  const { a, b } = loraFactors(lora, layer, proj);
  return tf.tidy(() => tf.mul(tf.matMul(b, a), lora.config.alpha / lora.config.r) as tf.Tensor2D);
}

/** One (layer, target) update norm. */
export interface DeltaNorm {
  readonly layer: number;
  readonly proj: Projection;
  /** Frobenius norm of the update. */
  readonly norm: number;
}

/**
 * Frobenius norms of every (layer, target) LoRA update via ||B A||_F^2 = sum((B^T B) * (A A^T)) on
 * [r, r] Gram matrices, for every layer the LoRA covers. @returns one record per layer and target, layers outer
 */
export function loraDeltaNorms(lora: Lora): DeltaNorm[] {
  const scale = lora.config.alpha / lora.config.r;
  const out: DeltaNorm[] = [];
  for (let layer = 0; adapterKey(layer, lora.config.targets[0]!, 'lora_A.weight') in lora.params; layer++) {
    for (const proj of lora.config.targets) {
      const { a, b } = loraFactors(lora, layer, proj);
      const sq = tf.tidy(() => tf.sum(tf.mul(tf.matMul(b, b, true, false), tf.matMul(a, a, false, true))));
      const v = sq.dataSync()[0]!;
      sq.dispose();
      out.push({ layer, proj, norm: scale * Math.sqrt(Math.max(0, v)) });
    }
  }
  return out;
}
