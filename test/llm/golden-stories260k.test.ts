// Golden test on a real pretrained checkpoint: greedy generation from BOS with stories260K reproduces,
// character for character, the text llama2.c prints (`./run stories260K.bin -z tok512.bin -t 0.0`), from the
// .bin in both rope layouts and from the Hugging Face folder the kit writes. Expected text: the README there.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { generate } from '../../src/llm/generate';
import { loadHfModel } from '../../src/llm/hf-load';
import { saveHfModel } from '../../src/llm/hf-save';
import { loadLlama2c } from '../../src/llm/llama2c';
import { loadTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../../src/llm/weights';

const STORIES = path.resolve(__dirname, '../../../shared/models/stories260K');
const NEEDED = ['stories260K.bin', 'tokenizer.json', 'tokenizer_config.json', 'README.md'].map((f) => path.join(STORIES, f));
const absent = NEEDED.filter((f) => !fs.existsSync(f));
const BOS = 1;

/** The fenced block under "## Golden output" in the README (llama2.c's printed text). */
function goldenText(): string {
  const readme = fs.readFileSync(path.join(STORIES, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Golden output'));
  const m = /```[^\n]*\n([\s\S]*?)\n```/.exec(section);
  if (!m) throw new Error(`${path.join(STORIES, 'README.md')}: no fenced block under "## Golden output"`);
  return m[1]!;
}

describe.skipIf(absent.length > 0)(`stories260K golden greedy text${absent.length ? ` [SKIPPED: ${absent.join(', ')} missing]` : ''}`, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-golden-'));
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** llama2.c's run: prompt = BOS, greedy, at most 256 steps, stop when BOS is produced. */
  async function greedyText(m: LlamaModel, tokDir: string): Promise<string> {
    const tok = await loadTokenizer(tokDir);
    const ids = await generate(m, [BOS], { maxNewTokens: 256, temperature: 0, stopTokens: [BOS] });
    expect(ids.length).toBeGreaterThan(100);
    return tok.decode(ids);
  }

  it('reads the expected text from the README', () => {
    expect(goldenText()).toMatch(/^Once upon a time, there was a little girl named Lily\./);
    expect(goldenText().split('\n')).toHaveLength(4);
  });
  it.each(['interleaved', 'half'] as const)('reproduces the published text from the .bin (rope layout %s)', async (layout) => {
    const before = tf.memory().numTensors;
    const m = loadLlama2c(path.join(STORIES, 'stories260K.bin'), { layout });
    expect(m.config.ropeLayout).toBe(layout);
    expect(await greedyText(m, STORIES)).toBe(goldenText());
    disposeLlama(m);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('reproduces it from the Hugging Face folder saveHfModel writes (weights and tokenizer re-loaded)', async () => {
    const m = loadLlama2c(path.join(STORIES, 'stories260K.bin'), { layout: 'half' });
    const dir = path.join(tmp, 'stories260K-hf');
    saveHfModel(m, dir, { tokenizerDir: STORIES });
    disposeLlama(m);
    const back = loadHfModel(dir);
    expect(back.config).toMatchObject({ ropeLayout: 'half', hiddenSize: 64, numKeyValueHeads: 4, tieWordEmbeddings: true });
    expect(await greedyText(back, dir)).toBe(goldenText());
    disposeLlama(back);
  }, 60_000);
});
