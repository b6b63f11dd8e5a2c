// Rebuilds the trained method of a finished LLM-recommender run folder (runRecExperiment's config.json
// and train/best.safetensors; for CoLLM also its TALLRec stage 1; the CF backbone through loadCFRun),
// with the LLM, tokenizer, dataset and the run's sampled valid/test splits, for analyses after training.
// Reference: docs/methods.md §4-6.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend, type BackendChoice } from '../backend/backend';
import { loadParams } from '../core/checkpoint';
import { readJson } from '../core/io';
import { projectPath, projectRoot, resolveModelDir } from '../core/paths';
import type { CFCommonConfig, CFModel, CFSpec } from '../cf/types';
import { collmMethod } from '../collm/method';
import { CORA_DEFAULTS, coraMethod, type CoraMethod } from '../cora/method';
import { loadDataset } from '../data/load';
import { sampleSplit } from '../data/subset';
import type { Dataset, InteractionSplit } from '../data/types';
import { initLora, type Lora } from '../llm/adapters';
import { loadHfModel } from '../llm/hf-load';
import { loadTokenizer, type KitTokenizer } from '../llm/tokenizer';
import { disposeLlama, type LlamaModel } from '../llm/weights';
import { answerTokenId } from '../rec/encode';
import { baseMethod, tallrecMethod, type RecMethod } from '../rec/method';
import { makeRecTrainConfig, type RecTrainConfig } from '../rec/train';
import { loadCFRun, makeRecExperiment, type RecExperimentConfig } from './rec-experiment';

/** Options of loadRecRun. */
export interface LoadRecRunOptions {
  /** Use this dataset instead of loading config.dataset (as runRecExperiment's datasetOverride). */
  readonly datasetOverride?: Dataset;
  /** Use this loaded LLM and its folder (tokenizer) instead of config.llmDir; dispose() leaves it alive. */
  readonly llmOverride?: { model: LlamaModel; dir: string };
  /** Backend to initialise; by default the active one, else config.backend. */
  readonly backend?: BackendChoice;
}

/** A rebuilt run: everything needed to score rows or analyse the trained weights. */
export interface LoadedRecRun {
  readonly config: RecExperimentConfig;
  /** The trained method, parameters loaded from train/best.safetensors (as the run scored). */
  readonly method: RecMethod;
  /** The same object as `method` when it is CoRA (generator, P matrices, backbone), else null. */
  readonly cora: CoraMethod | null;
  /** TALLRec's LoRA, or CoLLM's (stage 1, or trained jointly in T3); null for base and CoRA. */
  readonly lora: Lora | null;
  readonly llm: LlamaModel;
  readonly llmDir: string;
  readonly tokenizer: KitTokenizer;
  /** The CF backbone (CoLLM and CoRA), else null. */
  readonly cf: { readonly spec: CFSpec<CFCommonConfig>; readonly model: CFModel } | null;
  readonly dataset: Dataset;
  /** The run's seeded valid and test samples, in the row order of its scores.json. */
  readonly validSplit: InteractionSplit;
  readonly testSplit: InteractionSplit;
  /** Token id of " Yes" and the padding id the run used. */
  readonly yesId: number;
  readonly padId: number;
  /** The run's resolved training config (evalBatchSize for scoring). */
  readonly trainConfig: RecTrainConfig;
  /** Frees the method, LoRA, CF model and (unless given as llmOverride) the LLM. */
  dispose(): void;
}


function bestOf(dir: string, what: string): string {
  const f = path.join(dir, 'train', 'best.safetensors');
  if (!fs.existsSync(f)) throw new Error(`${dir}: no train/best.safetensors (${what} did not finish training)`);
  return f;
}

/** Rebuilds the trained method of a runRecExperiment folder; the caller disposes the result. */
export async function loadRecRun(runDir: string, opts: LoadRecRunOptions = {}): Promise<LoadedRecRun> {
  const cfgFile = path.join(runDir, 'config.json');
  if (!fs.existsSync(cfgFile)) throw new Error(`${runDir}: no config.json (not a runRecExperiment folder)`);
  const config = makeRecExperiment(readJson<RecExperimentConfig>(cfgFile));
  if (opts.backend || !currentBackend()) await initBackend(opts.backend ?? config.backend);
  const dataset = opts.datasetOverride ?? loadDataset(config.dataset, { dataDir: config.dataDir ?? undefined });
  const llmDir = opts.llmOverride?.dir ?? resolveModelDir(config.llmDir === null ? undefined : projectPath(config.llmDir));
  const llm = opts.llmOverride?.model ?? loadHfModel(llmDir);
  const owned: (() => void)[] = [];
  const disposeAll = () => {
    for (const f of owned.reverse()) f();
    owned.length = 0;
    if (!opts.llmOverride) disposeLlama(llm);
  };
  try {
    const tokenizer = await loadTokenizer(llmDir);
    const yesId = answerTokenId(tokenizer), padId = tokenizer.eosId ?? 0;
    let cf: LoadedRecRun['cf'] = null;
    if (config.method === 'collm' || config.method === 'cora') {
      const c = loadCFRun(config.cf.runDir === null ? path.join(runDir, 'cf') : projectPath(config.cf.runDir), dataset);
      owned.push(() => tf.dispose([...Object.values(c.model.params), ...Object.values(c.model.buffers)]));
      cf = c;
    }
    let method: RecMethod, lora: Lora | null = null, cora: CoraMethod | null = null;
    if (config.method === 'base') method = baseMethod(llm, yesId);
    else if (config.method === 'cora') {
      cora = coraMethod(llm, yesId, cf!, { ...CORA_DEFAULTS, ...config.cora, seed: config.seed });
      method = cora;
    } else {
      const l = initLora(llm, config.lora, config.seed);
      owned.push(() => tf.dispose(Object.values(l.params)));
      lora = l;
      if (config.method === 'tallrec') method = tallrecMethod(llm, yesId, { lora: l });
      else {
        if (config.collm.variant !== 'T3') {
          const stage1 = config.collm.tallrecRunDir === null ? path.join(runDir, 'stage1', 'best.safetensors') : bestOf(projectPath(config.collm.tallrecRunDir), 'the TALLRec run');
          if (!fs.existsSync(stage1)) throw new Error(`${stage1}: CoLLM's stage-1 LoRA is missing`);
          loadParams(stage1, l.params, null);
        }
        method = collmMethod(llm, yesId, cf!, { variant: config.collm.variant, lora: l, seed: config.seed });
      }
    }
    const m = method;
    owned.push(() => m.dispose());
    if (config.method !== 'base') loadParams(bestOf(runDir, `the ${config.method} run`), method.params, null);
    return {
      config, method, cora, lora, llm, llmDir, tokenizer, cf, dataset, yesId, padId,
      validSplit: sampleSplit(dataset.splits.validSmall ?? dataset.splits.valid, config.validRows, config.seed + 1),
      testSplit: sampleSplit(dataset.splits.test, config.testRows, config.seed + 2),
      trainConfig: makeRecTrainConfig({ ...config.train, seed: config.seed }),
      dispose: disposeAll,
    };
  } catch (e) {
    disposeAll();
    throw e;
  }
}
