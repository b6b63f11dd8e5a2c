// Saves a model as a Hugging Face folder: config.json + model.safetensors (float32, written atomically),
// optionally with the tokenizer files, so loadHfModel (and transformers) read it back bit-identically.
// Reference: transformers PreTrainedModel.save_pretrained (safe_serialization).
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../core/io';
import { writeSafetensors } from '../core/safetensors';
import { llamaConfigToHf } from './config';
import { weightsToHfTensors, type LlamaModel } from './weights';

/** Tokenizer files copied with `tokenizerDir`: the first two are required, the rest copied when present. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

/** Options of saveHfModel. */
export interface HfSaveOptions {
  /** Folder whose tokenizer.json / tokenizer_config.json (and special_tokens_map.json) are copied along; default none. */
  readonly tokenizerDir?: string;
  /** Extra string metadata for the safetensors header (format: "pt" is always set); default none. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Writes `dir`/config.json and `dir`/model.safetensors (every tensor float32, Hugging Face names, [out, in]
 * Linear layout). A model with ropeLayout 'interleaved' gets a non-standard rope_layout field that only
 * this kit reads; save the 'half' layout for a folder transformers can run.
 */
export function saveHfModel(m: LlamaModel, dir: string, opts: HfSaveOptions = {}): void {
  const tok = opts.tokenizerDir;
  if (tok !== undefined) {
    for (const f of TOKENIZER_FILES.slice(0, 2)) {
      if (!fs.existsSync(path.join(tok, f))) throw new Error(`${path.join(tok, f)}: file not found (saveHfModel tokenizerDir needs tokenizer.json and tokenizer_config.json)`);
    }
  }
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, t] of weightsToHfTensors(m)) {
    if (t.dtype !== 'float32') throw new Error(`saveHfModel: tensor "${name}" has dtype ${t.dtype}, expected float32`);
    tensors[name] = { shape: t.shape, data: t.dataSync() as Float32Array };
  }
  fs.mkdirSync(dir, { recursive: true });
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { ...opts.metadata, format: 'pt' });
  writeJsonAtomic(path.join(dir, 'config.json'), llamaConfigToHf(m.config));
  if (tok === undefined) return;
  for (const f of TOKENIZER_FILES) {
    const src = path.join(tok, f), dst = path.join(dir, f);
    if (fs.existsSync(src) && path.resolve(src) !== path.resolve(dst)) writeFileAtomic(dst, fs.readFileSync(src));
  }
}
