// Tokenizers from a local Hugging Face folder (tokenizer.json + tokenizer_config.json) through
// @huggingface/transformers, fully offline (remote loading and file caches switched off), behind a small
// kit interface so nothing else depends on transformers.js types. Reference: transformers.js env / AutoTokenizer.
import * as fs from 'fs';
import * as path from 'path';

/** What the kit needs from a tokenizer. */
export interface KitTokenizer {
  /** Token ids of a text (no special tokens); with addBos the BOS id is prepended (never twice). */
  encode(text: string, opts?: { addBos?: boolean }): number[];
  /** Text of token ids (special tokens skipped). */
  decode(ids: readonly number[]): string;
  /** Id of a token string (a vocabulary piece such as "▁Once", or a special token), or null when absent. */
  tokenId(token: string): number | null;
  /** Beginning-of-sequence id, or null when the tokenizer has none. */
  readonly bosId: number | null;
  /** End-of-sequence id, or null when the tokenizer has none. */
  readonly eosId: number | null;
  /** Number of ids (largest id + 1, added tokens included). */
  readonly vocabSize: number;
  /** The absolute folder it was loaded from. */
  readonly dir: string;
}

/** Files a tokenizer folder must hold. */
export const TOKENIZER_REQUIRED = ['tokenizer.json', 'tokenizer_config.json'] as const;

/** The part of a transformers.js PreTrainedTokenizer the kit uses. */
interface HfTokenizer {
  encode(text: string, opts?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], opts?: { skip_special_tokens?: boolean }): string;
  model: { tokens_to_ids: Map<string, number> };
  bos_token_id?: number | null;
  eos_token_id?: number | null;
}

/** Largest share of a model's embedding rows a tokenizer may leave unused (vocabularies padded to a round size). */
export const MAX_PADDED_ROWS_SHARE = 0.01;

/**
 * Throws unless a tokenizer of `tokVocab` ids fits a model with `modelRows` embedding rows: more ids
 * than rows would index past the embedding; far fewer means another model's tokenizer (a padded
 * vocabulary leaves at most 1% of the rows unused, e.g. Qwen2.5's 151,665 ids in 151,936 rows).
 */
export function checkTokenizerFitsModel(tokVocab: number, modelRows: number, tokFile: string, modelFile: string): void {
  if (tokVocab > modelRows) {
    throw new Error(`${tokFile}: the tokenizer has ${tokVocab} token ids but the model (${modelFile}, vocab_size) has ${modelRows} embedding rows: ` +
      'ids past the last row cannot be embedded; use the tokenizer that belongs to this model');
  }
  if (modelRows - tokVocab > MAX_PADDED_ROWS_SHARE * modelRows) {
    throw new Error(`${tokFile}: the tokenizer has ${tokVocab} token ids but the model (${modelFile}, vocab_size) has ${modelRows} embedding rows ` +
      `(${modelRows - tokVocab} unused, more than the ${100 * MAX_PADDED_ROWS_SHARE}% a padded vocabulary leaves): this looks like another model's tokenizer; use the tokenizer that belongs to this model`);
  }
}

function readJsonObject(file: string): Record<string, unknown> {
  let j: unknown;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: invalid JSON (${(e as Error).message}); the file may be damaged or cut short: copy or download the folder again`);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new Error(`${file}: expected a JSON object`);
  return j as Record<string, unknown>;
}

/**
 * Loads the tokenizer in `dir` without touching the network or writing a cache. Throws naming a missing
 * or broken file; when `dir` also holds a model's config.json, the vocabulary must fit its embedding.
 */
export async function loadTokenizer(dir: string): Promise<KitTokenizer> {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new Error(`${abs}: no such tokenizer folder (it needs ${TOKENIZER_REQUIRED.join(' and ')})`);
  for (const f of TOKENIZER_REQUIRED) {
    const file = path.join(abs, f);
    if (!fs.existsSync(file)) throw new Error(`${file}: file not found (a tokenizer folder needs ${TOKENIZER_REQUIRED.join(' and ')})`);
    if (fs.statSync(file).isDirectory()) throw new Error(`${file}: is a folder, expected a file`);
  }
  const tokFile = path.join(abs, 'tokenizer.json');
  const tj = readJsonObject(tokFile);
  readJsonObject(path.join(abs, 'tokenizer_config.json'));
  const model = tj['model'];
  if (typeof model !== 'object' || model === null || typeof (model as Record<string, unknown>)['vocab'] !== 'object') {
    throw new Error(`${tokFile}: no "model" object with a "vocab": not a Hugging Face tokenizers file`);
  }
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
  env.useBrowserCache = false;
  // an absolute path is not a Hub model id, so transformers.js reads <abs>/<file> as given; localModelPath
  // (the folder models are looked up in) is pointed at the parent so nothing resolves elsewhere
  env.localModelPath = path.dirname(abs) + path.sep;
  let tok: HfTokenizer;
  try {
    tok = (await AutoTokenizer.from_pretrained(abs, { local_files_only: true })) as unknown as HfTokenizer;
  } catch (e) {
    throw new Error(`${tokFile}: transformers.js could not build a tokenizer from it (${(e as Error).message})`);
  }
  const ids = tok.model.tokens_to_ids;
  const bos = tok.bos_token_id ?? null, eos = tok.eos_token_id ?? null;
  let maxId = -1;
  for (const v of ids.values()) maxId = Math.max(maxId, v);
  const cfgFile = path.join(abs, 'config.json');
  if (fs.existsSync(cfgFile)) {
    const rows = readJsonObject(cfgFile)['vocab_size'];
    if (typeof rows === 'number') checkTokenizerFitsModel(maxId + 1, rows, tokFile, cfgFile);
  }
  return {
    dir: abs,
    bosId: bos,
    eosId: eos,
    vocabSize: maxId + 1,
    encode: (text, opts = {}) => {
      const out = tok.encode(text, { add_special_tokens: false });
      return opts.addBos && bos !== null && out[0] !== bos ? [bos, ...out] : out;
    },
    decode: (x) => tok.decode([...x], { skip_special_tokens: true }),
    tokenId: (t) => ids.get(t) ?? null,
  };
}
