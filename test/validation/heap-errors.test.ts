// Issue 16, out of wasm heap: "memory access out of bounds", "Aborted()" and failed allocations during a
// model load, a training step or scoring become one error naming the work, model, batch size, sequence
// length, the heap against its ceiling, and what to change; other errors pass unchanged.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { isHeapExhaustion, WASM_HEAP_MAX_BYTES, WasmHeapExhausted, wasmHeapBytes, withHeapContext } from '../../src/backend/heap';

beforeAll(async () => {
  await initBackend('wasm');
});

const CTX = { what: 'an LLM training step', model: 'SmolLM2-135M', batchSize: 8, seqLen: 160 };
const fail = (err: Error) => () => {
  throw err;
};

describe('heap exhaustion is explained', () => {
  const cases: [string, Error][] = [
    ['wasm out-of-bounds access', new WebAssembly.RuntimeError('memory access out of bounds')],
    ['emscripten abort', new WebAssembly.RuntimeError('Aborted(). Build with -sASSERTIONS for more info.')],
    ['abort with OOM', new WebAssembly.RuntimeError('Aborted(OOM)')],
    ['heap that cannot grow', new Error('Cannot enlarge memory arrays to size 4294967296 bytes')],
    ['V8 allocation failure', new RangeError('Array buffer allocation failed')],
    ['typed array too long', new RangeError('Invalid typed array length: 4400000000')],
    ['memory grow failure', new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded')],
  ];
  it.each(cases)('%s', (_name, err) => {
    let got: unknown;
    try {
      withHeapContext(CTX, fail(err));
    } catch (e) {
      got = e;
    }
    expect(got).toBeInstanceOf(WasmHeapExhausted);
    const m = (got as Error).message;
    expect(m).toContain('out of memory while an LLM training step (model SmolLM2-135M, batch size 8, sequence length 160)');
    expect(m).toMatch(/the wasm heap holds \d+\.\d\d GiB of its 4\.00 GiB ceiling/);
    expect(m).toContain('a smaller batch (--batch, or --micro-batch where the command has it); shorter prompts');
    expect(m).toContain(`(backend error: ${err.message.split('\n')[0]})`);
    expect((got as WasmHeapExhausted).original).toBe(err);
    if (/Aborted/.test(err.message)) expect(m).toContain('start the process again');
  });
  it('explains async failures too', async () => {
    await expect(withHeapContext({ what: 'scoring', batchSize: 32 }, async () => {
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    })).rejects.toThrow('out of memory while scoring (batch size 32)');
  });
  it.each([
    ['a shape error', new Error('Operands could not be broadcast together with shapes 2 and 3')],
    ['a missing file', new Error('ENOENT: no such file or directory')],
    ['an explained error (not wrapped twice)', new WasmHeapExhausted(CTX, new Error('x'), 'out of memory while x')],
  ] as const)('passes %s unchanged', (_name, err) => {
    expect(isHeapExhaustion(err)).toBe(false);
    expect(() => withHeapContext(CTX, fail(err))).toThrow(err);
  });
  it('returns values unchanged', async () => {
    expect(withHeapContext(CTX, () => 3)).toBe(3);
    expect(await withHeapContext(CTX, async () => 4)).toBe(4);
  });
  it('translates a real failed allocation on the wasm backend, leaking nothing', () => {
    const before = tf.memory().numTensors;
    // 1.1e9 float32 values (4.4 GB) exceed the heap's 4 GiB ceiling
    expect(() => withHeapContext({ what: 'loading the model', model: 'big' }, () => tf.zeros([1_100_000_000]))).toThrow(/out of memory while loading the model \(model big\): the wasm heap holds/);
    expect(tf.memory().numTensors).toBe(before);
    expect(wasmHeapBytes()).toBeGreaterThan(0);
    expect(WASM_HEAP_MAX_BYTES).toBe(4294901760);
  });
});
