// A tiny, self-contained LLM-recommender setting for tests: the synthetic-tiny world, a byte-level BPE
// trained on its prompts, a random small decoder saved as a Hugging Face folder, and a trained MF.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeJsonAtomic } from '../../src/core/io';
import { syntheticWorld } from '../../src/data/synthetic';
import type { Dataset } from '../../src/data/types';
import { makeLlamaConfig } from '../../src/llm/config';
import { saveHfModel } from '../../src/llm/hf-save';
import { randomLlama } from '../../src/llm/init';
import { bpeToTokenizerJson, countWords, trainBpe } from '../../src/lm/bpe';
import { rowPrompt } from '../../src/rec/prompt';

/** Builds (once per call) the world and an LLM folder with tokenizer; returns both and the folder. */
export function tinySetting(): { ds: Dataset; dir: string } {
  const ds = syntheticWorld('tiny');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-rec-'));
  const counts = new Map<string, number>();
  for (const kind of ['tallrec', 'collm'] as const) {
    for (let r = 0; r < ds.splits.train.label.length; r += 3) countWords(rowPrompt(kind, ds, ds.splits.train, r), counts);
  }
  for (const it of ds.items) countWords(`"${it.title}"`, counts);
  const bpe = trainBpe(counts, { vocabSize: 700, specialTokens: ['<|endoftext|>', '<unk>', '<pad>'], minWordCount: 1 });
  writeJsonAtomic(path.join(dir, 'tokenizer.json'), bpeToTokenizerJson(bpe));
  writeJsonAtomic(path.join(dir, 'tokenizer_config.json'), { tokenizer_class: 'GPT2Tokenizer', bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<unk>', add_bos_token: false });
  const cfg = makeLlamaConfig({ vocabSize: bpe.vocab.size, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, tieWordEmbeddings: true, bosTokenId: 0, eosTokenId: 0 });
  saveHfModel(randomLlama(cfg, 1, { std: 0.05 }), dir);
  return { ds, dir };
}
