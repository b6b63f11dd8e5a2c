// Where the text channel loses the signal, measured before any LoRA: linear readouts (logistic regression
// fitted on sampled train rows, scored on the test split) of two frozen-LLM states,
//   - item: the state at the end of the target item's genre cloze ('The genre of "<title>" is'): what the
//     LLM's reading of the title holds (its words and year, and for an adapted LLM the genres it names
//     from there); compare the genre base rate of genreSignal, the same question asked of the true genres,
//     and the same readout of the unadapted model;
//   - title: the state where the target title ends inside TALLRec's prompt (the item read in context);
//   - prompt: the state at the end of TALLRec's prompt, which TALLRec's "Yes" logit reads; its test AUC is
//     what a linear head on the frozen LLM could reach from the prompt.
// A TALLRec AUC far below the prompt readout means the LoRA does not learn what the LLM holds; a prompt
// readout far below the title readout means the prompt's last position does not carry what the prompt
// holds at the title.
// Reference: Alain & Bengio (2016), linear probes; issue "The text channel".
import { initBackend, type BackendChoice } from '../backend/backend';
import { genreSignal } from './genre-signal';
import { fitLogistic, logisticLogits } from './logistic';
import { llmHash } from '../core/content-hash';
import { noteLogger, type ProgressCallback } from '../core/progress';
import { projectRoot, storedPath } from '../core/paths';
import { makeRng } from '../core/rng';
import { provenanceSummary, startRun } from '../core/run-meta';
import { datasetContentOf } from '../data/dataset-files';
import { ITEM_CLOZE, type ItemTextInfo } from '../data/item-text';
import type { Dataset } from '../data/types';
import { auc } from '../metrics/auc';
import { loadHfModel } from '../llm/hf-load';
import { loadTokenizer } from '../llm/tokenizer';
import { disposeLlama } from '../llm/weights';
import { encodePrompts } from '../rec/encode';
import { promptStates, textStates, titleEndFromEnd } from '../rec/readout';
import { evaluateSplit } from '../runner/evaluate';
import type { ReadoutScore, TextReadoutRecord } from './text-readout-table';

/** What to read out. */
export interface TextReadoutOptions {
  /** LLM folder (Hugging Face format). */
  readonly llmDir: string;
  /** Train rows the readouts are fitted on (a seeded sample; all rows when larger). */
  readonly trainRows: number;
  /** L2 penalty of the logistic readouts (on standardised states). */
  readonly l2: number;
  /** Seed of the train-row sample. */
  readonly seed: number;
  /** Compute backend ('auto' picks tfjs-node, else wasm, else cpu). */
  readonly backend: BackendChoice;
  /** Rows per forward pass. */
  readonly batchSize: number;
  /** Progress lines (what is being read out, each readout's test AUC). */
  readonly onProgress?: ProgressCallback;
}

/** Defaults of the options a caller may leave out. */
export const TEXT_READOUT_DEFAULTS = Object.freeze({ trainRows: 8000, l2: 1, seed: 0, backend: 'auto' as BackendChoice, batchSize: 32 });

/** Checks the options before any work. */
export function checkTextReadoutOptions(o: Pick<TextReadoutOptions, 'trainRows' | 'l2' | 'seed' | 'batchSize'>): void {
  if (!(Number.isInteger(o.trainRows) && o.trainRows >= 10)) throw new Error(`textReadout: trainRows must be an integer >= 10, got ${o.trainRows}`);
  if (!(o.l2 > 0 && Number.isFinite(o.l2))) throw new Error(`textReadout: l2 must be a finite number > 0, got ${o.l2}`);
  if (!(Number.isInteger(o.seed) && o.seed >= 0)) throw new Error(`textReadout: seed must be an integer >= 0, got ${o.seed}`);
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new Error(`textReadout: batchSize must be an integer >= 1, got ${o.batchSize}`);
}

/** Fits readouts of the frozen LLM's item and prompt states on train rows of `dataset` and scores its test rows. */
export async function textReadout(dataset: Dataset, o: TextReadoutOptions): Promise<TextReadoutRecord> {
  checkTextReadoutOptions(o);
  const log = noteLogger(o.onProgress);
  const train = dataset.splits.train, test = dataset.splits.test;
  if (!test) throw new Error(`textReadout: dataset ${dataset.name} has no test split`);
  const rows = makeRng(o.seed).shuffle(Array.from({ length: train.label.length }, (_, i) => i)).slice(0, o.trainRows).sort((a, b) => a - b);
  const testRows = Array.from({ length: test.label.length }, (_, i) => i);
  const backend = await initBackend(o.backend);
  const run = startRun({ seed: o.seed, backend, projectRoot: projectRoot(), llmDir: o.llmDir, dataset: datasetContentOf(dataset) });
  const [llm, tok] = [loadHfModel(o.llmDir), await loadTokenizer(o.llmDir)];
  const padId = tok.eosId ?? 0, d = llm.config.hiddenSize;
  try {
    const y = Float64Array.from(rows, (r) => train.label[r]!);
    const score = (state: ReadoutScore['state'], what: string, xTrain: ArrayLike<number>, xTest: ArrayLike<number>): ReadoutScore => {
      const m = fitLogistic(xTrain, rows.length, d, y, { l2: o.l2 });
      const e = evaluateSplit(dataset, 'test', logisticLogits(m, xTest, testRows.length)), wc = e.warmCold.cora;
      return {
        state, what, trainAuc: auc(y, logisticLogits(m, xTrain, rows.length)), newtonSteps: m.iterations, converged: m.converged,
        test: { auc: e.auc, uauc: e.uauc, warm: { auc: wc.warm.auc, n: wc.warm.n }, cold: { auc: wc.cold.auc, n: wc.cold.n } },
      };
    };
    log(`item states: the genre cloze of ${dataset.items.length} items`);
    const items = await textStates(llm, tok, dataset.items.map((it) => ITEM_CLOZE.genre.heldIn(it as ItemTextInfo)), padId, o.batchSize * 2);
    const gather = (split: typeof train, idx: readonly number[]) => {
      const out = new Float32Array(idx.length * d);
      idx.forEach((r, k) => out.set(items.subarray(split.itemIdx[r]! * d, (split.itemIdx[r]! + 1) * d), k * d));
      return out;
    };
    const itemScore = score('item', 'state after \'The genre of "<target title>" is\'', gather(train, rows), gather(test, testRows));
    log(`  item readout: test AUC ${fmt(itemScore.test.auc)} (cold ${fmt(itemScore.test.cold.auc)})`);
    log(`prompt states: TALLRec prompts of ${rows.length} train and ${testRows.length} test rows`);
    const [encTrain, encTest] = [encodePrompts('tallrec', dataset, train, tok), encodePrompts('tallrec', dataset, test, tok)];
    const titleAt = titleEndFromEnd(encTrain, rows, tok) !== null ? titleEndFromEnd(encTest, testRows, tok) : null;
    if (titleAt === null) log('  (the target title\'s end is not a token boundary with this tokenizer: no title readout)');
    const at = titleAt === null ? [0] : [0, titleAt];
    const pTrain = await promptStates(llm, encTrain, train, rows, padId, o.batchSize, at);
    const pTest = await promptStates(llm, encTest, test, testRows, padId, o.batchSize, at);
    const scores = [itemScore];
    if (titleAt !== null) {
      scores.push(score('title', 'state where the target title ends inside TALLRec\'s prompt', pTrain[1]!, pTest[1]!));
      log(`  title readout: test AUC ${fmt(scores[1]!.test.auc)} (cold ${fmt(scores[1]!.test.cold.auc)})`);
    }
    const promptScore = score('prompt', 'state at the end of TALLRec\'s prompt (what its "Yes" logit reads)', pTrain[0]!, pTest[0]!);
    scores.push(promptScore);
    log(`  prompt readout: test AUC ${fmt(promptScore.test.auc)} (cold ${fmt(promptScore.test.cold.auc)})`);
    const meta = run.finish();
    return {
      dataset: dataset.name, llm: storedPath(o.llmDir), llmHash: llmHash(o.llmDir), trainRows: rows.length, l2: o.l2,
      readouts: scores, genreSignal: genreSignal(dataset),
      meta: { ...provenanceSummary(meta), startedAt: meta.startedAt, seed: o.seed, wallSeconds: meta.wallSeconds },
    };
  } finally {
    disposeLlama(llm);
  }
}

function fmt(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(4);
}

