// LLM I/O: Hugging Face folders (round trips of LLaMA- and Qwen2-style configs, sharded and half-precision
// checkpoints, errors naming file and tensor), llama2.c .bin (sections, rope row permutation, stories260K),
// offline tokenizers (stories260K ids equal llama2.c's encoder over tok512.bin) and seeded random init.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { readSafetensors, writeSafetensors } from '../../src/core/safetensors';
import { llamaConfigToHf, makeLlamaConfig } from '../../src/llm/config';
import { loadHfModel } from '../../src/llm/hf-load';
import { saveHfModel } from '../../src/llm/hf-save';
import { randomLlama } from '../../src/llm/init';
import { decoderLogits } from '../../src/llm/model';
import { interleavedToHalfRows, loadLlama2c } from '../../src/llm/llama2c';
import { loadTokenizer } from '../../src/llm/tokenizer';
import { disposeLlama, expectedHfShapes, weightsToHfTensors, type LlamaModel } from '../../src/llm/weights';
import { writeHalf } from './half-safetensors';
import { randomModel } from './helpers';

const MODELS = path.resolve(__dirname, '../../../shared/models');
const STORIES = path.join(MODELS, 'stories260K');
const STORIES_BIN = path.join(STORIES, 'stories260K.bin');
const LLAMA2_TOK = path.join(MODELS, 'llama2-tokenizer');
const REPO = path.resolve(__dirname, '../..');
const missing = (p: string): string => (fs.existsSync(p) ? '' : ` [SKIPPED: ${p} is missing]`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-llm-io-'));
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirCount = 0;
const newDir = (name: string): string => path.join(tmp, `${name}-${dirCount++}`);

const LLAMA = makeLlamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, ropeTheta: 500, bosTokenId: 1, eosTokenId: 2 });
const QWEN = makeLlamaConfig({ modelType: 'qwen2', vocabSize: 40, hiddenSize: 16, intermediateSize: 20, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 1, tieWordEmbeddings: true, rmsNormEps: 1e-6, ropeTheta: 1e6 });

/** Bytes of every tensor by Hugging Face name. */
function hfBytes(m: LlamaModel): Map<string, { shape: number[]; bytes: Buffer }> {
  const out = new Map<string, { shape: number[]; bytes: Buffer }>();
  for (const [name, t] of weightsToHfTensors(m)) {
    const v = t.dataSync() as Float32Array;
    out.set(name, { shape: t.shape, bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength) });
  }
  return out;
}

function expectIdentical(a: LlamaModel, b: LlamaModel): void {
  expect(b.config).toEqual(a.config);
  const x = hfBytes(a), y = hfBytes(b);
  expect([...y.keys()].sort()).toEqual([...x.keys()].sort());
  for (const [name, t] of x) {
    expect(y.get(name)!.shape, name).toEqual(t.shape);
    expect(Buffer.compare(y.get(name)!.bytes, t.bytes), `${name} differs`).toBe(0);
  }
}

/** Logits of token ids through the decoder forward. @returns [B, T, vocab] float32 values */
function logits(m: LlamaModel, ids: number[][]): Float32Array {
  const out = tf.tidy(() => decoderLogits(m, { ids: tf.tensor2d(ids, [ids.length, ids[0]!.length], 'int32') }));
  const v = out.dataSync() as Float32Array;
  out.dispose();
  return v;
}

/** Saves a model, then lets `edit` change the tensor map before rewriting model.safetensors. */
function saveEdited(m: LlamaModel, dir: string, edit: (t: Record<string, { shape: number[]; data: Float32Array }>) => void): void {
  saveHfModel(m, dir);
  const t: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, x] of Object.entries(readSafetensors(path.join(dir, 'model.safetensors')).tensors)) t[name] = { shape: [...x.shape], data: x.data as Float32Array };
  edit(t);
  writeSafetensors(path.join(dir, 'model.safetensors'), t);
}

describe('Hugging Face folders: save and load', () => {
  it.each([['LLaMA-style (untied, GQA 4/2)', LLAMA], ['Qwen2-style (q/k/v biases, tied, 4/1)', QWEN]] as const)('%s round-trips bit-identically, with identical logits', (_n, cfg) => {
    const before = tf.memory().numTensors;
    const m = randomModel(cfg, 7);
    const dir = newDir('rt');
    saveHfModel(m, dir);
    const stored = readSafetensors(path.join(dir, 'model.safetensors'));
    expect(stored.metadata['format']).toBe('pt');
    expect(new Set(Object.values(stored.tensors).map((t) => t.dtype))).toEqual(new Set(['F32']));
    expect(Object.keys(stored.tensors).sort()).toEqual([...expectedHfShapes(cfg).keys()].sort());
    const hfConfig = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(hfConfig).toMatchObject({ model_type: cfg.modelType, num_key_value_heads: cfg.numKeyValueHeads, tie_word_embeddings: cfg.tieWordEmbeddings });
    const back = loadHfModel(dir);
    expectIdentical(m, back);
    expect(back.weights.lmHead === null).toBe(cfg.tieWordEmbeddings);
    const ids = [[1, 5, 9, 3, 7], [2, 2, 8, 30, 39]];
    const ref = logits(m, ids);
    expect(ref.every(Number.isFinite)).toBe(true);
    expect(Array.from(logits(back, ids))).toEqual(Array.from(ref));
    disposeLlama(m);
    disposeLlama(back);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('loads trainable weights as variables and saves them back unchanged', () => {
    const m = randomModel(LLAMA, 3);
    const dir = newDir('var');
    saveHfModel(m, dir);
    const v = loadHfModel(dir, { trainable: true });
    expect(v.weights.embed).toBeInstanceOf(tf.Variable);
    const dir2 = newDir('var2');
    saveHfModel(v, dir2);
    expect(Buffer.compare(fs.readFileSync(path.join(dir, 'model.safetensors')), fs.readFileSync(path.join(dir2, 'model.safetensors')))).toBe(0);
    disposeLlama(m);
    disposeLlama(v);
  });
  it('copies tokenizer files when asked, and names a missing one', () => {
    const m = randomModel(QWEN, 4);
    const tokDir = newDir('tok');
    fs.mkdirSync(tokDir);
    fs.writeFileSync(path.join(tokDir, 'tokenizer.json'), '{"model":{}}');
    expect(() => saveHfModel(m, newDir('notok'), { tokenizerDir: tokDir })).toThrow(/tokenizer_config\.json: file not found/);
    fs.writeFileSync(path.join(tokDir, 'tokenizer_config.json'), '{}');
    const dir = newDir('withtok');
    saveHfModel(m, dir, { tokenizerDir: tokDir });
    expect(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')).toBe('{"model":{}}');
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    disposeLlama(m);
  });
  it('loads a sharded checkpoint (index.json + 2 shards) identically', () => {
    const m = randomModel(QWEN, 5);
    const dir = newDir('sharded');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(llamaConfigToHf(m.config)));
    const all = [...weightsToHfTensors(m)];
    const half = Math.ceil(all.length / 2);
    const weightMap: Record<string, string> = {};
    [all.slice(0, half), all.slice(half)].forEach((part, i) => {
      const f = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(path.join(dir, f), Object.fromEntries(part.map(([n, t]) => [n, { shape: t.shape, data: t.dataSync() as Float32Array }])));
      for (const [n] of part) weightMap[n] = f;
    });
    fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
    const back = loadHfModel(dir);
    expectIdentical(m, back);
    disposeLlama(back);
    // a tensor listed in the wrong shard, and a missing shard, are named
    const [first] = all[0]!;
    fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { ...weightMap, [first]: 'model-00002-of-00002.safetensors' } }));
    expect(() => loadHfModel(dir)).toThrow(new RegExp(`model-00002-of-00002\\.safetensors: tensor "${first.replace(/\./g, '\\.')}" is listed in model\\.safetensors\\.index\\.json but not stored in this shard`));
    fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { ...weightMap, [first]: 'model-00003-of-00003.safetensors' } }));
    expect(() => loadHfModel(dir)).toThrow(/model\.safetensors\.index\.json: shard model-00003-of-00003\.safetensors .* not found/);
    disposeLlama(m);
  });
  it.each([['F16', 2 ** -11, 2 ** -25], ['BF16', 2 ** -8, 0]] as const)('widens %s checkpoints to float32 within half precision', (dtype, rel, abs) => {
    const m = randomModel(LLAMA, 6);
    const dir = newDir(dtype);
    saveHfModel(m, dir);
    writeHalf(path.join(dir, 'model.safetensors'), weightsToHfTensors(m), dtype);
    expect(new Set(Object.values(readSafetensors(path.join(dir, 'model.safetensors')).tensors).map((t) => t.dtype))).toEqual(new Set([dtype]));
    const back = loadHfModel(dir);
    const a = hfBytes(m), b = weightsToHfTensors(back);
    let worst = 0, changed = 0;
    for (const [name, t] of b) {
      expect(t.dtype).toBe('float32');
      const x = new Float32Array(a.get(name)!.bytes.buffer, a.get(name)!.bytes.byteOffset, t.size), y = t.dataSync();
      for (let i = 0; i < x.length; i++) {
        const err = Math.abs(x[i]! - y[i]!);
        worst = Math.max(worst, err / Math.max(Math.abs(x[i]!) * rel, abs));
        if (err > 0) changed++;
      }
    }
    expect(worst).toBeLessThanOrEqual(1.0001);
    expect(changed).toBeGreaterThan(0);
    disposeLlama(m);
    disposeLlama(back);
  });
});

describe('Hugging Face folders: errors and tolerated extras', () => {
  const m = randomModel(LLAMA, 8);
  afterAll(() => disposeLlama(m));

  it('says a folder without config.json, or a file, or nothing, is not a model', () => {
    const dir = newDir('empty');
    fs.mkdirSync(dir);
    expect(() => loadHfModel(dir)).toThrow(/config\.json: file not found \(.* is not a Hugging Face model folder/);
    expect(() => loadHfModel(path.join(dir, 'nowhere'))).toThrow(/nowhere[/\\]config\.json: file not found \(the folder .*nowhere does not exist/);
    fs.writeFileSync(path.join(dir, 'x.bin'), 'x');
    expect(() => loadHfModel(path.join(dir, 'x.bin'))).toThrow(/x\.bin: is a file, not a Hugging Face model folder/);
    fs.writeFileSync(path.join(dir, 'config.json'), '{"model_type": "llama",');
    expect(() => loadHfModel(dir)).toThrow(/config\.json: invalid JSON/);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(llamaConfigToHf(LLAMA)));
    expect(() => loadHfModel(dir)).toThrow(/no model\.safetensors or model\.safetensors\.index\.json/);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...llamaConfigToHf(LLAMA), model_type: 'gpt2' }));
    expect(() => loadHfModel(dir)).toThrow(/config\.json: model_type "gpt2"/);
  });
  it('names the tensor and the file of a wrong shape, a missing tensor and an unexpected one; leaks nothing', () => {
    const before = tf.memory().numTensors;
    const dir = newDir('bad');
    saveEdited(m, dir, (t) => { t['model.layers.1.mlp.up_proj.weight'] = { shape: [20, 16], data: new Float32Array(320) }; });
    expect(() => loadHfModel(dir)).toThrow(/model\.safetensors: tensor "model\.layers\.1\.mlp\.up_proj\.weight" has shape \[20, 16\], config\.json implies \[24, 16\]/);
    saveEdited(m, dir, (t) => { delete t['model.layers.0.self_attn.k_proj.weight']; });
    expect(() => loadHfModel(dir)).toThrow(/model\.safetensors: tensor "model\.layers\.0\.self_attn\.k_proj\.weight" \[8, 16\] is missing/);
    saveEdited(m, dir, (t) => { t['model.layers.0.self_attn.o_proj.bias'] = { shape: [16], data: new Float32Array(16) }; });
    expect(() => loadHfModel(dir)).toThrow(/model\.safetensors: unexpected tensor "model\.layers\.0\.self_attn\.o_proj\.bias"/);
    saveEdited(m, dir, (t) => { delete t['lm_head.weight']; });
    expect(() => loadHfModel(dir)).toThrow(/tensor "lm_head\.weight" \[40, 16\] is missing .*untied lm_head/);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('ignores rotary inv_freq buffers, and lm_head in a tied model', () => {
    const tied = randomModel(QWEN, 9);
    const dir = newDir('extras');
    saveEdited(tied, dir, (t) => {
      t['model.layers.0.self_attn.rotary_emb.inv_freq'] = { shape: [2], data: new Float32Array([1, 0.5]) };
      t['model.rotary_emb.inv_freq'] = { shape: [2], data: new Float32Array([1, 0.5]) };
      t['lm_head.weight'] = { shape: [40, 16], data: new Float32Array(640) };
    });
    const back = loadHfModel(dir);
    expectIdentical(tied, back);
    disposeLlama(tied);
    disposeLlama(back);
  });
});

/** Writes a llama2.c legacy .bin whose every float is its own index (so sections are recognisable). */
function writeLlama2cBin(file: string, h: number[], untied: boolean): Float32Array {
  const [dim, hid, L, H, KV, V, seq] = h as [number, number, number, number, number, number, number];
  const hd = dim / H, kv = KV * hd;
  const n = V * dim + L * dim + L * dim * dim + 2 * L * kv * dim + L * dim * dim + L * dim + 3 * L * hid * dim + dim + seq * hd + (untied ? V * dim : 0);
  const f = Float32Array.from({ length: n }, (_, i) => i);
  const buf = Buffer.alloc(28 + 4 * n);
  [dim, hid, L, H, KV, untied ? -V : V, seq].forEach((x, i) => buf.writeInt32LE(x, 4 * i));
  Buffer.from(f.buffer).copy(buf, 28);
  fs.writeFileSync(file, buf);
  return f;
}

/** Hugging Face's permute written as index arithmetic: out[h, t, j] = in[h, j, t] for w.view(H, D/2, 2, in). */
function hfPermute(w: Float32Array, nHeads: number, rows: number, cols: number): Float32Array {
  const D = rows / nHeads, out = new Float32Array(w.length);
  for (let h = 0; h < nHeads; h++) for (let t = 0; t < 2; t++) for (let j = 0; j < D / 2; j++) {
    const dst = h * D + t * (D / 2) + j, src = h * D + 2 * j + t;
    out.set(w.subarray(src * cols, (src + 1) * cols), dst * cols);
  }
  return out;
}

describe('llama2.c checkpoints', () => {
  it('reads every section in llama2.c order (w1 = gate, w3 = up, w2 = down; untied classifier last)', () => {
    const file = path.join(tmp, 'tiny.bin');
    const h = [8, 12, 2, 2, 1, 10, 6];
    writeLlama2cBin(file, h, true);
    const m = loadLlama2c(file, { layout: 'interleaved' });
    expect(m.config).toMatchObject({ hiddenSize: 8, intermediateSize: 12, numHiddenLayers: 2, numAttentionHeads: 2, numKeyValueHeads: 1, vocabSize: 10, maxPositionEmbeddings: 6, tieWordEmbeddings: false, ropeLayout: 'interleaved', ropeTheta: 10000, rmsNormEps: 1e-5, bosTokenId: 1, eosTokenId: 2 });
    // section offsets: emb 80, rms_att 16, wq 128, wk 64, wv 64, wo 128, rms_ffn 16, w1 192, w2 192, w3 192, rms_final 8, freq 12 + 12
    const first = (t: tf.Tensor): number => t.dataSync()[0]!;
    const l1 = m.weights.layers[1]!;
    expect([first(m.weights.embed), first(m.weights.layers[0]!.inputNorm), first(l1.inputNorm)]).toEqual([0, 80, 88]);
    expect([first(l1.q), first(l1.k), first(l1.v), first(l1.o), first(l1.postNorm)]).toEqual([96 + 64, 224 + 32, 288 + 32, 352 + 64, 480 + 8]);
    expect([first(l1.gate), first(l1.down), first(l1.up)]).toEqual([496 + 96, 688 + 96, 880 + 96]);
    expect(first(m.weights.finalNorm)).toBe(1072);
    expect(first(m.weights.lmHead!)).toBe(1080 + 24);
    expect(Array.from(l1.down.dataSync().slice(0, 13))).toEqual(Array.from({ length: 13 }, (_, i) => 784 + i)); // [d, hidden] row-major
    disposeLlama(m);
  });
  it('names the file of a truncated or padded .bin, and an implausible header', () => {
    const file = path.join(tmp, 'trunc.bin');
    writeLlama2cBin(file, [8, 12, 2, 2, 1, 10, 6], false);
    const full = fs.readFileSync(file);
    fs.writeFileSync(file, full.subarray(0, full.length - 4));
    expect(() => loadLlama2c(file)).toThrow(/trunc\.bin: holds \d+ floats after the header .* implies \d+ \(truncated/);
    fs.writeFileSync(file, Buffer.concat([full, Buffer.alloc(8)]));
    expect(() => loadLlama2c(file)).toThrow(/trunc\.bin: holds/);
    fs.writeFileSync(file, full.subarray(0, 20));
    expect(() => loadLlama2c(file)).toThrow(/trunc\.bin: too short for a llama2\.c header/);
    const bad = Buffer.from(full);
    bad.writeInt32LE(3, 12); // 3 heads do not divide dim 8
    fs.writeFileSync(file, bad);
    expect(() => loadLlama2c(file)).toThrow(/trunc\.bin: implausible llama2\.c header .*n_heads must divide dim/);
  });
  it('the half-layout row order is Hugging Face permute: pair (2j, 2j+1) -> (j, j + D/2) per head', () => {
    expect(Array.from(interleavedToHalfRows(2, 4))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    const w = Float32Array.from({ length: 16 * 3 }, (_, i) => i);
    const rows = interleavedToHalfRows(2, 8);
    const viaRows = new Float32Array(w.length);
    rows.forEach((src, dst) => viaRows.set(w.subarray(src * 3, src * 3 + 3), dst * 3));
    expect(Array.from(viaRows)).toEqual(Array.from(hfPermute(w, 2, 16, 3)));
  });

  describe.skipIf(!fs.existsSync(STORIES_BIN))(`stories260K.bin${missing(STORIES_BIN)}`, () => {
    it('loads (dim 64, hidden 172, 5 layers, 8 heads, 4 kv heads, vocab 512) and layout half permutes q/k rows only', () => {
      const before = tf.memory().numTensors;
      const inter = loadLlama2c(STORIES_BIN, { layout: 'interleaved' });
      const half = loadLlama2c(STORIES_BIN);
      expect(inter.config).toMatchObject({ hiddenSize: 64, intermediateSize: 172, numHiddenLayers: 5, numAttentionHeads: 8, numKeyValueHeads: 4, headDim: 8, vocabSize: 512, maxPositionEmbeddings: 512, tieWordEmbeddings: true, bosTokenId: 1, eosTokenId: 2, ropeLayout: 'interleaved' });
      expect(half.config).toEqual({ ...inter.config, ropeLayout: 'half' });
      expect(inter.weights.lmHead).toBeNull();
      const a = weightsToHfTensors(inter), b = weightsToHfTensors(half);
      for (const [name, t] of a) {
        const x = t.dataSync() as Float32Array, y = b.get(name)!.dataSync();
        const heads = name.endsWith('q_proj.weight') ? 8 : name.endsWith('k_proj.weight') ? 4 : 0;
        const want = heads ? hfPermute(x, heads, t.shape[0]!, t.shape[1]!) : x;
        expect(Buffer.compare(Buffer.from(y.buffer, y.byteOffset, y.byteLength), Buffer.from(want.buffer, want.byteOffset, want.byteLength)), name).toBe(0);
        if (heads) expect(Array.from(y)).not.toEqual(Array.from(x));
      }
      disposeLlama(inter);
      disposeLlama(half);
      expect(tf.memory().numTensors).toBe(before);
    });
    it('round-trips through a Hugging Face folder', () => {
      const m = loadLlama2c(STORIES_BIN);
      const dir = newDir('stories-hf');
      saveHfModel(m, dir);
      const back = loadHfModel(dir);
      expectIdentical(m, back);
      disposeLlama(m);
      disposeLlama(back);
    });
  });
});

/** llama2.c's tokenizer (tok512.bin): pieces and scores, and run.c's encode (dummy prefix, byte fallback, best-score merges). */
function readTok512(file: string): { pieces: string[]; encode: (text: string) => number[] } {
  const b = fs.readFileSync(file);
  const pieces: string[] = [], scores: number[] = [];
  let o = 4; // max_token_length
  while (o < b.length) {
    scores.push(b.readFloatLE(o));
    const len = b.readInt32LE(o + 4);
    pieces.push(b.subarray(o + 8, o + 8 + len).toString('utf8'));
    o += 8 + len;
  }
  const lookup = new Map<string, number>();
  pieces.forEach((p, i) => { if (!lookup.has(p)) lookup.set(p, i); });
  const encode = (text: string): number[] => {
    const ids: number[] = text.length ? [lookup.get(' ')!] : [];
    for (const ch of text) {
      const id = lookup.get(ch);
      if (id !== undefined) ids.push(id);
      else for (const byte of Buffer.from(ch, 'utf8')) ids.push(byte + 3);
    }
    for (;;) {
      let best = -1e10, at = -1, merged = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const id = lookup.get(pieces[ids[i]!]! + pieces[ids[i + 1]!]!);
        if (id !== undefined && scores[id]! > best) { best = scores[id]!; at = i; merged = id; }
      }
      if (at < 0) return ids;
      ids.splice(at, 2, merged);
    }
  };
  return { pieces, encode };
}

describe('tokenizers (offline)', () => {
  const tok512 = path.join(STORIES, 'tok512.bin');
  describe.skipIf(!fs.existsSync(tok512) || !fs.existsSync(path.join(STORIES, 'tokenizer.json')))(`stories260K tokenizer${missing(tok512)}${missing(path.join(STORIES, 'tokenizer.json'))}`, () => {
    it('encodes like llama2.c over tok512.bin, with the same pieces, without network or a cache folder', async () => {
      const cacheDirs = [path.join(REPO, '.cache'), path.join(REPO, 'models'), path.join(REPO, 'node_modules', '@huggingface', 'transformers', '.cache')];
      const existed = cacheDirs.map((d) => fs.existsSync(d));
      const fetchSpy = vi.fn(() => { throw new Error('network used'); });
      vi.stubGlobal('fetch', fetchSpy);
      try {
        const tok = await loadTokenizer(STORIES);
        const ref = readTok512(tok512);
        expect(tok.encode('Once upon a time')).toEqual(ref.encode('Once upon a time'));
        expect(tok.encode('Once upon a time').map((i) => ref.pieces[i])).toEqual([' Once', ' upon', ' a', ' time']);
        expect(tok.encode('Once upon a time', { addBos: true })[0]).toBe(1);
        const readme = fs.readFileSync(path.join(STORIES, 'README.md'), 'utf8');
        const lines = readme.split('```')[readme.split('```').length - 2]!.trim().split('\n');
        for (const s of [...lines, 'Tom said: "Wow!"\n\tIt is 3.14 km away... ünïcödé 日本', '  two  spaces']) {
          expect(tok.encode(s), s).toEqual(ref.encode(s));
          expect(tok.decode(tok.encode(s))).toBe(s);
        }
        expect([tok.bosId, tok.eosId, tok.vocabSize]).toEqual([1, 2, 512]);
        ref.pieces.forEach((p, i) => {
          if (i >= 3) expect(tok.tokenId(p.replace(/ /g, '\u2581')), p).toBe(i);
        });
        expect([tok.tokenId('<unk>'), tok.tokenId('<s>'), tok.tokenId('</s>'), tok.tokenId('no such piece')]).toEqual([0, 1, 2, null]);
        expect(fetchSpy).not.toHaveBeenCalled();
      } finally {
        vi.unstubAllGlobals();
      }
      expect(cacheDirs.map((d) => fs.existsSync(d))).toEqual(existed);
    });
  });
  describe.skipIf(!fs.existsSync(path.join(LLAMA2_TOK, 'tokenizer.json')))(`llama2 tokenizer${missing(path.join(LLAMA2_TOK, 'tokenizer.json'))}`, () => {
    it('loads the 32000-piece LLaMA-2 tokenizer', async () => {
      const tok = await loadTokenizer(LLAMA2_TOK);
      expect([tok.bosId, tok.eosId, tok.vocabSize]).toEqual([1, 2, 32000]);
      expect(tok.encode('Hello world', { addBos: true })).toEqual([1, tok.tokenId('\u2581Hello'), tok.tokenId('\u2581world')]);
      expect(tok.decode(tok.encode('The quick brown fox.'))).toBe('The quick brown fox.');
    });
  });
  it('names a missing tokenizer file', async () => {
    const dir = newDir('tokfiles');
    fs.mkdirSync(dir);
    await expect(loadTokenizer(dir)).rejects.toThrow(/tokenizer\.json: file not found/);
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{}');
    await expect(loadTokenizer(dir)).rejects.toThrow(/tokenizer_config\.json: file not found/);
    await expect(loadTokenizer(path.join(dir, 'absent'))).rejects.toThrow(/absent: no such tokenizer folder/);
  });
});

describe('seeded random init', () => {
  it('is deterministic, N(0, 0.02) with norms 1 and biases 0, and disposes cleanly', () => {
    const before = tf.memory().numTensors;
    const a = randomLlama(QWEN, 42), b = randomLlama(QWEN, 42), c = randomLlama(QWEN, 43);
    expect(tf.memory().numTensors - before).toBe(3 * expectedHfShapes(QWEN).size);
    const ba = hfBytes(a), bb = hfBytes(b), bc = hfBytes(c);
    for (const [name, t] of ba) expect(Buffer.compare(t.bytes, bb.get(name)!.bytes), name).toBe(0);
    expect(Buffer.compare(ba.get('model.embed_tokens.weight')!.bytes, bc.get('model.embed_tokens.weight')!.bytes)).not.toBe(0);
    const l = a.weights.layers[0]!;
    expect(new Set(l.inputNorm.dataSync())).toEqual(new Set([1]));
    expect(new Set(a.weights.finalNorm.dataSync())).toEqual(new Set([1]));
    expect(new Set(l.qBias!.dataSync())).toEqual(new Set([0]));
    const w = a.weights.embed.dataSync();
    const mean = w.reduce((s, x) => s + x, 0) / w.length, sd = Math.sqrt(w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.003);
    expect(sd).toBeGreaterThan(0.018);
    expect(sd).toBeLessThan(0.022);
    for (const m of [a, b, c]) disposeLlama(m);
    const v = randomLlama(LLAMA, 1, { trainable: true });
    expect(v.weights.layers[0]!.q).toBeInstanceOf(tf.Variable);
    disposeLlama(v);
    expect(tf.memory().numTensors).toBe(before);
  });
});
