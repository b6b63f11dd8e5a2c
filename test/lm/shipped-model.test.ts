// The shipped default model (models/kit-lm): its perplexity on the stored valid slice is within 2% of
// the figure in its model card, and it loads through the default-model resolution.
import * as fs from 'fs';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { resolveModelDir } from '../../src/core/paths';
import { loadHfModel } from '../../src/llm/hf-load';
import { loadTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama } from '../../src/llm/weights';
import { textPerplexity } from '../../src/lm/probes';

const DIR = path.resolve(__dirname, '..', '..', 'models', 'kit-lm');
const shipped = fs.existsSync(path.join(DIR, 'card.json'));

beforeAll(async () => {
  await initBackend('wasm');
});

describe.skipIf(!shipped)(`shipped model models/kit-lm${shipped ? '' : ' [SKIPPED: models/kit-lm/card.json missing: run npm run pretrain-lm, then npm run lm-card]'}`, () => {
  it('is the default model folder and is at most 20 MB', () => {
    expect(resolveModelDir()).toBe(DIR);
    const bytes = fs.readdirSync(DIR).reduce((a, f) => a + fs.statSync(path.join(DIR, f)).size, 0);
    expect(bytes).toBeLessThan(20 * 1024 * 1024);
  });
  it('reproduces the model card perplexity on valid-slice.txt within 2%', async () => {
    const card = JSON.parse(fs.readFileSync(path.join(DIR, 'card.json'), 'utf8'));
    const m = loadHfModel(DIR);
    const tok = await loadTokenizer(DIR);
    const text = fs.readFileSync(path.join(DIR, card.validSlice.file), 'utf8');
    const r = await textPerplexity(m, tok, text, { maxTokens: 1 << 20, window: card.validSlice.window, stride: card.validSlice.stride });
    expect(r.tokens).toBe(card.validSlice.tokens);
    expect(Math.abs(r.ppl / card.validSlice.ppl - 1)).toBeLessThan(0.02);
    expect(r.ppl).toBeLessThan(card.heldOut.unigramPpl / 2);
    disposeLlama(m);
  }, 120_000);
});
