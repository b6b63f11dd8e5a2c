// Rebuilds the trained method of a finished LLM-recommender run folder through the same path training
// used (src/runner/rec-run.ts): the config, CF backbone, stage 1 and the method's best checkpoint, with
// the LLM, tokenizer, dataset and the run's sampled valid/test splits, for analyses after training.
// Reference: docs/methods.md §4-6; docs/architecture.md §9 (runner).
import { currentBackend, initBackend } from '../backend/backend';
import type { BackendChoice } from '../core/types';
import type { CfBackbone } from '../cf/backbone';
import { isCoraMethod, type CoraMethod } from '../cora/method';
import type { Dataset, InteractionSplit } from '../data/types';
import type { Lora } from '../llm/lora';
import type { KitTokenizer } from '../llm/tokenizer';
import type { LlamaModel } from '../llm/weights';
import type { RecMethod } from '../rec/method';
import type { RecTrainConfig } from '../rec/train';
import type { RecExperimentConfig } from './rec-config';
import { buildRecMethod, checkRecInputs, closeRecRun, openRecRun, readRecRunConfig } from './rec-run';

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
  /** The LoRA the method applies (TALLRec's, CoLLM's stage 1 or T3), else null. */
  readonly lora: Lora | null;
  /** The trained stage 1 the method started from (e.g. CoLLM's TALLRec), else null. */
  readonly stage1: RecMethod | null;
  readonly llm: LlamaModel;
  readonly llmDir: string;
  readonly tokenizer: KitTokenizer;
  /** The CF backbone (CoLLM and CoRA), else null. */
  readonly cf: CfBackbone | null;
  readonly dataset: Dataset;
  /** The run's seeded valid and test samples, in the row order of its scores.json. */
  readonly validSplit: InteractionSplit;
  readonly testSplit: InteractionSplit;
  /** Token id of " Yes" and the padding id the run used. */
  readonly yesId: number;
  readonly padId: number;
  /** The run's resolved training config (evalBatchSize for scoring). */
  readonly trainConfig: RecTrainConfig;
  /** Frees the method, stage 1, CF model and (unless given as llmOverride) the LLM. */
  dispose(): void;
}

/** Rebuilds the trained method of a runRecExperiment folder; the caller disposes the result. */
export async function loadRecRun(runDir: string, opts: LoadRecRunOptions = {}): Promise<LoadedRecRun> {
  const config = readRecRunConfig(runDir);
  const inputs = checkRecInputs(config);
  if (opts.backend || !currentBackend()) await initBackend(opts.backend ?? config.backend);
  const opened = await openRecRun(config, inputs, opts);
  try {
    const built = await buildRecMethod(config, inputs, opened, runDir, { kind: 'load' }, async () => {
      throw new Error(`${runDir}: its CF backbone folder cf/ is missing or unfinished`);
    });
    const m = built.method;
    return {
      config, method: m, cora: isCoraMethod(m) ? m : null, lora: m.lora ?? null, stage1: built.stage1,
      llm: opened.llm, llmDir: opts.llmOverride?.dir ?? inputs.llmDir, tokenizer: opened.tokenizer, cf: built.cf, dataset: opened.dataset,
      validSplit: opened.validSplit, testSplit: opened.testSplit, yesId: opened.yesId, padId: opened.padId, trainConfig: opened.trainConfig,
      dispose: () => { built.dispose(); closeRecRun(opened); },
    };
  } catch (e) {
    closeRecRun(opened);
    throw e;
  }
}
