// Command: the kit's headline comparison on the CoLLM ML-1M split with the default model — MF, TALLRec,
// CoLLM and CoRA on each CF backbone, several seeds, each run resumable and reused when finished —
// written to results/ml1m-table.json and the README's table. Budgets are flags; the defaults are what
// the README table states.
import * as fs from 'fs';
import * as path from 'path';
import { parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { readJson, writeJsonAtomic } from '../core/io';
import { projectRoot, storedPath } from '../core/paths';
import { CF_KINDS } from '../cf/registry';
import type { CFKind } from '../cf/types';
import { loadDataset } from '../data/load';
import { makeCFExperiment, runCFExperiment, type CFRunResult } from '../runner/cf-experiment';
import { formatMl1mTable, maxDelongP, type TableRecord } from '../runner/ml1m-table';
import { makeRecExperiment } from '../runner/rec-config';
import { runRecExperiment, type RecRunResult } from '../runner/rec-experiment';
import { replaceMarkedSection } from '../runner/tables';
import { REC_TRAIN_DEFAULTS } from '../rec/train';
import { intFlag, intListFlag, MAX_SEED, parseFlags, runMain } from './args';

runMain(async () => {
  const f = parseFlags('ml1m-table', 'MF / TALLRec / CoLLM / CoRA on CoLLM ML-1M, several seeds; results/ml1m-table.json and the README table', {
    seeds: { type: 'string', help: 'comma-separated seeds', default: '0,1,2' },
    cf: { type: 'string', help: 'comma-separated CF backbones for CoLLM and CoRA', default: 'mf,lightgcn' },
    epochs: { type: 'int', help: 'max epochs per LLM run (50 iterations of batch 16 each)', default: '4', min: 1 },
    'valid-rows': { type: 'int', help: 'valid_small rows used for model selection', default: '300', min: 0 },
    'test-rows': { type: 'int', help: 'test rows scored, a seeded sample shared by all methods of a seed (0 = all 7,331)', default: '0', min: 0 },
    llm: { type: 'string', help: 'LLM folder (default models/kit-lm)' },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu' },
  });
  const root = projectRoot(), runs = path.join(root, 'results', 'runs');
  const seeds = intListFlag(f, 'seeds', { min: 0, max: MAX_SEED });
  const cfs = String(f['cf']).split(',').map((s) => s.trim()) as CFKind[];
  for (const c of cfs) if (!(CF_KINDS as readonly string[]).includes(c)) throw new Error(`--cf: unknown model "${c}"`);
  const backend = parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), '--backend');
  const say = (l: string) => process.stdout.write(l + '\n');
  const ds = loadDataset('collm-ml1m');
  const budget = { train: { maxEpochs: intFlag(f, 'epochs')!, itersPerEpoch: 50, patience: 5 }, validRows: intFlag(f, 'valid-rows')!, testRows: intFlag(f, 'test-rows')!, llmDir: (f['llm'] as string | undefined) ?? null, backend };
  // Wall time of every distinct run behind the table (CF backbones included), for the stated total.
  const wallOfRun = new Map<string, number>();
  const cfRun = async (model: CFKind, seed: number): Promise<{ dir: string; result: CFRunResult }> => {
    const dir = path.join(runs, `collm-ml1m-${model}-s${seed}`);
    const done = path.join(dir, 'result.json');
    const result = fs.existsSync(done) ? readJson<CFRunResult>(done)
      : await runCFExperiment(makeCFExperiment({ dataset: 'collm-ml1m', model, seed, backend }), { outDir: dir, datasetOverride: ds, onProgress: (l) => { if (/best epoch/.test(l)) say(l); } });
    wallOfRun.set(dir, result.meta.wallSeconds);
    return { dir, result };
  };
  const recRun = async (name: string, cfg: Parameters<typeof makeRecExperiment>[0]): Promise<RecRunResult> => {
    const dir = path.join(runs, `collm-ml1m-${name}`);
    const done = path.join(dir, 'result.json');
    const finished = fs.existsSync(done);
    if (!finished) say(`== ${name} ==`);
    const result = finished ? readJson<RecRunResult>(done)
      : await runRecExperiment(makeRecExperiment({ dataset: 'collm-ml1m', ...budget, ...cfg }), { outDir: dir, datasetOverride: ds, onProgress: say });
    wallOfRun.set(dir, result.meta.wallSeconds);
    return result;
  };
  const records: TableRecord[] = [];
  const labelOfRow = new Map<number, number>();
  ds.splits.test.rowId.forEach((id, i) => labelOfRow.set(id, ds.splits.test.label[i]!));
  const scoresOf = (name: string): { rowId: number[]; logit: Float32Array } => {
    const t = readJson<{ test: { rowId: number[]; logit: number[] } }>(path.join(runs, `collm-ml1m-${name}`, 'scores.json')).test;
    return { rowId: t.rowId, logit: Float32Array.from(t.logit) };
  };
  // DeLong needs both methods' scores on the same rows: within a seed every method scores the same sample
  const pair = (a: string, b: string) => {
    const x = scoresOf(a), y = scoresOf(b);
    if (x.rowId.length !== y.rowId.length || x.rowId.some((id, i) => id !== y.rowId[i])) throw new Error(`${a} and ${b} were scored on different test rows; delete one run folder and rerun`);
    return { labels: x.rowId.map((id) => labelOfRow.get(id)!), a: x.logit, b: y.logit };
  };
  const pairs: Record<string, { labels: number[]; a: Float32Array; b: Float32Array }[]> = {};
  const rec = (r: RecRunResult | CFRunResult, method: string, cf: string | null, params: number): TableRecord => ({
    method, cf, seed: r.seed, trainableParameters: params, wallSeconds: r.meta.wallSeconds,
    scoringSamplesPerSecond: 'scoringSamplesPerSecond' in r ? r.scoringSamplesPerSecond : null,
    test: { auc: r.test.auc, uauc: r.test.uauc, warmAuc: r.test.warmCold.cora.warm.auc, coldAuc: r.test.warmCold.cora.cold.auc, uaucUsers: r.test.uaucUsers },
  });
  for (const seed of seeds) {
    const mf = await cfRun('mf', seed);
    records.push(rec(mf.result, 'mf', null, (ds.nUsers + ds.nItems) * mf.result.resolved.model.dEmb));
    const base = await recRun(`base-s${seed}`, { method: 'base', seed });
    records.push(rec(base, 'base', null, 0));
    const tallrec = await recRun(`tallrec-s${seed}`, { method: 'tallrec', seed });
    records.push(rec(tallrec, 'tallrec', null, tallrec.trainableParameters));
    for (const cf of cfs) {
      const c = await cfRun(cf, seed);
      const collm = await recRun(`collm-${cf}-s${seed}`, { method: 'collm', seed, cf: { model: cf, runDir: storedPath(c.dir) }, stage1RunDir: storedPath(path.join(runs, `collm-ml1m-tallrec-s${seed}`)) });
      const cora = await recRun(`cora-${cf}-s${seed}`, { method: 'cora', seed, cf: { model: cf, runDir: storedPath(c.dir) } });
      records.push(rec(collm, 'collm', cf, collm.trainableParameters), rec(cora, 'cora', cf, cora.trainableParameters));
      writeJsonAtomic(path.join(root, 'results', 'ml1m-table.json'), records);
      (pairs[`CoRA-${cf} vs CoLLM-${cf}`] ??= []).push(pair(`cora-${cf}-s${seed}`, `collm-${cf}-s${seed}`));
      (pairs[`CoLLM-${cf} vs TALLRec`] ??= []).push(pair(`collm-${cf}-s${seed}`, `tallrec-s${seed}`));
    }
  }
  const p = Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, maxDelongP(v)]));
  const table = formatMl1mTable(records, p);
  const note = `Generated by \`npm run ml1m-table\` from results/ml1m-table.json on ${new Date().toISOString().slice(0, 10)} with ${budget.llmDir ?? 'models/kit-lm'}; ` +
    `budget per LLM run: ≤ ${budget.train.maxEpochs} epochs x 50 iterations (batch 16), model selection on ${budget.validRows} valid_small rows; ` +
    `test on ${budget.testRows === 0 ? 'all 7,331 rows' : `a seeded sample of ${budget.testRows} rows per seed`}; ± = 95% t-interval over seeds; warm/cold = not_cold; ` +
    `scoring samples/s = test-set scoring throughput of each method on the same rows (batch ${REC_TRAIN_DEFAULTS.evalBatchSize}, one process; wall s includes training); ` +
    `the whole table took ${(Array.from(wallOfRun.values()).reduce((a, b) => a + b, 0) / 60).toFixed(0)} min of run wall time (${wallOfRun.size} runs, CF backbones included) on a 2-core CPU.`;
  const readme = path.join(root, 'README.md');
  fs.writeFileSync(readme, replaceMarkedSection(fs.readFileSync(readme, 'utf8'), 'ml1m-table', `${table}\n\n${note}`));
  say('\n' + table);
});
