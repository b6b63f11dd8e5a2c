// BinLLM's codes as text: a 0/1 code written as its binary digits, or compressed as dot-decimal
// ("ipv4": every 8 bits, first bit most significant, as a decimal number; the numbers joined by ".").
// Reference: BinLLM (arXiv 2406.03210) §3; rec_base_models.py hashGNN.hash2str; docs/methods.md §10.
import type { PromptCodes } from '../rec/prompt';

/** How codes are written: binary digits or dot-decimal (8 bits per number). */
export type CodeForm = 'binary' | 'ipv4';

/** The forms, in the paper's order. */
export const CODE_FORMS: readonly CodeForm[] = ['binary', 'ipv4'];

/** One code as text; bits are 0/1, their count a multiple of 8 for ipv4. */
export function codeText(bits: ArrayLike<number>, form: CodeForm): string {
  const n = bits.length;
  for (let i = 0; i < n; i++) if (bits[i] !== 0 && bits[i] !== 1) throw new Error(`codeText: bit ${i} is ${bits[i]}, not 0 or 1`);
  if (form === 'binary') return Array.from(bits).join('');
  if (n === 0 || n % 8 !== 0) throw new Error(`codeText: dot-decimal needs a multiple of 8 bits, got ${n}`);
  const parts: number[] = [];
  for (let g = 0; g < n; g += 8) {
    let v = 0;
    for (let k = 0; k < 8; k++) v = v * 2 + bits[g + k]!;
    parts.push(v);
  }
  return parts.join('.');
}

/** The text of every user's and item's code, from row-major [n * bits] 0/1 tables (e.g. hashCodeBits). */
export function promptCodes(bits: { readonly user: Uint8Array; readonly item: Uint8Array }, nBits: number, form: CodeForm): PromptCodes {
  const table = (b: Uint8Array, what: string): string[] => {
    if (b.length % nBits !== 0) throw new Error(`promptCodes: ${what} table has ${b.length} bits, not a multiple of the code length ${nBits}`);
    const out: string[] = [];
    for (let r = 0; r < b.length; r += nBits) out.push(codeText(b.subarray(r, r + nBits), form));
    return out;
  };
  const users = table(bits.user, 'user'), items = table(bits.item, 'item');
  const at = (t: string[], i: number, what: string): string => {
    const s = t[i];
    if (s === undefined) throw new Error(`promptCodes: no code for ${what} ${i} (${t.length} ${what}s)`);
    return s;
  };
  return { user: (u) => at(users, u, 'user'), item: (i) => at(items, i, 'item') };
}
