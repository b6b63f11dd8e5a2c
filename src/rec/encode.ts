// Prompts as token ids, once per split and prompt kind: the BOS-prefixed ids of every row and, for
// CoLLM prompts, the offsets of the two placeholder tokens (user first, then item).
import type { Dataset, InteractionSplit } from '../data/types';
import type { KitTokenizer } from '../llm/tokenizer';
import { ANSWER_TEXT, PLACEHOLDER, rowPrompt, type PromptCodes, type PromptKind } from './prompt';

/** Tokenised prompts of a split. */
export interface EncodedPrompts {
  readonly kind: PromptKind;
  /** Per row: token ids (BOS first). */
  readonly ids: readonly Int32Array[];
  /** Per row: offsets of the user and item placeholder tokens (CoLLM), else empty. */
  readonly placeholders: readonly (readonly number[])[];
}

/** The token id of the placeholder; throws when the tokenizer cannot encode it as one token. */
export function placeholderId(tok: KitTokenizer): number {
  const ids = tok.encode(PLACEHOLDER);
  if (ids.length !== 1) throw new Error(`tokenizer ${tok.dir}: the placeholder "${PLACEHOLDER}" must be one token, it encodes to ${ids.length}`);
  return ids[0]!;
}

/** The id of the answer token "Yes" as it follows "#Answer:" (SentencePiece "▁Yes", byte-level "ĠYes", else the first token of " Yes"). */
export function answerTokenId(tok: KitTokenizer): number {
  return tok.tokenId('\u2581' + ANSWER_TEXT) ?? tok.tokenId('\u0120' + ANSWER_TEXT) ?? tok.encode(' ' + ANSWER_TEXT)[0]!;
}

/** Encodes every row's prompt (or the given rows); codes fill BinLLM prompts. onProgress(done, total) every 2,000 rows. */
export function encodePrompts(kind: PromptKind, ds: Dataset, split: InteractionSplit, tok: KitTokenizer, onProgress?: (done: number, total: number) => void, codes?: PromptCodes): EncodedPrompts {
  const n = split.label.length;
  const ph = kind === 'collm' ? placeholderId(tok) : -1;
  const ids: Int32Array[] = [], placeholders: number[][] = [];
  for (let r = 0; r < n; r++) {
    const t = Int32Array.from(tok.encode(rowPrompt(kind, ds, split, r, codes), { addBos: true }));
    ids.push(t);
    const pos: number[] = [];
    if (ph >= 0) t.forEach((id, i) => { if (id === ph) pos.push(i); });
    if (ph >= 0 && pos.length !== 2) throw new Error(`row ${r} of ${ds.name}/${split.name}: expected 2 placeholder tokens in the CoLLM prompt, found ${pos.length}`);
    placeholders.push(pos);
    if (onProgress && (r + 1) % 2000 === 0) onProgress(r + 1, n);
  }
  return { kind, ids, placeholders };
}
