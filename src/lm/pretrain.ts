// Pretraining a LLaMA-family model from scratch on a text corpus plus the facts corpus: BPE tokenizer,
// token streams, AdamW with warm-up + cosine, clipping by global norm, NaN guard, progress (tokens/s,
// loss, ETA), periodic held-out loss, and checkpoints every few minutes so a killed run resumes.
// Reference: nanoGPT train.py; Hoffmann et al. 2022 (tokens per parameter).
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { loadParams, saveParams } from '../core/checkpoint';
import { clipByGlobalNorm } from '../core/clip';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import { readJson, writeJsonAtomic } from '../core/io';
import { projectRoot } from '../core/paths';
import { namedGrads } from '../core/grads';
import { adamStep, disposeAdamState, initAdamState, type AdamConfig, type AdamState } from '../core/optim';
import { makeRng } from '../core/rng';
import { lrAt, makeWarmupCosine } from '../core/schedule';
import { makeLlamaConfig, type LlamaConfig } from '../llm/config';
import { randomLlama } from '../llm/init';
import { decoderHidden, headMatrix } from '../llm/model';
import { project, type AdapterHook } from '../llm/layers';
import { loadTokenizer, type KitTokenizer } from '../llm/tokenizer';
import { weightsToHfTensors, type LlamaModel } from '../llm/weights';
import { bpeToTokenizerJson, countWords, trainBpe } from './bpe';
import { readCorpusText, splitDocuments, tokenizeToStream, windowsAt, type WeightedStream } from './corpus';
import { allFacts, factsCorpus } from './facts';
import { crossEntropy } from './loss';

/** Pretraining settings (sizes, data mix, optimiser, budget). */
export interface PretrainConfig {
  /** Folder with train.txt.gz and valid.txt.gz (documents separated by <|endoftext|> lines); relative paths are from the project root (required). */
  readonly corpusDir: string;
  /** BPE vocabulary size; default 8192 (the shipped model's). */
  readonly vocabSize: number;
  /** Characters of the train text used to learn the BPE merges; default 20,000,000. */
  readonly bpeTrainChars: number;
  /** Model width (hiddenSize of the decoder); default 128. */
  readonly dModel: number;
  /** Decoder layers; default 4. */
  readonly nLayers: number;
  /** Query heads (divide dModel); default 4. */
  readonly nHeads: number;
  /** Key/value heads for grouped-query attention (divide nHeads); default 4. */
  readonly nKvHeads: number;
  /** SwiGLU inner width; default 384. */
  readonly ffn: number;
  /** Context length of training windows, in tokens; default 128. */
  readonly seqLen: number;
  /** Training windows per step; default 16. */
  readonly batchSize: number;
  /** Optimiser steps in total (the cosine reaches minLr here); default 5400. */
  readonly steps: number;
  /** Learning rate after warm-up; default 2e-3. */
  readonly peakLr: number;
  /** Floor of the cosine decay, reached at `steps`; default 2e-4. */
  readonly minLr: number;
  /** Steps of linear warm-up; default 200. */
  readonly warmupSteps: number;
  /** Decoupled weight decay on 2-D weights; default 0.1. */
  readonly weightDecay: number;
  /** Max global gradient norm; default 1. */
  readonly clip: number;
  /** Times each fact is written into the facts corpus; default 20. */
  readonly factsRepeats: number;
  /** Share of training windows drawn from the facts stream, in [0, 1]; default 0.1. */
  readonly factsShare: number;
  /** Held-out loss every this many steps; default 250. */
  readonly evalEvery: number;
  /** Tokens of valid text used for the periodic held-out loss; default 32,768. */
  readonly evalTokens: number;
  /** Checkpoint at least every this many seconds; default 300. */
  readonly checkpointSeconds: number;
  /** Seed of the initialisation, the facts corpus and the training-window draws; default 0. */
  readonly seed: number;
}

/** Defaults: the shipped model's recipe (see models/<name>/README.md for why). */
export const PRETRAIN_DEFAULTS: PretrainConfig = Object.freeze({
  corpusDir: '', vocabSize: 8192, bpeTrainChars: 20_000_000,
  dModel: 128, nLayers: 4, nHeads: 4, nKvHeads: 4, ffn: 384, seqLen: 128, batchSize: 16,
  steps: 5400, peakLr: 2e-3, minLr: 2e-4, warmupSteps: 200, weightDecay: 0.1, clip: 1,
  factsRepeats: 20, factsShare: 0.1, evalEvery: 250, evalTokens: 32_768, checkpointSeconds: 300, seed: 0,
});

/** Merges and checks a pretraining config. */
export function makePretrainConfig(o: Partial<PretrainConfig>): PretrainConfig {
  const c = mergeConfig('PretrainConfig', PRETRAIN_DEFAULTS, o);
  const w = 'PretrainConfig';
  for (const k of ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'nKvHeads', 'ffn', 'seqLen', 'batchSize', 'steps', 'evalEvery', 'evalTokens', 'factsRepeats'] as const) checkInt(w, k, c[k], 1);
  checkInt(w, 'warmupSteps', c.warmupSteps, 0);
  checkRange(w, 'factsShare', c.factsShare, 0, 1);
  checkRange(w, 'peakLr', c.peakLr, 0, 1, true);
  if (c.dModel % c.nHeads !== 0) throw new Error(`${w}: dModel ${c.dModel} must be divisible by nHeads ${c.nHeads}`);
  if (!c.corpusDir) throw new Error(`${w}: corpusDir is required`);
  return Object.freeze(c);
}

/** The decoder config a pretraining config implies (tied embeddings; bos = eos = <|endoftext|> = 0). */
export function pretrainModelConfig(c: PretrainConfig): LlamaConfig {
  return makeLlamaConfig({
    vocabSize: c.vocabSize, hiddenSize: c.dModel, intermediateSize: c.ffn, numHiddenLayers: c.nLayers, numAttentionHeads: c.nHeads,
    numKeyValueHeads: c.nKvHeads, maxPositionEmbeddings: Math.max(512, c.seqLen), tieWordEmbeddings: true, rmsNormEps: 1e-5,
    bosTokenId: 0, eosTokenId: 0,
  });
}

/** Trains (or reuses) the BPE tokenizer in `dir`. @returns the loaded tokenizer */
export async function ensureTokenizer(dir: string, trainText: string, factsText: string, c: PretrainConfig, log: (s: string) => void): Promise<KitTokenizer> {
  if (!fs.existsSync(path.join(dir, 'tokenizer.json'))) {
    const t0 = Date.now();
    const counts = new Map<string, number>();
    countWords(trainText.slice(0, c.bpeTrainChars), counts);
    countWords(factsText, counts);
    const bpe = trainBpe(counts, { vocabSize: c.vocabSize, specialTokens: ['<|endoftext|>', '<unk>', '<pad>'], minWordCount: 2 });
    fs.mkdirSync(dir, { recursive: true });
    writeJsonAtomic(path.join(dir, 'tokenizer.json'), bpeToTokenizerJson(bpe));
    writeJsonAtomic(path.join(dir, 'tokenizer_config.json'), {
      tokenizer_class: 'GPT2Tokenizer', bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<unk>', pad_token: '<pad>',
      add_bos_token: false, add_prefix_space: false, clean_up_tokenization_spaces: false, model_max_length: 1024,
    });
    log(`tokenizer: byte-level BPE with ${bpe.vocab.size} tokens learned in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  return loadTokenizer(dir);
}

/**
 * One clipped AdamW step on the window loss of a batch of windows [batch * (seqLen + 1)], plus `extraLoss`
 * when given (e.g. a supervised question loss); applies no update when the loss or the gradient norm is not
 * finite (the caller stops). @returns the (total) loss and the pre-clip gradient norm
 */
export async function lmTrainStep(
  m: LlamaModel, params: Readonly<Record<string, tf.Variable>>, windows: Int32Array, batch: number, seqLen: number,
  opt: { readonly clip: number; readonly adam: AdamState; readonly adamCfg: AdamConfig; readonly lr: number; readonly decay: Readonly<Record<string, boolean>>; readonly extraLoss?: () => tf.Scalar },
): Promise<{ loss: number; norm: number }> {
  const extra = opt.extraLoss;
  if (batch === 0 && !extra) throw new Error('lmTrainStep: batch 0 needs an extraLoss (nothing to train on)');
  const f = (): tf.Scalar => {
    if (batch === 0) return extra!();
    const lm = windowLoss(m, windows, batch, seqLen);
    return extra ? tf.add(lm, extra()) as tf.Scalar : lm;
  };
  const { value, grads } = namedGrads(f, params);
  const loss = (await value.data())[0]!;
  value.dispose();
  const clipped = clipByGlobalNorm(grads, opt.clip);
  tf.dispose(Object.values(grads));
  try {
    if (Number.isFinite(loss) && Number.isFinite(clipped.norm)) adamStep(params, clipped.grads, opt.adam, opt.adamCfg, opt.lr, opt.decay);
  } finally {
    tf.dispose(Object.values(clipped.grads));
  }
  return { loss, norm: clipped.norm };
}

/** Names -> variables of a trainable model, and the weight-decay mask (no decay on 1-D tensors). */
export function trainables(m: LlamaModel): { params: Record<string, tf.Variable>; decay: Record<string, boolean> } {
  const params: Record<string, tf.Variable> = {}, decay: Record<string, boolean> = {};
  for (const [k, t] of weightsToHfTensors(m)) {
    if (!(t instanceof tf.Variable)) throw new Error(`weight "${k}" is not trainable (load the model with { trainable: true })`);
    params[k] = t;
    decay[k] = t.rank > 1;
  }
  return { params, decay };
}

/** Mean next-token loss of windows [B, T+1], optionally with adapters. @returns scalar float32 */
export function windowLoss(m: LlamaModel, windows: Int32Array, batch: number, seqLen: number, adapter?: AdapterHook): tf.Scalar {
  return tf.tidy(() => {
    const all = tf.tensor2d(windows, [batch, seqLen + 1], 'int32');
    const ids = tf.slice(all, [0, 0], [batch, seqLen]) as tf.Tensor2D;
    const targets = tf.reshape(tf.slice(all, [0, 1], [batch, seqLen]), [batch * seqLen]) as tf.Tensor1D;
    const h = tf.reshape(decoderHidden(m, adapter ? { ids, adapter } : { ids }), [batch * seqLen, m.config.hiddenSize]) as tf.Tensor2D;
    return crossEntropy(project(h, headMatrix(m)), targets);
  });
}

/** Mean loss over consecutive non-overlapping windows of a stream prefix. */
export async function heldOutLoss(m: LlamaModel, stream: Uint16Array | Int32Array, seqLen: number, maxTokens: number, batch = 8): Promise<number> {
  const n = Math.floor(Math.min(stream.length - 1, maxTokens) / seqLen);
  let sum = 0, count = 0;
  for (let s = 0; s < n; s += batch) {
    const b = Math.min(batch, n - s), w = new Int32Array(b * (seqLen + 1));
    for (let r = 0; r < b; r++) for (let t = 0; t <= seqLen; t++) w[r * (seqLen + 1) + t] = stream[(s + r) * seqLen + t]!;
    const l = windowLoss(m, w, b, seqLen);
    sum += (await l.data())[0]! * b;
    count += b;
    l.dispose();
  }
  return sum / count;
}

/** What pretraining leaves in its work folder. */
export interface PretrainState {
  step: number;
  tokensSeen: number;
  seconds: number;
  lastLoss: number;
  evals: { step: number; tokensSeen: number; validLoss: number }[];
}

/**
 * Runs (or resumes) pretraining in workDir: tokenizer/, token caches, last.safetensors + state.json
 * (checkpoints), config.json. Stops at cfg.steps or after `maxSeconds` of this call (then resumable).
 */
export async function runPretrain(cfg: PretrainConfig, workDir: string, opts: { maxSeconds?: number; onProgress?: (line: string) => void; onCheckpoint?: () => void } = {}): Promise<{ model: LlamaModel; tokenizer: KitTokenizer; state: PretrainState; finished: boolean }> {
  const log = opts.onProgress ?? (() => undefined);
  fs.mkdirSync(workDir, { recursive: true });
  const cfgFile = path.join(workDir, 'pretrain-config.json');
  if (fs.existsSync(cfgFile) && JSON.stringify(readJson(cfgFile)) !== JSON.stringify(cfg)) {
    throw new Error(`${cfgFile}: holds a different pretraining config; use another work folder or delete it to start over`);
  }
  writeJsonAtomic(cfgFile, cfg);
  const corpusDir = path.resolve(projectRoot(), cfg.corpusDir);
  const trainText = readCorpusText(path.join(corpusDir, 'train.txt.gz'));
  const validText = readCorpusText(path.join(corpusDir, 'valid.txt.gz'));
  const facts = factsCorpus(allFacts(), cfg.factsRepeats, makeRng(cfg.seed + 1));
  const tok = await ensureTokenizer(path.join(workDir, 'tokenizer'), trainText, facts, cfg, log);
  const enc = { encode: (t: string) => tok.encode(t), eosId: tok.eosId ?? 0, vocabSize: tok.vocabSize };
  const fp = `bpe${tok.vocabSize}:${fs.statSync(path.join(workDir, 'tokenizer', 'tokenizer.json')).size}`;
  log('tokenising the corpus (cached after the first run)...');
  const train = tokenizeToStream(splitDocuments(trainText), enc, fp, path.join(workDir, 'train.tok'), (d, n) => { if (d % 50 === 0) log(`  train documents ${d}/${n}`); });
  const valid = tokenizeToStream(splitDocuments(validText), enc, fp, path.join(workDir, 'valid.tok'));
  const factsStream = tokenizeToStream([facts], enc, fp, path.join(workDir, 'facts.tok'));
  log(`streams: train ${train.length} tokens, valid ${valid.length}, facts ${factsStream.length}`);
  const streams: WeightedStream[] = [
    { name: 'gutenberg', tokens: train, weight: 1 - cfg.factsShare },
    ...(cfg.factsShare > 0 ? [{ name: 'facts', tokens: factsStream, weight: cfg.factsShare }] : []),
  ];

  const model = randomLlama(pretrainModelConfig(cfg), cfg.seed, { trainable: true, scaledResiduals: true });
  const { params, decay } = trainables(model);
  const adamCfg: AdamConfig = { lr: cfg.peakLr, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: cfg.weightDecay, decoupled: true };
  const adam = initAdamState(params);
  const ckpt = path.join(workDir, 'last.safetensors'), stateFile = path.join(workDir, 'state.json');
  let state: PretrainState = { step: 0, tokensSeen: 0, seconds: 0, lastLoss: NaN, evals: [] };
  if (fs.existsSync(ckpt) && fs.existsSync(stateFile)) {
    loadParams(ckpt, params, adam);
    state = readJson<PretrainState>(stateFile);
    log(`resuming at step ${state.step} (${state.tokensSeen} tokens seen, ${(state.seconds / 60).toFixed(1)} min so far)`);
  }
  const nParams = Object.values(params).reduce((a, p) => a + p.size, 0);
  log(`model: ${nParams} parameters (${cfg.nLayers} layers, d=${cfg.dModel}, ${cfg.nHeads} heads, ffn ${cfg.ffn}, vocab ${cfg.vocabSize}); ${cfg.steps} steps of ${cfg.batchSize}x${cfg.seqLen} tokens`);
  const sched = makeWarmupCosine({ peakLr: cfg.peakLr, warmupSteps: cfg.warmupSteps, totalSteps: cfg.steps, minLr: cfg.minLr, warmupStartLr: 0 });
  const save = (): void => {
    saveParams(ckpt, params, adam, { kind: 'pretrain' });
    writeJsonAtomic(stateFile, state);
    opts.onCheckpoint?.(); // e.g. the run's provenance keeps this process's wall time
  };
  const started = Date.now();
  let lastSave = Date.now(), windowStart = Date.now(), windowTokens = 0;
  try {
    while (state.step < cfg.steps) {
      if (opts.maxSeconds !== undefined && (Date.now() - started) / 1000 > opts.maxSeconds) {
        save();
        log(`time budget of this call reached at step ${state.step}; run the same command again to continue`);
        return { model, tokenizer: tok, state, finished: false };
      }
      const t0 = Date.now();
      const w = windowsAt(streams, cfg.batchSize, cfg.seqLen, cfg.seed, state.step);
      const { loss, norm } = await lmTrainStep(model, params, w, cfg.batchSize, cfg.seqLen, { clip: cfg.clip, adam, adamCfg, lr: lrAt(sched, state.step), decay });
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        throw new Error(`step ${state.step}: non-finite loss ${loss} / gradient norm ${norm}; the last good checkpoint is ${ckpt} (step of state.json); lower peakLr and resume`);
      }
      state.step++;
      state.tokensSeen += cfg.batchSize * cfg.seqLen;
      state.seconds += (Date.now() - t0) / 1000;
      state.lastLoss = loss;
      windowTokens += cfg.batchSize * cfg.seqLen;
      if (state.step % 20 === 0 || state.step === cfg.steps) {
        const tps = windowTokens / ((Date.now() - windowStart) / 1000);
        const eta = (cfg.steps - state.step) * cfg.batchSize * cfg.seqLen / tps;
        log(`step ${state.step}/${cfg.steps} loss ${loss.toFixed(3)} lr ${lrAt(sched, state.step).toExponential(2)} |g| ${norm.toFixed(2)} ${tps.toFixed(0)} tok/s ETA ${(eta / 60).toFixed(1)} min`);
        windowStart = Date.now();
        windowTokens = 0;
      }
      if (state.step % cfg.evalEvery === 0 || state.step === cfg.steps) {
        const vl = await heldOutLoss(model, valid, cfg.seqLen, cfg.evalTokens);
        state.evals.push({ step: state.step, tokensSeen: state.tokensSeen, validLoss: vl });
        log(`  held-out loss ${vl.toFixed(3)} (ppl ${Math.exp(vl).toFixed(1)}) at step ${state.step}`);
      }
      if ((Date.now() - lastSave) / 1000 > cfg.checkpointSeconds || state.step === cfg.steps) {
        save();
        lastSave = Date.now();
      }
    }
    save();
    return { model, tokenizer: tok, state, finished: true };
  } finally {
    disposeAdamState(adam);
  }
}
