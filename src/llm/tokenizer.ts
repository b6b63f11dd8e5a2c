// Tokenizers from a local Hugging Face folder (tokenizer.json + tokenizer_config.json) through
// @huggingface/transformers, fully offline (remote loading and caches switched off), behind a small
// kit interface so nothing else depends on transformers.js types.
import * as fs from 'fs';
import * as path from 'path';

/** What the kit needs from a tokenizer. */
export interface KitTokenizer {
  /** Token ids of a text; with addBos the BOS id is prepended (never twice). */
  encode(text: string, opts?: { addBos?: boolean }): number[];
  /** Text of token ids (special tokens skipped). */
  decode(ids: readonly number[]): string;
  /** Id of a token string, or null when it is not in the vocabulary. */
  tokenId(token: string): number | null;
  readonly bosId: number | null;
  readonly eosId: number | null;
  readonly vocabSize: number;
  /** The folder it was loaded from. */
  readonly dir: string;
}

interface HfTokenizer {
  encode(text: string, opts?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], opts?: { skip_special_tokens?: boolean }): string;
  model: { tokens_to_ids: Map<string, number>; vocab: unknown[] | Record<string, number> };
  bos_token_id?: number | null;
  eos_token_id?: number | null;
}

/** Loads the tokenizer in `dir` without touching the network. Throws naming a missing file. */
export async function loadTokenizer(dir: string): Promise<KitTokenizer> {
  const abs = path.resolve(dir);
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
    if (!fs.existsSync(path.join(abs, f))) throw new Error(`${path.join(abs, f)}: file not found (a tokenizer folder needs tokenizer.json and tokenizer_config.json)`);
  }
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
  env.useBrowserCache = false;
  env.localModelPath = path.parse(abs).root;
  const tok = (await AutoTokenizer.from_pretrained(abs)) as unknown as HfTokenizer;
  const ids = tok.model.tokens_to_ids;
  const bos = tok.bos_token_id ?? null, eos = tok.eos_token_id ?? null;
  return {
    dir: abs,
    bosId: bos,
    eosId: eos,
    vocabSize: Math.max(...ids.values()) + 1,
    encode: (text, opts = {}) => {
      const out = tok.encode(text, { add_special_tokens: false });
      return opts.addBos && bos !== null && out[0] !== bos ? [bos, ...out] : out;
    },
    decode: (x) => tok.decode([...x], { skip_special_tokens: true }),
    tokenId: (t) => ids.get(t) ?? null,
  };
}
