// BinLLM's codes as text (binary digits, dot-decimal) and its prompt byte-exact: CoLLM's words with the
// codes where CoLLM has <unk>; the spec's option checks (docs/methods.md §10).
import { describe, expect, it } from 'vitest';
import { codeText, promptCodes } from '../../src/binllm/codes';
import { BINLLM_SPEC } from '../../src/binllm/method';
import { datasetFromCombined } from '../../src/data/protocol';
import { BINLLM_TEMPLATE, COLLM_TEMPLATE, fillPrompt, rowPrompt } from '../../src/rec/prompt';

const bits32 = [1, 0, 0, 0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 0, 0, 0, 1, /**/ 1, 1, 1, 1, 1, 1, 1, 1, /**/ 0, 0, 0, 0, 1, 0, 1, 0];

describe('BinLLM code text', () => {
  it('writes the bits as digits, or 8 bits per decimal (first bit most significant) joined by dots', () => {
    expect(codeText(bits32, 'binary')).toBe('10000000000000011111111100001010');
    expect(codeText(bits32, 'ipv4')).toBe(`${2 ** 7}.${1}.${2 ** 8 - 1}.${2 ** 3 + 2}`);
    expect(codeText([...bits32, ...bits32], 'ipv4')).toBe('128.1.255.10.128.1.255.10');
    expect(() => codeText([1, 0, 1], 'ipv4')).toThrow(/multiple of 8 bits, got 3/);
    expect(() => codeText([1, 2], 'binary')).toThrow(/bit 1 is 2/);
  });
  it('tables every user and item, naming a missing index', () => {
    const c = promptCodes({ user: Uint8Array.from([...bits32, ...bits32.map((b) => 1 - b)]), item: Uint8Array.from(bits32) }, 32, 'ipv4');
    expect(c.user(0)).toBe('128.1.255.10');
    expect(c.user(1)).toBe(`${127}.${254}.${0}.${245}`);
    expect(c.item(0)).toBe('128.1.255.10');
    expect(() => c.item(1)).toThrow(/no code for item 1 \(1 items\)/);
    expect(() => promptCodes({ user: new Uint8Array(5), item: new Uint8Array(0) }, 4, 'binary')).toThrow(/user table has 5 bits, not a multiple of the code length 4/);
  });
});

describe('BinLLM prompt', () => {
  it('is CoLLM\'s template with the codes as text in the two ID fields', () => {
    expect(BINLLM_TEMPLATE).toBe(COLLM_TEMPLATE);
    expect(fillPrompt('binllm', ['Heat (1995)'], 'Sting, The (1973)', { user: '0110', item: '1001' })).toBe(
      '#Question: A user has given high ratings to the following movies: "Heat (1995)". Additionally, we have information about the user\'s preferences encoded in the feature 0110. Using all available information, make a prediction about whether the user would enjoy the movie titled "Sting, The (1973)" with the feature 1001? Answer with "Yes" or "No". \\n#Answer:');
    expect(fillPrompt('binllm', [], 'Heat (1995)', { user: '128.1.255.10', item: '7.0.0.255' })).toBe(
      '#Question: A user has given high ratings to the following movies: unkow. Additionally, we have information about the user\'s preferences encoded in the feature 128.1.255.10. Using all available information, make a prediction about whether the user would enjoy the movie titled "Heat (1995)" with the feature 7.0.0.255? Answer with "Yes" or "No". \\n#Answer:');
    expect(() => fillPrompt('binllm', [], 'X')).toThrow(/needs the user's and item's code text/);
    // a title that reads like a field is inserted verbatim
    expect(fillPrompt('binllm', ['<UserID>'], '$&', { user: '1', item: '0' })).toContain('movies: "<UserID>". Additionally');
  });
  it('takes the row\'s user and target item codes', () => {
    const items = ['A (1990)', 'B (1991)', 'C (1992)'].map((title) => ({ title, genres: [], year: null }));
    const ds = datasetFromCombined('t', { user: [0, 1, 1], item: [0, 1, 2], label: [1, 1, 0], ts: [1, 2, 3], split: [0, 0, 2], hist: [[], [], [1]] }, items, null, { validSmallFraction: 0, validSmallSeed: 0 }, {});
    const codes = { user: (u: number) => `u${u}`, item: (i: number) => `i${i}` };
    const p = rowPrompt('binllm', ds, ds.splits.test, 0, codes);
    expect(p).toContain('encoded in the feature u1. Using');
    expect(p).toContain('titled "C (1992)" with the feature i2?');
    expect(rowPrompt('collm', ds, ds.splits.test, 0, codes)).toContain('encoded in the feature <unk>.');
  });
});

describe('BinLLM options', () => {
  it('default to 32-bit binary codes on hash-mf with TALLRec\'s LoRA, and name what is wrong', () => {
    const o = BINLLM_SPEC.makeOptions({}, 'hash-mf');
    expect(o).toEqual({ form: 'binary', codeBits: 32, lora: { r: 8, alpha: 16, dropout: 0.05, targets: ['q_proj', 'v_proj'] } });
    expect(BINLLM_SPEC.runTag(o)).toBe('');
    expect(BINLLM_SPEC.runTag(BINLLM_SPEC.makeOptions({ form: 'ipv4' }, 'hash-mf'))).toBe('ipv4');
    expect(BINLLM_SPEC.stage1(o)).toEqual({ method: 'tallrec', options: { lora: o.lora } });
    expect(() => BINLLM_SPEC.makeOptions({}, 'mf')).toThrow(/reads binary codes from a hash-mf CF model .* got mf/);
    expect(() => BINLLM_SPEC.makeOptions({ form: 'hex' }, 'hash-mf')).toThrow(/form: "hex" is not one of binary, ipv4/);
    expect(() => BINLLM_SPEC.makeOptions({ codeBits: 0 }, 'hash-mf')).toThrow(/codeBits must be an integer >= 1/);
    expect(() => BINLLM_SPEC.makeOptions({ form: 'ipv4', codeBits: 12 }, 'hash-mf')).toThrow(/codeBits = 12: the ipv4 form writes 8 bits per number/);
    expect(() => BINLLM_SPEC.makeOptions({ bits: 8 }, 'hash-mf')).toThrow(/unknown field "bits"; known: form, codeBits, lora/);
    expect(() => BINLLM_SPEC.makeOptions({ lora: { r: 0 } }, 'hash-mf')).toThrow(/r must be an integer >= 1/);
    expect(() => BINLLM_SPEC.checkShapes(o, { dModel: 32, nLayers: 2, dCf: 16 })).toThrow(/codeBits = 32, but the hash-mf codes have 16 bits/);
    expect(() => BINLLM_SPEC.checkShapes(BINLLM_SPEC.makeOptions({ lora: { r: 64 } }, 'hash-mf'), { dModel: 32, nLayers: 2, dCf: 32 })).toThrow(/lora.r = 64 exceeds the LLM's hidden size 32/);
  });
});
