// A CF model used as the collaborative backbone of an LLM method: its user and item representations
// for chosen rows of a split, and the width those representations have (one probe, checked equal).
// Reference: docs/methods.md §5-6 (CoLLM and CoRA read e_user, e_item from a CF model).
import * as tf from '@tensorflow/tfjs';
import type { ForwardMode } from '../core/types';
import { makeRowBatch } from '../data/batching';
import type { InteractionSplit } from '../data/types';
import { disposeCFBatch, toCFBatch } from './batch';
import type { CFCommonConfig, CFModel, CFSpec } from './types';

/** A CF model and its functions (frozen, or trained further by a method such as CoLLM T1/T2). */
export interface CfBackbone {
  readonly spec: CFSpec<CFCommonConfig>;
  readonly model: CFModel;
}

/** The CF user and item representations of a split's rows. @returns each [B, dEmb] float32 */
export function cfEmbeddings(cf: CfBackbone, split: InteractionSplit, rows: readonly number[], mode: ForwardMode): { user: tf.Tensor2D; item: tf.Tensor2D } {
  const c = cf.model.config;
  const cb = toCFBatch(makeRowBatch(split, [...rows], c.maxHistory, c.nItems));
  try {
    return tf.tidy(() => ({ user: cf.spec.userRepr(cf.model, cb, mode), item: cf.spec.itemRepr(cf.model, cb, mode) }));
  } finally {
    disposeCFBatch(cb);
  }
}

/** Width of the backbone's representations, from one probe row; throws when user and item widths differ. */
export function cfReprWidth(cf: CfBackbone): number {
  const c = cf.model.config;
  const probe: InteractionSplit = {
    name: 'train', userIdx: new Int32Array([0]), itemIdx: new Int32Array([0]), label: new Uint8Array(1), timestamp: new Float64Array(1),
    notCold: new Uint8Array(1), rowId: new Int32Array(1), histOffsets: new Int32Array(2), histItems: new Int32Array(0),
  };
  const e = cfEmbeddings(cf, probe, [0], { training: false, seed: 0 });
  const du = e.user.shape[1], di = e.item.shape[1];
  tf.dispose([e.user, e.item]);
  if (du !== di) throw new Error(`${cf.model.kind}: user (${du}) and item (${di}) representations differ in width; CoLLM's shared mapping and CoRA's generator need one width`);
  return du;
}

/** Frees a backbone's parameters and buffers. */
export function disposeBackbone(cf: CfBackbone): void {
  tf.dispose([...Object.values(cf.model.params), ...Object.values(cf.model.buffers)]);
}
