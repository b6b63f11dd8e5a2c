// The fused Adam kernel follows torch.optim.Adam / AdamW exactly, on wasm and cpu, without leaks.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { ADAM_DEFAULTS, adamStep, disposeAdamState, initAdamState } from '../../src/core/optim';

/** Scalar reference of one torch Adam/AdamW step for parameter x with gradient g. */
function refStep(x: number, g: number, m: number, v: number, t: number, lr: number, wd: number, decoupled: boolean) {
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const gi = decoupled ? g : g + wd * x;
  const x0 = decoupled ? x * (1 - lr * wd) : x;
  const m2 = b1 * m + (1 - b1) * gi, v2 = b2 * v + (1 - b2) * gi * gi;
  const mHat = m2 / (1 - b1 ** t), vHat = v2 / (1 - b2 ** t);
  return { x: x0 - lr * mHat / (Math.sqrt(vHat) + eps), m: m2, v: v2 };
}

describe.each(['wasm', 'cpu'] as const)('adamStep on %s', (backend) => {
  it.each([[false, 0], [false, 0.1], [true, 0.1]])('decoupled=%s wd=%s matches the torch formula over 3 steps', async (decoupled, wd) => {
    await initBackend(backend);
    const x0 = [0.5, -1.5, 2.0], gs = [[0.1, -0.2, 0.3], [0.05, 0.4, -0.1], [-0.3, 0.2, 0.0]];
    const p = { w: tf.variable(tf.tensor1d(x0)) };
    const st = initAdamState(p);
    const before = tf.memory().numTensors;
    const cfg = { ...ADAM_DEFAULTS, lr: 0.01, weightDecay: wd, decoupled };
    let ref = x0.map((x) => ({ x, m: 0, v: 0 }));
    for (let t = 1; t <= 3; t++) {
      const g = tf.tensor1d(gs[t - 1]!);
      adamStep(p, { w: g }, st, cfg);
      g.dispose();
      ref = ref.map((r, i) => refStep(r.x, gs[t - 1]![i]!, r.m, r.v, t, 0.01, wd, decoupled));
    }
    expect(tf.memory().numTensors).toBe(before);
    const got = p.w.dataSync();
    ref.forEach((r, i) => expect(got[i]).toBeCloseTo(r.x, 6));
    expect(st.step).toBe(3);
    disposeAdamState(st);
    p.w.dispose();
  });

  it('skips weight decay where the mask says so', async () => {
    await initBackend(backend);
    const p = { a: tf.variable(tf.tensor1d([1])), b: tf.variable(tf.tensor1d([1])) };
    const st = initAdamState(p);
    const z = tf.tensor1d([0]);
    adamStep(p, { a: z, b: z }, st, { ...ADAM_DEFAULTS, lr: 0.1, weightDecay: 0.5, decoupled: true }, 0.1, { a: true, b: false });
    expect(p.a.dataSync()[0]).toBeCloseTo(1 - 0.1 * 0.5, 6);
    expect(p.b.dataSync()[0]).toBe(1);
    tf.dispose([z, p.a, p.b]);
    disposeAdamState(st);
  });
});
