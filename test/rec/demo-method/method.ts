// A small demo LLM method for the registry test: the frozen base LLM with a learned affine calibration
// of its "Yes" logit (score = a * logit + b). It lives in its own folder like a real method and is added
// with one registerRecMethod line, to show what adding a method takes.
import * as tf from '@tensorflow/tfjs';
import { ownedVariable } from '../../../src/core/variable';
import { yesLogits, type RecMethodSpec } from '../../../src/rec/method';

/** Options: the initial scale. */
export interface CalibratedOptions {
  readonly initScale: number;
}

/** Registry entry of the demo method. */
export const CALIBRATED_SPEC: RecMethodSpec<CalibratedOptions> = {
  name: 'calibrated', label: 'Calibrated base', cf: 'none', trains: true,
  makeOptions(o) {
    for (const k of Object.keys(o)) if (k !== 'initScale') throw new Error(`calibrated options: unknown field "${k}"`);
    const initScale = (o['initScale'] ?? 1) as number;
    if (!(typeof initScale === 'number' && initScale > 0)) throw new Error(`calibrated options.initScale: must be > 0, got ${String(initScale)}`);
    return Object.freeze({ initScale });
  },
  checkShapes: () => undefined,
  stage1: () => null,
  build(ctx, o) {
    const params = { scale: ownedVariable(tf.scalar(o.initScale)), bias: ownedVariable(tf.scalar(0)) };
    return {
      name: 'calibrated', promptKind: 'tallrec', params,
      logits: (b) => tf.tidy(() => tf.add(tf.mul(yesLogits(ctx.llm, ctx.yesId, b), params.scale), params.bias) as tf.Tensor1D),
      dispose: () => tf.dispose(Object.values(params)),
    };
  },
  runTag: () => '',
};
