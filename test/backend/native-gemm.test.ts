// The optional native GEMM addon: sgemmBatched on a WebAssembly.Memory buffer equals a float64
// reference for random shapes, transposes, strides and broadcasts; bad offsets are refused. Skipped
// (with the reason) when the addon was not built; the XNNPACK path is covered by the second test pass.
import { describe, expect, it } from 'vitest';
import { loadNativeGemm } from '../../src/backend/native-gemm';
import { makeRng } from '../../src/core/rng';

const { gemm, why } = loadNativeGemm();

describe.skipIf(!gemm)(`native GEMM addon${gemm ? '' : ` [SKIPPED: ${why}]`}`, () => {
  it('matches a float64 reference on random shapes, transposes and batch broadcasts (rel err < 1e-5)', () => {
    const mem = new WebAssembly.Memory({ initial: 64 });
    const f = new Float32Array(mem.buffer);
    const rng = makeRng(3);
    for (const [batch, M, N, K, tA, tB, bcastA, bcastB] of [
      [1, 7, 5, 3, false, false, false, false], [3, 16, 9, 33, true, false, false, false], [4, 5, 12, 8, false, true, false, true],
      [2, 31, 17, 64, true, true, true, false], [5, 1, 1, 100, false, false, false, false],
    ] as const) {
      const aSize = M * K, bSize = K * N, cSize = M * N;
      const offA = 0, offB = offA + batch * aSize, offC = offB + batch * bSize;
      for (let i = 0; i < offC; i++) f[i] = rng.normal();
      gemm!.sgemmBatched(mem.buffer, offA * 4, bcastA ? 0 : aSize * 4, offB * 4, bcastB ? 0 : bSize * 4, offC * 4, cSize * 4, batch, M, N, K, tA, tB);
      let maxErr = 0, maxRef = 0;
      for (let b = 0; b < batch; b++) {
        const a0 = offA + (bcastA ? 0 : b * aSize), b0 = offB + (bcastB ? 0 : b * bSize);
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let ref = 0;
            for (let k = 0; k < K; k++) ref += f[a0 + (tA ? k * M + i : i * K + k)]! * f[b0 + (tB ? j * K + k : k * N + j)]!;
            maxErr = Math.max(maxErr, Math.abs(ref - f[offC + b * cSize + i * N + j]!));
            maxRef = Math.max(maxRef, Math.abs(ref));
          }
        }
      }
      expect(maxErr / maxRef, `batch ${batch} M ${M} N ${N} K ${K} tA ${tA} tB ${tB}`).toBeLessThan(1e-5);
    }
  });
  it('flushes subnormal floats inside its kernels (their slow path made late SASRec epochs 5x slower) and restores the caller\'s mode', () => {
    const mem = new WebAssembly.Memory({ initial: 1 });
    const f = new Float32Array(mem.buffer);
    const tiny = 1e-39; // subnormal in float32 (smallest normal 1.18e-38)
    // C [1, 2] = A [1, 2] B [2, 2]: a subnormal operand is read as 0, a subnormal product written as 0
    f.set([tiny, 1e-20, 1, 0, 0, 1e-20], 0);
    for (const threads of [1, 2]) {
      gemm!.setThreads(threads);
      f.set([NaN, NaN], 8);
      gemm!.sgemmBatched(mem.buffer, 0, 0, 8, 0, 32, 0, 1, 1, 2, 2, false, false);
      expect(Array.from(f.subarray(8, 10)), `${threads} thread(s)`).toEqual([0, 0]);
    }
    gemm!.setThreads(1);
    // JS and wasm keep IEEE subnormals after the call
    expect(new Float32Array([tiny])[0]).not.toBe(0);
    expect(Math.fround(1e-39) * 1.5).toBeGreaterThan(0);
  });
  it('refuses operands outside the buffer and sets the thread count', () => {
    const mem = new WebAssembly.Memory({ initial: 1 });
    expect(() => gemm!.sgemmBatched(mem.buffer, 0, 0, 0, 0, 65536 - 8, 0, 1, 2, 2, 2, false, false)).toThrow(/outside the buffer/);
    gemm!.setThreads(2);
    expect(gemm!.getThreads()).toBe(2);
    gemm!.setThreads(1);
    expect(gemm!.getThreads()).toBe(1);
  });
});
