// Domain-adaptive pretraining: continues pretraining a base LM on domain text (item knowledge, the
// genre-match skill) mixed with a replay of its general corpus (Gutenberg + facts) so that general
// knowledge is kept. Same optimiser and guards as pretraining (AdamW 0.9/0.95, warm-up + cosine, clipping,
// NaN guard), progress with ETA, checkpoints so a killed run resumes; probes before and after.
// Reference: Gururangan et al. 2020 ("Don't stop pretraining"); README.md (Language models).
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { loadParams, saveParams } from '../core/checkpoint';
import { checkInt, checkRange, mergeConfig } from '../core/config';
import { readJson, writeJsonAtomic } from '../core/io';
import { disposeAdamState, initAdamState, type AdamConfig } from '../core/optim';
import { makeRng } from '../core/rng';
import { lrAt, makeWarmupCosine } from '../core/schedule';
import { loadHfModel } from '../llm/hf-load';
import { loadTokenizer, type KitTokenizer } from '../llm/tokenizer';
import type { LlamaModel } from '../llm/weights';
import { splitDocuments, tokenizeToStream, windowsAt, type WeightedStream } from './corpus';
import { allFacts, factsCorpus, type Relation } from './facts';
import { lmTrainStep, trainables } from './pretrain';
import { clozeAccuracy, textPerplexity } from './probes';
import { candidateLoss, encodeCandidateQuestions } from './candidate-loss';
import { encodeQuestions, questionLoss, questionRowsAt } from './question-loss';
import { rankedClozeAccuracy, type RankedClozeResult, type RankedQuestion } from './ranked-cloze';

/** Adaptation settings (data mix, optimiser, budget, probes). */
export interface AdaptConfig {
  /** Optimiser steps in total (the cosine reaches minLr here). */
  readonly steps: number;
  /** Training windows per step (LM loss); default 16; 0 = a question-only phase (needs questionBatch > 0). */
  readonly batchSize: number;
  /** Context length of training windows. */
  readonly seqLen: number;
  /** Learning rate after warm-up; default 1e-3. */
  readonly peakLr: number;
  /** Floor of the cosine decay, reached at `steps`; default 1e-4. */
  readonly minLr: number;
  /** Steps of linear warm-up; default 100. */
  readonly warmupSteps: number;
  /** Decoupled weight decay on 2-D weights. */
  readonly weightDecay: number;
  /** Adam's second-moment decay; 0.95 as in pretraining, 0.999 steadies the noisy gradients of a question-only phase. */
  readonly adamBeta2: number;
  /** Max global gradient norm. */
  readonly clip: number;
  /** Share of windows from the item-knowledge text. */
  readonly itemShare: number;
  /** Share of windows from the genre-match skill text. */
  readonly skillShare: number;
  /** Skill questions per step trained with a supervised answer loss (questionLoss) beside the LM loss; 0 = none. */
  readonly questionBatch: number;
  /**
   * Item cloze questions per step (a title's genre among all genres, its decade among all decades, in the
   * training phrasings) trained with the listwise candidate loss (candidateLoss); 0 = none. They share
   * questionWeight and questionSmoothing with the skill questions.
   */
  readonly itemQuestionBatch: number;
  /** Weight of the question losses in the step's loss (LM loss + weight x question losses). */
  readonly questionWeight: number;
  /** Label smoothing ε of the question loss (0 = none); keeps yes/no logits moderate for later calibration. */
  readonly questionSmoothing: number;
  /** Curriculum: the first this many steps draw their questions from the short set (two-item histories); 0 = none. */
  readonly questionShortSteps: number;
  /** Share of windows from the facts corpus (replay); the rest come from the general corpus (replay). */
  readonly factsShare: number;
  /** Times each fact is written into the facts corpus (the base's pretraining used 20). */
  readonly factsRepeats: number;
  /** Characters of the general corpus's train text tokenised for the replay stream. */
  readonly replayChars: number;
  /** Tokens of held-out text for the perplexity before/after. */
  readonly evalTokens: number;
  /** Facts per relation in the fact probes before/after. */
  readonly probeFacts: number;
  /** Measure the progress probes (AdaptInputs.progressProbes) every this many steps; 0 = only before and after. */
  readonly probeEverySteps: number;
  /** Checkpoint at least every this many seconds. */
  readonly checkpointSeconds: number;
  /** Seed of the facts corpus and the training-window draws; default 0. */
  readonly seed: number;
}

/** Defaults: measured on the synthetic world v2 with models/kit-lm (see results/item-knowledge.json). */
export const ADAPT_DEFAULTS: AdaptConfig = Object.freeze({
  steps: 1500, batchSize: 16, seqLen: 128, peakLr: 1e-3, minLr: 1e-4, warmupSteps: 100, weightDecay: 0.1, adamBeta2: 0.95, clip: 1,
  itemShare: 0.5, skillShare: 0.1, questionBatch: 0, itemQuestionBatch: 0, questionWeight: 1, questionSmoothing: 0, questionShortSteps: 0, factsShare: 0.1, factsRepeats: 20, replayChars: 4_000_000,
  evalTokens: 16_384, probeFacts: 40, probeEverySteps: 0, checkpointSeconds: 300, seed: 0,
});

/** Merges and checks an adaptation config. */
export function makeAdaptConfig(o: Readonly<Partial<AdaptConfig>> = {}): AdaptConfig {
  const w = 'AdaptConfig';
  const c = mergeConfig(w, ADAPT_DEFAULTS, o);
  checkInt(w, 'questionBatch', c.questionBatch, 0);
  checkInt(w, 'itemQuestionBatch', c.itemQuestionBatch, 0);
  checkRange(w, 'questionWeight', c.questionWeight, 0, 1000);
  checkInt(w, 'questionShortSteps', c.questionShortSteps, 0);
  if (c.questionShortSteps > 0 && c.questionBatch === 0) throw new Error(`${w}: questionShortSteps = ${c.questionShortSteps} needs questionBatch > 0`);
  checkInt(w, 'batchSize', c.batchSize, 0);
  if (c.batchSize === 0 && c.questionBatch === 0 && c.itemQuestionBatch === 0) throw new Error(`${w}: batchSize = 0 (no LM windows) needs questionBatch or itemQuestionBatch > 0, or nothing is trained`);
  checkRange(w, 'adamBeta2', c.adamBeta2, 0, 1, true);
  if (c.adamBeta2 >= 1) throw new Error(`${w}: adamBeta2 must be < 1, got ${c.adamBeta2}`);
  checkRange(w, 'questionSmoothing', c.questionSmoothing, 0, 0.99);
  for (const k of ['steps', 'seqLen', 'factsRepeats', 'replayChars', 'evalTokens', 'probeFacts', 'checkpointSeconds'] as const) checkInt(w, k, c[k], 1);
  checkInt(w, 'warmupSteps', c.warmupSteps, 0);
  checkInt(w, 'probeEverySteps', c.probeEverySteps, 0);
  checkInt(w, 'seed', c.seed, 0);
  checkRange(w, 'peakLr', c.peakLr, 0, 1, true);
  checkRange(w, 'minLr', c.minLr, 0, c.peakLr);
  checkRange(w, 'weightDecay', c.weightDecay, 0, 1);
  checkRange(w, 'clip', c.clip, 0, 1e6, true);
  for (const k of ['itemShare', 'skillShare', 'factsShare'] as const) checkRange(w, k, c[k], 0, 1);
  if (c.itemShare + c.skillShare + c.factsShare > 1) throw new Error(`${w}: itemShare + skillShare + factsShare = ${c.itemShare + c.skillShare + c.factsShare} exceeds 1 (the rest is the general-corpus replay)`);
  return Object.freeze(c);
}

/** The domain text and probes an adaptation uses (built by the caller from item metadata only). */
export interface AdaptInputs {
  /** Item-knowledge sentences. */
  readonly itemText: string;
  /** Genre-match skill paragraphs ('' = none). */
  readonly skillText: string;
  /** Yes/no skill questions for the supervised answer loss (needed when questionBatch > 0). */
  readonly questions?: readonly RankedQuestion[];
  /** Item cloze questions for the listwise candidate loss (needed when itemQuestionBatch > 0). */
  readonly itemQuestions?: readonly RankedQuestion[];
  /** The curriculum's short questions (needed when questionShortSteps > 0). */
  readonly questionsShort?: readonly RankedQuestion[];
  /** General corpus: train text (replayed) and held-out text (perplexity). */
  readonly replayText: string;
  readonly heldOutText: string;
  /** Named probe sets measured before and after; `itemGenreHeldIn` is the headline item probe. */
  readonly probes: Readonly<Record<string, readonly RankedQuestion[]>>;
  /** Probe sets measured every cfg.probeEverySteps steps during training (progress long before the end). */
  readonly progressProbes?: Readonly<Record<string, readonly RankedQuestion[]>>;
}

/** What the model knows at one point. */
export interface AdaptEval {
  /** Held-out perplexity of the general corpus (window 128, stride 64). */
  readonly heldOutPpl: number;
  readonly heldOutTokens: number;
  /** Fact probes (held-in phrasing), top-1 over all relations weighted by facts. */
  readonly factTop1: number;
  /** Per probe set. */
  readonly probes: Readonly<Record<string, RankedClozeResult>>;
}

/** Work-folder state (resume point). */
export interface AdaptState {
  step: number;
  tokensSeen: number;
  /** Seconds spent in training steps. */
  seconds: number;
  lastLoss: number;
  before: AdaptEval | null;
  evals: { step: number; loss: number; seconds: number; probes?: Record<string, { top1: number; pairAuc: number | null }> }[];
}

const RELATIONS: Relation[] = ['capital', 'continent', 'language', 'symbol', 'atomicNumber'];

/** Measures held-out perplexity, fact probes and every probe set on a model. */
export async function evaluateKnowledge(m: LlamaModel, tok: KitTokenizer, inputs: Pick<AdaptInputs, 'heldOutText' | 'probes'>, c: Pick<AdaptConfig, 'evalTokens' | 'probeFacts'>): Promise<AdaptEval> {
  const ppl = await textPerplexity(m, tok, inputs.heldOutText, { maxTokens: c.evalTokens, window: 128, stride: 64 });
  const facts = allFacts();
  let hits = 0, n = 0;
  for (const r of RELATIONS) {
    const res = await clozeAccuracy(m, tok, facts, r, 'heldIn', { maxFacts: c.probeFacts });
    hits += res.top1 * res.facts;
    n += res.facts;
  }
  const probes: Record<string, RankedClozeResult> = {};
  for (const [k, qs] of Object.entries(inputs.probes)) probes[k] = await rankedClozeAccuracy(m, tok, qs);
  return { heldOutPpl: ppl.ppl, heldOutTokens: ppl.tokens, factTop1: hits / n, probes };
}

/**
 * Runs (or resumes) adaptation of the model in `baseDir` (read only) in `workDir`: token caches,
 * last.safetensors + state.json (checkpoints), adapt-config.json. Evaluates the base first (stored, so a
 * resume does not repeat it) and stops at cfg.steps or after `maxSeconds` of this call (then resumable).
 */
export async function runAdapt(cfg: AdaptConfig, baseDir: string, workDir: string, inputs: AdaptInputs,
  opts: { maxSeconds?: number; onProgress?: (line: string) => void } = {}): Promise<{ model: LlamaModel; tokenizer: KitTokenizer; state: AdaptState; finished: boolean }> {
  const log = opts.onProgress ?? (() => undefined);
  if (cfg.questionBatch > 0 && !inputs.questions?.length) throw new Error(`runAdapt: questionBatch = ${cfg.questionBatch} but no training questions were given`);
  if (cfg.itemQuestionBatch > 0 && !inputs.itemQuestions?.length) throw new Error(`runAdapt: itemQuestionBatch = ${cfg.itemQuestionBatch} but no item questions were given`);
  if (cfg.questionShortSteps > 0 && !inputs.questionsShort?.length) throw new Error(`runAdapt: questionShortSteps = ${cfg.questionShortSteps} but no short questions were given`);
  fs.mkdirSync(workDir, { recursive: true });
  const cfgFile = path.join(workDir, 'adapt-config.json');
  const saved = { config: cfg, base: path.resolve(baseDir) };
  // a work folder written before a config field existed holds that field's default (which keeps the old behaviour)
  const stored = (): unknown => {
    const s = readJson<{ config?: Partial<AdaptConfig>; base?: string }>(cfgFile);
    return { config: { ...ADAPT_DEFAULTS, ...s.config }, base: s.base };
  };
  if (fs.existsSync(cfgFile) && JSON.stringify(stored()) !== JSON.stringify(saved)) {
    throw new Error(`${cfgFile}: holds a different adaptation (config or base model); use another work folder or delete it to start over`);
  }
  writeJsonAtomic(cfgFile, saved);
  const tok = await loadTokenizer(baseDir);
  const questions = cfg.questionBatch > 0 ? encodeQuestions(tok, inputs.questions!) : null;
  const questionsShort = cfg.questionShortSteps > 0 ? encodeQuestions(tok, inputs.questionsShort!) : null;
  const itemQuestions = cfg.itemQuestionBatch > 0 ? encodeCandidateQuestions(tok, inputs.itemQuestions!) : null;
  const enc = { encode: (t: string) => tok.encode(t), eosId: tok.eosId ?? 0, vocabSize: tok.vocabSize };
  const fp = `base:${fs.statSync(path.join(baseDir, 'tokenizer.json')).size}:${tok.vocabSize}`;
  log('tokenising the domain text and the replay corpus (cached in the work folder)...');
  const facts = factsCorpus(allFacts(), cfg.factsRepeats, makeRng(cfg.seed + 1));
  const replay = inputs.replayText.slice(0, cfg.replayChars);
  const streams: WeightedStream[] = [
    { name: 'items', tokens: tokenizeToStream([inputs.itemText], enc, fp, path.join(workDir, 'items.tok')), weight: cfg.itemShare },
    ...(cfg.skillShare > 0 && inputs.skillText ? [{ name: 'skill', tokens: tokenizeToStream([inputs.skillText], enc, fp, path.join(workDir, 'skill.tok')), weight: cfg.skillShare }] : []),
    ...(cfg.factsShare > 0 ? [{ name: 'facts', tokens: tokenizeToStream([facts], enc, fp, path.join(workDir, 'facts.tok')), weight: cfg.factsShare }] : []),
    { name: 'replay', tokens: tokenizeToStream(splitDocuments(replay), enc, fp, path.join(workDir, 'replay.tok')), weight: 1 - cfg.itemShare - cfg.skillShare - cfg.factsShare },
  ].filter((s) => s.weight > 0);
  log(`streams: ${streams.map((s) => `${s.name} ${s.tokens.length} tokens (${(100 * s.weight).toFixed(0)}%)`).join(', ')}${questions ? `; ${cfg.questionBatch} of ${questions.ids.length} skill questions per step (weight ${cfg.questionWeight})` : ''}${itemQuestions ? `; ${cfg.itemQuestionBatch} of ${itemQuestions.prompts.length} item questions per step` : ''}`);

  const model = loadHfModel(baseDir, { trainable: true });
  const ckpt = path.join(workDir, 'last.safetensors'), stateFile = path.join(workDir, 'state.json');
  let state: AdaptState = { step: 0, tokensSeen: 0, seconds: 0, lastLoss: NaN, before: null, evals: [] };
  const { params, decay } = trainables(model);
  const adam = initAdamState(params);
  try {
    if (fs.existsSync(ckpt) && fs.existsSync(stateFile)) {
      loadParams(ckpt, params, adam);
      state = readJson<AdaptState>(stateFile);
      log(`resuming at step ${state.step} (${state.tokensSeen} tokens seen, ${(state.seconds / 60).toFixed(1)} min so far)`);
    }
    if (!state.before) {
      log('probing the base model (held-out perplexity, fact probes, item probes)...');
      state.before = await evaluateKnowledge(model, tok, inputs, cfg);
      log(`  base: ${describeEval(state.before)}`);
      writeJsonAtomic(stateFile, state);
    }
    const adamCfg: AdamConfig = { lr: cfg.peakLr, beta1: 0.9, beta2: cfg.adamBeta2, eps: 1e-8, weightDecay: cfg.weightDecay, decoupled: true };
    const sched = makeWarmupCosine({ peakLr: cfg.peakLr, warmupSteps: cfg.warmupSteps, totalSteps: cfg.steps, minLr: cfg.minLr, warmupStartLr: 0 });
    const save = (): void => {
      saveParams(ckpt, params, adam, { kind: 'adapt' });
      writeJsonAtomic(stateFile, state);
    };
    const started = Date.now();
    // the speed window: steps and tokens since the last progress line (restarted after probes too)
    let lastSave = Date.now(), windowStart = Date.now(), windowTokens = 0, windowSteps = 0;
    const restartWindow = (): void => { windowStart = Date.now(); windowTokens = 0; windowSteps = 0; };
    while (state.step < cfg.steps) {
      if (opts.maxSeconds !== undefined && (Date.now() - started) / 1000 >= opts.maxSeconds) {
        save();
        log(`time budget of this call reached at step ${state.step}; run the same command again to continue`);
        return { model, tokenizer: tok, state, finished: false };
      }
      const t0 = Date.now();
      const w = windowsAt(streams, cfg.batchSize, cfg.seqLen, cfg.seed, state.step);
      const qs = questionsShort && state.step < cfg.questionShortSteps ? questionsShort : questions;
      const rows = qs ? questionRowsAt(qs.ids.length, cfg.questionBatch, cfg.seed, state.step) : null;
      // item questions draw their rows with another seed than the skill questions
      const itemRows = itemQuestions ? questionRowsAt(itemQuestions.prompts.length, cfg.itemQuestionBatch, cfg.seed + 7919, state.step) : null;
      const extraLoss = (qs && rows) || itemRows ? (): tf.Scalar => tf.tidy(() => {
        const parts: tf.Scalar[] = [];
        if (qs && rows) parts.push(questionLoss(model, qs, rows, cfg.questionSmoothing));
        if (itemQuestions && itemRows) parts.push(candidateLoss(model, itemQuestions, itemRows, cfg.questionSmoothing));
        return tf.mul(tf.addN(parts), cfg.questionWeight) as tf.Scalar;
      }) : undefined;
      const { loss, norm } = await lmTrainStep(model, params, w, cfg.batchSize, cfg.seqLen, { clip: cfg.clip, adam, adamCfg, lr: lrAt(sched, state.step), decay, ...(extraLoss ? { extraLoss } : {}) });
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        throw new Error(`step ${state.step}: non-finite loss ${loss} / gradient norm ${norm}; the last good checkpoint is ${ckpt}; lower peakLr and resume`);
      }
      state.step++;
      state.tokensSeen += cfg.batchSize * cfg.seqLen;
      state.seconds += (Date.now() - t0) / 1000;
      state.lastLoss = loss;
      windowTokens += cfg.batchSize * cfg.seqLen;
      windowSteps++;
      if (state.step % 20 === 0 || state.step === cfg.steps) {
        const secs = (Date.now() - windowStart) / 1000, eta = ((cfg.steps - state.step) * secs) / windowSteps;
        const speed = cfg.batchSize > 0 ? `${(windowTokens / secs).toFixed(0)} tok/s` : `${(windowSteps / secs).toFixed(2)} steps/s`;
        log(`step ${state.step}/${cfg.steps} loss ${loss.toFixed(3)} lr ${lrAt(sched, state.step).toExponential(2)} |g| ${norm.toFixed(2)} ${speed} ETA ${(eta / 60).toFixed(1)} min`);
        state.evals.push({ step: state.step, loss, seconds: state.seconds });
        restartWindow();
      }
      if (cfg.probeEverySteps > 0 && inputs.progressProbes && state.step % cfg.probeEverySteps === 0 && state.step < cfg.steps) {
        const probes: Record<string, { top1: number; pairAuc: number | null }> = {};
        for (const [k, qs] of Object.entries(inputs.progressProbes)) {
          const r = await rankedClozeAccuracy(model, tok, qs);
          probes[k] = { top1: r.top1, pairAuc: r.pairAuc };
        }
        state.evals.push({ step: state.step, loss, seconds: state.seconds, probes });
        log(`  step ${state.step} probes: ${Object.entries(probes).map(([k, r]) => `${k} ${(100 * r.top1).toFixed(1)}%${r.pairAuc === null ? '' : ` AUC ${r.pairAuc.toFixed(3)}`}`).join(', ')}`);
        restartWindow();
      }
      if ((Date.now() - lastSave) / 1000 > cfg.checkpointSeconds) {
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

/** One line: perplexity, facts, every probe set's top-1 vs chance (and its pair AUC for yes/no sets). */
export function describeEval(e: AdaptEval): string {
  const ps = Object.entries(e.probes).map(([k, r]) => `${k} ${(100 * r.top1).toFixed(1)}% (chance ${(100 * r.chance).toFixed(1)}%, n ${r.n}${r.pairAuc === null ? '' : `, AUC ${r.pairAuc.toFixed(3)}`})`);
  return `held-out ppl ${e.heldOutPpl.toFixed(2)}, facts top-1 ${(100 * e.factTop1).toFixed(1)}%, ${ps.join(', ')}`;
}
