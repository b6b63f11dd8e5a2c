// The fused decoder ops (RMSNorm, SwiGLU, rope + head transpose, masked softmax, softmax cross-entropy)
// on wasm with the native addon equal the unfused op composition on the cpu backend: forward rel err
// < 1e-5, gradients < 1e-4, no tensor leaks; and a LoRA step's gradients through the whole decoder agree.
// The direct fused-op cases are skipped when the addon is absent (CFLLM_NATIVE=0 pass); the layer-level
// cases then check the composition path on wasm against cpu.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { fusedKernelsAvailable, fusedMaskedSoftmax, fusedRopeHeads, fusedSwiglu } from '../../src/backend/fused-ops';
import { loadNativeGemm } from '../../src/backend/native-gemm';
import { makeRng } from '../../src/core/rng';
import { softmaxXent } from '../../src/backend/xent-kernel';
import { attentionMask } from '../../src/llm/attention';
import { makeLlamaConfig } from '../../src/llm/config';
import { rmsNorm } from '../../src/llm/layers';
import { initLora, loraHook } from '../../src/llm/lora';
import { decoderHidden } from '../../src/llm/model';
import { applyRope, ropeTables } from '../../src/llm/rope';
import { randomModel } from '../llm/helpers';

function randn(n: number, seed: number, scale = 1): Float32Array {
  const r = makeRng(seed), v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = r.normal() * scale;
  return v;
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-12);
}

/** Runs f on a backend and returns its outputs as arrays; checks that f leaks no tensor. */
async function on(name: 'cpu' | 'wasm', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend(name);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(f);
  const vals = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  expect(tf.memory().numTensors).toBe(before);
  return vals;
}

/** Value and gradients of sum(op(...xs) * dy) w.r.t. every x. */
function valueAndGrads(op: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const y = op(...xs);
  const g = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(op(...a), dy)))(xs);
  return [y, ...g];
}

async function compare(fused: () => tf.Tensor[], reference: () => tf.Tensor[]): Promise<void> {
  const ref = await on('cpu', reference);
  const got = await on('wasm', fused);
  expect(got.length).toBe(ref.length);
  expect(maxRelErr(got[0]!, ref[0]!)).toBeLessThan(1e-5);
  for (let i = 1; i < got.length; i++) expect(maxRelErr(got[i]!, ref[i]!)).toBeLessThan(1e-4);
}

const native = loadNativeGemm().gemm;

beforeAll(async () => {
  await initBackend('wasm');
});

describe('fused ops on wasm', () => {
  it('are available exactly when the native addon with the fused kernels is loaded', () => {
    expect(fusedKernelsAvailable()).toBe(native !== null && typeof native.rmsNorm === 'function');
  });

  it('rmsNorm (any rank) equals the cpu composition, with gradients for x and w', async () => {
    const [B, T, D] = [3, 5, 48];
    const x = randn(B * T * D, 1, 2), w = randn(D, 2), dy = randn(B * T * D, 3);
    const run = () => valueAndGrads((a, b) => rmsNorm(a!, b as tf.Tensor1D, 1e-5), [tf.tensor3d(x, [B, T, D]), tf.tensor1d(w)], tf.tensor3d(dy, [B, T, D]));
    await compare(run, run);
  });

  it.skipIf(!native)('swiglu equals silu(g) * u, with gradients for g and u', async () => {
    const n = 7 * 33, g = randn(n, 4, 4), u = randn(n, 5), dy = randn(n, 6);
    const args = () => [tf.tensor2d(g, [7, 33]), tf.tensor2d(u, [7, 33])];
    await compare(() => valueAndGrads((a, b) => fusedSwiglu(a!, b!), args(), tf.tensor2d(dy, [7, 33])),
      () => valueAndGrads((a, b) => tf.mul(tf.mul(a!, tf.sigmoid(a!)), b!), args(), tf.tensor2d(dy, [7, 33])));
  });

  it.skipIf(!native).each(['half', 'interleaved'] as const)('rope with the head transpose equals applyRope after a transpose (%s), with the gradient', async (layout) => {
    const [B, T, n, D] = [2, 6, 3, 8];
    const x = randn(B * T * n * D, 7), dy = randn(B * T * n * D, 8);
    const pos = Float32Array.from({ length: B * T }, (_, i) => (i % T) + 3 * Math.floor(i / T));
    const tables = () => ropeTables({ headDim: D, ropeTheta: 10000 }, tf.tensor2d(pos, [B, T]));
    const dyT = () => tf.tensor4d(dy, [B, n, T, D]);
    await compare(() => {
      const t = tables();
      return valueAndGrads((a) => fusedRopeHeads(a as tf.Tensor2D, B, T, n, D, t.cos, t.sin, layout), [tf.tensor2d(x, [B * T, n * D])], dyT());
    }, () => {
      const t = tables();
      return valueAndGrads((a) => applyRope(layout, tf.transpose(tf.reshape(a!, [B, T, n, D]), [0, 2, 1, 3]) as tf.Tensor4D, t), [tf.tensor2d(x, [B * T, n * D])], dyT());
    });
  });

  it.skipIf(!native)('masked softmax (left padding, cached positions) equals the composition, with the gradient', async () => {
    const [B, H, Tq, S] = [2, 3, 4, 7];
    const raw = randn(B * H * Tq * S, 9, 3), dy = randn(B * H * Tq * S, 10);
    const mask = () => tf.tensor2d([[0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]], [B, S]);
    const scale = 1 / Math.sqrt(8);
    await compare(() => {
      const am = attentionMask(mask(), Tq);
      return valueAndGrads((a) => fusedMaskedSoftmax(a as tf.Tensor4D, am.keep, am.bias, scale), [tf.tensor4d(raw, [B, H, Tq, S])], tf.tensor4d(dy, [B, H, Tq, S]));
    }, () => {
      const am = attentionMask(mask(), Tq);
      return valueAndGrads((a) => tf.softmax(tf.add(tf.mul(tf.mul(a!, scale), am.keep), am.bias)), [tf.tensor4d(raw, [B, H, Tq, S])], tf.tensor4d(dy, [B, H, Tq, S]));
    });
  });

  it('softmax cross-entropy equals logsumexp - picked logit and softmax - onehot (ignored rows zero)', async () => {
    const [N, V] = [9, 301];
    const x = randn(N * V, 11, 5), y = Int32Array.from({ length: N }, (_, i) => (i === 4 ? -1 : (i * 37) % V));
    const got = await on('wasm', () => { const r = softmaxXent(tf.tensor2d(x, [N, V]), tf.tensor1d(y, 'int32')); return [r.loss, r.dlogits]; });
    const ref = await on('cpu', () => tf.tidy(() => {
      const xt = tf.tensor2d(x, [N, V]), valid = tf.tensor2d(Float32Array.from(y, (t) => (t < 0 ? 0 : 1)), [N, 1]);
      const oh = tf.mul(tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(y, (t) => Math.max(t, 0)), 'int32'), V), 'float32'), valid);
      const lse = tf.logSumExp(xt, 1, true);
      return [tf.reshape(tf.mul(tf.sub(lse, tf.sum(tf.mul(xt, oh), 1, true)), valid), [N]), tf.mul(tf.sub(tf.exp(tf.sub(xt, lse)), oh), valid)];
    }));
    expect(maxRelErr(got[0]!, ref[0]!)).toBeLessThan(1e-5);
    expect(maxRelErr(got[1]!, ref[1]!)).toBeLessThan(1e-5);
  });

  it('a LoRA gradient through the whole decoder (left padding) equals the cpu backend', async () => {
    const cfg = makeLlamaConfig({ vocabSize: 50, hiddenSize: 32, intermediateSize: 48, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
    const [B, T] = [2, 6];
    const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 7) % 50);
    const run = () => {
      const m = randomModel(cfg, 3);
      const lora = initLora(m, { r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] }, 1);
      // B starts at zero: give it values so that the gradient of A is not zero
      for (const [k, v] of Object.entries(lora.params)) if (k.endsWith('lora_B.weight')) v.assign(tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', 5), 0.1));
      const hook = loraHook(lora, { training: false, seed: 0 });
      const input = { ids: tf.tensor2d(ids, [B, T], 'int32'), mask: tf.tensor2d([[0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]], [B, T]), adapter: hook };
      const vars = Object.values(lora.params);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(decoderHidden(m, input))), vars);
      const out = [tf.reshape(decoderHidden(m, input), [-1]), value, ...vars.map((v) => grads[v.name]!)];
      tf.dispose(vars);
      return out;
    };
    const ref = await on('cpu', run);
    const got = await on('wasm', run);
    expect(maxRelErr(got[0]!, ref[0]!)).toBeLessThan(1e-5);
    for (let i = 1; i < got.length; i++) expect(maxRelErr(got[i]!, ref[i]!)).toBeLessThan(1e-4);
  });
});
