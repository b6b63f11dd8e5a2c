// The fused softmax cross-entropy kernel: per-row loss and softmax - onehot against float64 formulas
// on wasm and cpu, ignored rows, the fast exponential's accuracy, and no leaks.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { makeRng } from '../../src/core/rng';
import { fastExpNeg, softmaxXent } from '../../src/backend/xent-kernel';

describe('fused softmax cross-entropy', () => {
  it('exp approximation is within 1e-8 relative on (-100, 0]', () => {
    let worst = 0;
    for (let z = -100; z <= 0; z += 0.00137) worst = Math.max(worst, Math.abs(fastExpNeg(z) - Math.exp(z)) / Math.exp(z));
    expect(worst).toBeLessThan(1e-8);
    expect(fastExpNeg(0)).toBe(1);
    expect(fastExpNeg(-1000)).toBe(0);
  });
  it.each(['wasm', 'cpu'] as const)('matches the formulas on %s and ignores rows with a negative target', async (backend) => {
    await initBackend(backend);
    const rng = makeRng(4), N = 5, V = 37;
    const x = Float32Array.from({ length: N * V }, () => 4 * rng.normal());
    const y = Int32Array.from([3, 0, -1, 36, 10]);
    const before = tf.memory().numTensors;
    const lt = tf.tensor2d(x, [N, V]), yt = tf.tensor1d(y, 'int32');
    const { loss, dlogits } = softmaxXent(lt, yt);
    const l = loss.dataSync(), d = dlogits.dataSync();
    for (let r = 0; r < N; r++) {
      if (y[r]! < 0) {
        expect(l[r]).toBe(0);
        for (let j = 0; j < V; j++) expect(d[r * V + j]).toBe(0);
        continue;
      }
      const row = Array.from(x.subarray(r * V, (r + 1) * V)), mx = Math.max(...row);
      const lse = mx + Math.log(row.reduce((a, v) => a + Math.exp(v - mx), 0));
      expect(l[r]).toBeCloseTo(lse - row[y[r]!]!, 4);
      for (let j = 0; j < V; j++) expect(d[r * V + j]).toBeCloseTo(Math.exp(row[j]! - lse) - (j === y[r] ? 1 : 0), 6);
    }
    tf.dispose([lt, yt, loss, dlogits]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
