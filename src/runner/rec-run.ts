// The one path from an LLM-recommender experiment to a built method, shared by training
// (runRecExperiment) and loading (loadRecRun): check every input before work, open the dataset, LLM
// and tokenizer, get the CF backbone, build the method through its registry spec with its stage 1
// (trained, or loaded from the run folder or a finished run), and score the run's valid/test rows.
// Reference: docs/architecture.md §6 (adding an LLM method); docs/methods.md §5-7.
import * as fs from 'fs';
import * as path from 'path';
import { loadParams } from '../core/checkpoint';
import { readJson } from '../core/io';
import { llmHash } from '../core/content-hash';
import { projectPath, resolveModelDir, storedPath } from '../core/paths';
import { makeRng } from '../core/rng';
import { disposeBackbone, type CfBackbone } from '../cf/backbone';
import { loadCFCheckpoint } from '../cf/checkpoint';
import { cfSpec } from '../cf/registry';
import type { CFCommonConfig, CFKind } from '../cf/types';
import { loadDataset } from '../data/load';
import type { Dataset, InteractionSplit } from '../data/types';
import { loadHfModel, readHfConfig } from '../llm/hf-load';
import { loadTokenizer, type KitTokenizer } from '../llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../llm/weights';
import { answerTokenId, encodePrompts, type EncodedPrompts } from '../rec/encode';
import type { MethodShapes, RecMethod, RecMethodSpec } from '../rec/method';
import { scoreRows, trainRecMethod, type RecTrainConfig, type RecTrainResult } from '../rec/train';
import { makeCFExperiment, type CFExperimentConfig } from './cf-experiment';
import { recMethodSpec } from './methods';
import { makeRecExperiment, recRunSplits, recTrainConfig, type RecExperimentConfig } from './rec-config';

/** Where a run's inputs come from, all checked before any work. */
export interface RecInputs {
  readonly spec: RecMethodSpec;
  /** The LLM folder, resolved. */
  readonly llmDir: string;
  readonly shapes: MethodShapes;
  /** A finished CF run to load (resolved), or null: trained in <run>/cf (cf set) or none. */
  readonly cfRunDir: string | null;
  /** The CF experiment trained in <run>/cf when the config names no CF run. */
  readonly cfInline: CFExperimentConfig | null;
  /** The stage-1 method and options, and where its trained parameters are (a finished run's train/best.safetensors), or null. */
  readonly stage1: { readonly spec: RecMethodSpec; readonly options: Readonly<Record<string, unknown>>; readonly bestFile: string | null } | null;
}

function finishedRunConfig<T>(dir: string, what: string, flag: string): T {
  const cfg = path.join(dir, 'config.json'), res = path.join(dir, 'result.json');
  if (!fs.existsSync(dir)) throw new Error(`${flag} ${dir}: no such folder (${what})`);
  if (!fs.existsSync(cfg)) throw new Error(`${flag} ${dir}: no config.json, not a run folder (${what})`);
  if (!fs.existsSync(res)) throw new Error(`${flag} ${dir}: the run has not finished (no result.json); finish it first (run its command again to resume) or leave ${flag} out to train ${what} inside this run`);
  return readJson<T>(cfg);
}

const sameDir = (a: string | null, b: string | null): boolean => (a === null || b === null ? a === b : projectPath(a) === projectPath(b));

/** The CF run a config names, checked: finished, the same model kind, dataset and data folder. @returns its representation width */
function checkCFRun(exp: RecExperimentConfig, dir: string): number {
  const saved = finishedRunConfig<{ experiment?: CFExperimentConfig; model?: CFCommonConfig }>(dir, 'the CF backbone', '--cf-run');
  const e = saved.experiment, m = saved.model;
  if (!e || !m) throw new Error(`--cf-run ${dir}: config.json is not a CF run's (no experiment/model fields)`);
  if (e.model !== exp.cf!.model) throw new Error(`--cf-run ${dir}: holds a ${e.model} model, but --cf is ${exp.cf!.model}; pass --cf ${e.model} or a ${exp.cf!.model} run`);
  if (e.dataset !== exp.dataset || !sameDir(e.dataDir, exp.dataDir)) throw new Error(`--cf-run ${dir}: trained on ${e.dataset}${e.dataDir ? ` (${e.dataDir})` : ''}, this run is on ${exp.dataset}${exp.dataDir ? ` (${exp.dataDir})` : ''}`);
  return m.dEmb;
}

/** The finished stage-1 run a config names, checked: finished, the planned method and options, same dataset and LLM. */
function checkStage1Run(exp: RecExperimentConfig, dir: string, plan: { method: string; options: Readonly<Record<string, unknown>> }, llmDir: string): string {
  const saved = finishedRunConfig<Partial<RecExperimentConfig>>(dir, `the ${plan.method} stage 1`, '--stage1-run');
  if (typeof saved.method !== 'string') throw new Error(`--stage1-run ${dir}: not an LLM-recommender run (its config.json names no method); ${exp.method} starts from a ${plan.method} run`);
  if (saved.method !== plan.method) throw new Error(`--stage1-run ${dir}: is a ${saved.method} run; ${exp.method} starts from a ${plan.method} run`);
  if (saved.dataset !== exp.dataset || !sameDir(saved.dataDir ?? null, exp.dataDir)) throw new Error(`--stage1-run ${dir}: trained on ${String(saved.dataset)}, this run is on ${exp.dataset}`);
  const theirLlm = resolveModelDir(saved.llmDir == null ? undefined : projectPath(saved.llmDir));
  if (path.resolve(theirLlm) !== path.resolve(llmDir)) throw new Error(`--stage1-run ${dir}: trained on the LLM in ${theirLlm}, this run uses ${llmDir}`);
  if (JSON.stringify(saved.options) !== JSON.stringify(plan.options)) throw new Error(`--stage1-run ${dir}: its options ${JSON.stringify(saved.options)} differ from the stage 1 this run needs ${JSON.stringify(plan.options)}`);
  const best = path.join(dir, 'train', 'best.safetensors');
  if (!fs.existsSync(best)) throw new Error(`--stage1-run ${dir}: no train/best.safetensors`);
  return best;
}

/**
 * Checks everything a run needs without loading weights or data: the method and options, the LLM
 * folder and the options against its shapes, a named CF run (finished, same kind and dataset) or the
 * CF experiment to train, a named stage-1 run (finished, same method, options, dataset and LLM).
 */
export function checkRecInputs(exp: RecExperimentConfig): RecInputs {
  const spec = recMethodSpec(exp.method);
  const llmDir = resolveModelDir(exp.llmDir === null ? undefined : projectPath(exp.llmDir));
  const llmCfg = readHfConfig(llmDir);
  let cfRunDir: string | null = null, cfInline: CFExperimentConfig | null = null, dCf: number | null = null;
  if (exp.cf) {
    if (exp.cf.runDir !== null) {
      cfRunDir = projectPath(exp.cf.runDir);
      dCf = checkCFRun(exp, cfRunDir);
    } else {
      cfInline = makeCFExperiment({ dataset: exp.dataset, dataDir: exp.dataDir, model: exp.cf.model, seed: exp.seed, backend: exp.backend });
      dCf = cfSpec(exp.cf.model).makeConfig(cfInline.modelOptions as Partial<CFCommonConfig>, { nUsers: 1, nItems: 1 }).dEmb;
    }
  }
  const shapes: MethodShapes = { dModel: llmCfg.hiddenSize, nLayers: llmCfg.numHiddenLayers, dCf };
  spec.checkShapes(exp.options, shapes);
  const plan = spec.stage1(exp.options);
  let stage1: RecInputs['stage1'] = null;
  if (plan) {
    const s1 = recMethodSpec(plan.method);
    if (s1.stage1(s1.makeOptions(plan.options, exp.cf?.model ?? null))) throw new Error(`${exp.method}: its stage 1 (${plan.method}) has a stage 1 of its own; nested stages are not supported`);
    const options = s1.makeOptions(plan.options, exp.cf?.model ?? null) as Readonly<Record<string, unknown>>;
    s1.checkShapes(options, shapes);
    const bestFile = exp.stage1RunDir === null ? null : checkStage1Run(exp, projectPath(exp.stage1RunDir), { method: plan.method, options }, llmDir);
    stage1 = { spec: s1, options, bestFile };
  }
  return { spec, llmDir, shapes, cfRunDir, cfInline, stage1 };
}

/** Loads a finished CF run (config.json + best.safetensors) for a dataset, checking its size and kind. */
export function loadCFRun(dir: string, ds: Dataset, kind?: CFKind): CfBackbone {
  const cfgFile = path.join(dir, 'config.json'), best = path.join(dir, 'best.safetensors');
  if (!fs.existsSync(cfgFile) || !fs.existsSync(best)) throw new Error(`${dir}: not a finished CF run (needs config.json and best.safetensors)`);
  const saved = readJson<{ experiment: { model: CFKind }; model: CFCommonConfig }>(cfgFile);
  if (kind && saved.experiment.model !== kind) throw new Error(`${dir}: holds a ${saved.experiment.model} model, not ${kind}`);
  if (saved.model.nUsers !== ds.nUsers || saved.model.nItems !== ds.nItems) throw new Error(`${dir}: trained for ${saved.model.nUsers} users / ${saved.model.nItems} items, the dataset has ${ds.nUsers} / ${ds.nItems}`);
  const spec = cfSpec(saved.experiment.model);
  const model = spec.init(spec.makeConfig(saved.model, { nUsers: ds.nUsers, nItems: ds.nItems }), makeRng(0), ds.splits.train);
  try {
    loadCFCheckpoint(best, model, null);
  } catch (e) {
    disposeBackbone({ spec, model });
    throw e;
  }
  return { spec, model };
}

/** An opened run: data, LLM, tokenizer and the run's row samples. */
export interface RecOpened {
  readonly dataset: Dataset;
  readonly llm: LlamaModel;
  readonly tokenizer: KitTokenizer;
  readonly yesId: number;
  readonly padId: number;
  readonly validSplit: InteractionSplit;
  readonly testSplit: InteractionSplit;
  readonly trainConfig: RecTrainConfig;
}

function checkTwoClasses(split: InteractionSplit, what: string): void {
  let pos = 0;
  for (const y of split.label) pos += y;
  const n = split.label.length;
  if (n === 0) throw new Error(`${what}: no rows; AUC needs rows of both labels`);
  if (pos === 0 || pos === n) throw new Error(`${what}: all ${n} rows have label ${pos === 0 ? 0 : 1}; AUC is undefined (use more rows or another split)`);
}

/** Opens the dataset (or the override), the LLM (or the override) and its tokenizer, and draws the row samples; checks both have two classes. */
export async function openRecRun(exp: RecExperimentConfig, inputs: RecInputs, opts: { datasetOverride?: Dataset; llmOverride?: { model: LlamaModel; dir: string } } = {}): Promise<RecOpened & { ownsLlm: boolean }> {
  const dataset = opts.datasetOverride ?? loadDataset(exp.dataset, { dataDir: exp.dataDir ?? undefined });
  const { valid, test } = recRunSplits(dataset, exp);
  checkTwoClasses(valid, `${exp.dataset} validation rows of this run (${exp.validRows ? `sample of ${exp.validRows}` : 'all'})`);
  checkTwoClasses(test, `${exp.dataset} test rows of this run (${exp.testRows ? `sample of ${exp.testRows}` : 'all'})`);
  const tokenizer = await loadTokenizer(opts.llmOverride?.dir ?? inputs.llmDir);
  const llm = opts.llmOverride?.model ?? loadHfModel(inputs.llmDir);
  if (tokenizer.vocabSize > llm.config.vocabSize) {
    if (!opts.llmOverride) disposeLlama(llm);
    throw new Error(`${tokenizer.dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model has ${llm.config.vocabSize} embedding rows; use the tokenizer saved with the model`);
  }
  return { dataset, llm, tokenizer, yesId: answerTokenId(tokenizer), padId: tokenizer.eosId ?? 0, validSplit: valid, testSplit: test, trainConfig: recTrainConfig(exp), ownsLlm: !opts.llmOverride };
}

/** How buildRecMethod gets trained parameters: train them (resuming from the run folder) or load them from it. */
export type BuildMode =
  | { readonly kind: 'train'; readonly resume: boolean; readonly log: (line: string) => void; readonly onProgress?: Parameters<typeof trainRecMethod>[0]['onProgress'] }
  | { readonly kind: 'load' };

/** A built method, its CF backbone and stage 1, and what training recorded; dispose frees what was built here. */
export interface BuiltRec {
  readonly method: RecMethod;
  readonly cf: CfBackbone | null;
  readonly stage1: RecMethod | null;
  /** The method's training outcome (train mode, methods that train), else null. */
  readonly training: RecTrainResult | null;
  /** The stage-1 training outcome when it was trained in this run folder. */
  readonly stage1Training: RecTrainResult | null;
  dispose(): void;
}

/** Encodes a split's prompts as a method writes them (its kind, and its codes for BinLLM), once per (kind, split). */
function encoder(opened: RecOpened): (m: Pick<RecMethod, 'promptKind' | 'promptCodes'>, split: InteractionSplit) => EncodedPrompts {
  const cache = new Map<string, EncodedPrompts>();
  return (m, split) => {
    const key = `${m.promptKind}:${split.name}:${split.label.length}:${split.rowId[0] ?? -1}`;
    let e = cache.get(key);
    if (!e) cache.set(key, (e = encodePrompts(m.promptKind, opened.dataset, split, opened.tokenizer, undefined, m.promptCodes)));
    return e;
  };
}

/**
 * Builds the run's method: the CF backbone (a finished run, or <run>/cf trained by `trainCF` in train
 * mode), its stage 1 (from a finished run, or <run>/stage1 trained here or loaded), the method itself,
 * then trains it into <run>/train (train mode) or loads <run>/train/best.safetensors (load mode).
 */
export async function buildRecMethod(
  exp: RecExperimentConfig, inputs: RecInputs, opened: RecOpened, runDir: string, mode: BuildMode,
  trainCF: (cfExp: CFExperimentConfig, dir: string) => Promise<void>,
): Promise<BuiltRec> {
  const owned: (() => void)[] = [];
  const disposeAll = () => { for (const f of owned.splice(0).reverse()) f(); };
  try {
    let cf: CfBackbone | null = null;
    if (exp.cf) {
      let dir = inputs.cfRunDir;
      if (!dir) {
        dir = path.join(runDir, 'cf');
        if (mode.kind === 'train') await trainCF(inputs.cfInline!, dir);
      }
      const c = loadCFRun(dir, opened.dataset, exp.cf.model);
      owned.push(() => disposeBackbone(c));
      cf = c;
    }
    const enc = encoder(opened);
    const train = async (m: RecMethod, dir: string): Promise<RecTrainResult> => {
      if (mode.kind !== 'train') throw new Error('buildRecMethod: training in load mode');
      mode.log(`${m.name}: encoding prompts`);
      return trainRecMethod({
        method: m, train: { split: opened.dataset.splits.train, enc: enc(m, opened.dataset.splits.train) },
        valid: { split: opened.validSplit, enc: enc(m, opened.validSplit) }, padId: opened.padId, config: opened.trainConfig,
        outDir: dir, resume: mode.resume, ...(mode.onProgress ? { onProgress: mode.onProgress } : {}),
        llm: { config: opened.llm.config, name: path.basename(inputs.llmDir) },
      });
    };
    const ctx = { llm: opened.llm, yesId: opened.yesId, seed: exp.seed, train: opened.dataset.splits.train, cf };
    let stage1: RecMethod | null = null, stage1Training: RecTrainResult | null = null;
    if (inputs.stage1) {
      const s = inputs.stage1.spec.build({ ...ctx, stage1: null }, inputs.stage1.options);
      owned.push(() => s.dispose());
      stage1 = s;
      const inRun = path.join(runDir, 'stage1');
      if (inputs.stage1.bestFile) loadParams(inputs.stage1.bestFile, s.params, null);
      else if (mode.kind === 'train') stage1Training = await train(s, inRun);
      else {
        const f = path.join(inRun, 'best.safetensors');
        if (!fs.existsSync(f)) throw new Error(`${runDir}: no stage1/best.safetensors (its ${s.name} stage 1 did not finish)`);
        loadParams(f, s.params, null);
      }
    }
    const method = inputs.spec.build({ ...ctx, stage1 }, exp.options);
    owned.push(() => method.dispose());
    let training: RecTrainResult | null = null;
    if (inputs.spec.trains) {
      if (mode.kind === 'train') training = await train(method, path.join(runDir, 'train'));
      else {
        const f = path.join(runDir, 'train', 'best.safetensors');
        if (!fs.existsSync(f)) throw new Error(`${runDir}: no train/best.safetensors (the ${method.name} run did not finish training)`);
        loadParams(f, method.params, null);
      }
    }
    return { method, cf, stage1, training, stage1Training, dispose: disposeAll };
  } catch (e) {
    disposeAll();
    throw e;
  }
}

/** Raw "Yes" logits of the run's valid and test rows, and the test scoring throughput. */
export async function scoreRecSplits(built: Pick<BuiltRec, 'method'>, opened: RecOpened): Promise<{ valid: Float32Array; test: Float32Array; testSamplesPerSecond: number }> {
  const enc = encoder(opened), m = built.method;
  const valid = await scoreRows(m, enc(m, opened.validSplit), opened.validSplit, opened.padId, opened.trainConfig.evalBatchSize);
  const encTest = enc(m, opened.testSplit);
  const t0 = performance.now();
  const test = await scoreRows(m, encTest, opened.testSplit, opened.padId, opened.trainConfig.evalBatchSize);
  return { valid, test, testSamplesPerSecond: opened.testSplit.label.length / ((performance.now() - t0) / 1000) };
}

/**
 * Throws when a finished run was made with other LLM weights than those now in its LLM folder (its config
 * names the folder, e.g. the default model, not the weights): reusing it would mix two models in one table.
 */
export function checkSameLlm(result: { readonly meta?: { readonly llmHash?: string | null } }, llmDir: string, runDir: string): void {
  const then = result.meta?.llmHash;
  if (!then) return;
  const now = llmHash(llmDir);
  if (now !== then) throw new Error(`${runDir}: finished with other weights in ${storedPath(llmDir)} (LLM hash ${then.slice(0, 12)}, now ${now.slice(0, 12)}); start it over (train-rec --fresh; library: resume: false) or use another run folder`);
}

/** Reads and validates a run folder's config.json. */
export function readRecRunConfig(runDir: string): RecExperimentConfig {
  const f = path.join(runDir, 'config.json');
  if (!fs.existsSync(f)) throw new Error(`${runDir}: no config.json (not an LLM-recommender run folder)`);
  return makeRecExperiment(readJson<RecExperimentConfig>(f));
}

/** Frees an opened run's LLM when it loaded it. */
export function closeRecRun(opened: RecOpened & { ownsLlm: boolean }): void {
  if (opened.ownsLlm) disposeLlama(opened.llm);
}
