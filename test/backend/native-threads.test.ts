// The native addon's threads (setThreads(2)): a batch of small GEMMs split by items, one GEMM split into
// row or column blocks, and the fused kernels split by rows agree with one thread (fused kernels
// bit-identical, GEMM blocks within 1e-6), on sizes large enough to take the split, with every output
// element written (outputs start as NaN). Correctness against references is in native-gemm.test.ts and
// fused-ops.test.ts. Skipped when the addon is absent.
import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeGemm, type NativeGemm } from '../../src/backend/native-gemm';
import { makeRng } from '../../src/core/rng';

const { gemm, why } = loadNativeGemm();
const fused = gemm !== null && typeof gemm.maskedSoftmaxGrad === 'function';
const threadsBefore = gemm?.getThreads() ?? 1;

/** A heap with named float32 regions, filled with normals (inputs) or NaN (outputs). */
function heap(sizes: Record<string, number>, outputs: string[], seed: number) {
  let total = 0;
  const off: Record<string, number> = {};
  for (const [k, n] of Object.entries(sizes)) { off[k] = total * 4; total += n; }
  const mem = new WebAssembly.Memory({ initial: Math.ceil((total * 4) / 65536) + 1 });
  const f = new Float32Array(mem.buffer);
  const rng = makeRng(seed);
  const reset = () => {
    for (const [k, n] of Object.entries(sizes)) {
      const v = f.subarray(off[k]! / 4, off[k]! / 4 + n);
      if (outputs.includes(k)) v.fill(NaN);
    }
  };
  for (let i = 0; i < total; i++) f[i] = rng.normal();
  reset();
  const read = (k: string) => Float32Array.from(f.subarray(off[k]! / 4, off[k]! / 4 + sizes[k]!));
  return { buf: mem.buffer, off, f, reset, read };
}

/**
 * Runs `call` on 1 and on 2 threads; every output must be fully written and bit-identical (tol 0), or
 * within a relative error tol (GEMM blocks: a BLAS may order a block's sums differently).
 */
function sameOnTwoThreads(g: NativeGemm, h: ReturnType<typeof heap>, outputs: string[], call: () => void, tol = 0): void {
  const runOn = (threads: number) => {
    g.setThreads(threads);
    h.reset();
    call();
    return outputs.map((k) => h.read(k));
  };
  const one = runOn(1), two = runOn(2);
  outputs.forEach((k, i) => {
    expect(one[i]!.every(Number.isFinite), `${k} fully written on 1 thread`).toBe(true);
    expect(two[i]!.every(Number.isFinite), `${k} fully written on 2 threads`).toBe(true);
    if (tol === 0) expect(Buffer.compare(Buffer.from(two[i]!.buffer), Buffer.from(one[i]!.buffer)), `${k} identical on 2 threads`).toBe(0);
    else {
      let err = 0, ref = 0;
      one[i]!.forEach((x, j) => { err = Math.max(err, Math.abs(x - two[i]![j]!)); ref = Math.max(ref, Math.abs(x)); });
      expect(err / ref, `${k} on 2 threads`).toBeLessThan(tol);
    }
  });
}

describe.skipIf(!gemm)(`native addon on 2 threads${gemm ? '' : ` [SKIPPED: ${why}]`}`, () => {
  afterAll(() => gemm?.setThreads(threadsBefore));

  it('splits a batch of small GEMMs (attention shapes, a broadcast operand) with the same result', () => {
    const [batch, M, N, K] = [12, 128, 112, 64];
    const h = heap({ a: batch * M * K, b: K * N, c: batch * M * N }, ['c'], 1);
    sameOnTwoThreads(gemm!, h, ['c'], () => gemm!.sgemmBatched(h.buf, h.off.a!, M * K * 4, h.off.b!, 0, h.off.c!, M * N * 4, batch, M, N, K, false, true), 1e-6);
  });

  it.each([
    [333, 100, 200, false, false], [333, 100, 200, true, false], [50, 517, 300, true, true], [61, 700, 129, false, true],
  ] as const)('splits one GEMM into row or column blocks with the same result (M %i, N %i, K %i, tA %s, tB %s)', (M, N, K, tA, tB) => {
    const h = heap({ a: M * K, b: K * N, c: 2 * M * N }, ['c'], 7);
    // batch 2 with a broadcast A: each item is split on its own
    sameOnTwoThreads(gemm!, h, ['c'], () => gemm!.sgemmBatched(h.buf, h.off.a!, 0, h.off.b!, 0, h.off.c!, M * N * 4, 2, M, N, K, tA, tB), 1e-6);
  });

  it.skipIf(!fused)('splits softmax cross-entropy, RMSNorm (+grad), SwiGLU (+grad) by rows with the same result', () => {
    const [N, V, D] = [100, 6000, 256];
    const h = heap({ x: N * V, y: N, loss: N, d: N * V }, ['loss', 'd'], 2);
    const y = new Int32Array(h.buf, h.off.y!, N);
    for (let r = 0; r < N; r++) y[r] = r === 3 ? -1 : (r * 997) % V;
    sameOnTwoThreads(gemm!, h, ['loss', 'd'], () => gemm!.softmaxXent!(h.buf, h.off.x!, h.off.y!, h.off.loss!, h.off.d!, N, V));

    const R = 2100;
    const r = heap({ x: R * D, w: D, y: R * D, dy: R * D, dx: R * D, dw: D }, ['y', 'dx', 'dw'], 3);
    sameOnTwoThreads(gemm!, r, ['y', 'dx', 'dw'], () => {
      gemm!.rmsNorm!(r.buf, r.off.x!, r.off.w!, r.off.y!, R, D, 1e-5);
      gemm!.rmsNormGrad!(r.buf, r.off.dy!, r.off.x!, r.off.w!, r.off.dx!, r.off.dw!, R, D, 1e-5);
    });

    const n = 600_001;
    const s = heap({ g: n, u: n, y: n, dy: n, dg: n, du: n }, ['y', 'dg', 'du'], 4);
    sameOnTwoThreads(gemm!, s, ['y', 'dg', 'du'], () => {
      gemm!.swiglu!(s.buf, s.off.g!, s.off.u!, s.off.y!, n);
      gemm!.swigluGrad!(s.buf, s.off.dy!, s.off.g!, s.off.u!, s.off.dg!, s.off.du!, n);
    });
  });

  it.skipIf(!fused)('splits rope with the head transpose and the masked softmax (+grad) with the same result', () => {
    const [B, T, H, Dh] = [10, 224, 4, 64];
    const h = heap({ x: B * T * H * Dh, cos: B * T * Dh / 2, sin: B * T * Dh / 2, heads: B * T * H * Dh, rows: B * T * H * Dh }, ['heads', 'rows'], 5);
    sameOnTwoThreads(gemm!, h, ['heads', 'rows'], () => {
      gemm!.ropeHeads!(h.buf, h.off.x!, h.off.cos!, h.off.sin!, h.off.heads!, B, T, H, Dh, 0, 1, 1);
      gemm!.ropeHeads!(h.buf, h.off.heads!, h.off.cos!, h.off.sin!, h.off.rows!, B, T, H, Dh, 0, -1, 0);
    });

    const all = B * H * T * T, m = B * T * T;
    const s = heap({ raw: all, keep: m, bias: m, p: all, dp: all, dr: all }, ['p', 'dr'], 6);
    const keep = new Float32Array(s.buf, s.off.keep!, m), bias = new Float32Array(s.buf, s.off.bias!, m);
    for (let i = 0; i < m; i++) {
      const masked = i % T > Math.floor(i / T) % T; // causal
      keep[i] = masked ? 0 : 1;
      bias[i] = masked ? -1e9 : 0;
    }
    sameOnTwoThreads(gemm!, s, ['p', 'dr'], () => {
      gemm!.maskedSoftmax!(s.buf, s.off.raw!, s.off.keep!, s.off.bias!, s.off.p!, B, H, T, T, 0.125);
      gemm!.maskedSoftmaxGrad!(s.buf, s.off.dp!, s.off.p!, s.off.keep!, s.off.dr!, B, H, T, T, 0.125);
    });
  });
});
