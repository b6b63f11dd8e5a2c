// The notebook suite: scale parsing, run folders and names, the experiments each scale builds, reuse of
// finished runs (and refusal of a folder holding another experiment), and — where the ML-1M table's runs
// exist — that `paper` scale reuses them instead of training again.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/core/paths';
import { byScale, parseScale } from '../../src/runner/scale';
import { sameExperiment } from '../../src/runner/cf-experiment';
import { ML1M_TABLE, ml1mPlan, plannedRunDir, runStem } from '../../src/runner/ml1m-plan';
import { SUITE_BUDGETS, suiteCF, suiteCFExperiment, suiteRec, suiteRecExperiment, suiteRunDir, suiteRunName } from '../../src/runner/suite';
import { rankAblationExtra } from '../../src/analysis/rank-ablation';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-suite-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('scale', () => {
  it('parses the three scales, falls back when unset and names the source of a bad value', () => {
    expect(parseScale(undefined)).toBe('default');
    expect(parseScale('', 'smoke')).toBe('smoke');
    expect(parseScale('paper')).toBe('paper');
    expect(() => parseScale('huge')).toThrow(/\$CFLLM_SCALE: "huge" is not a scale; use one of smoke, default, paper/);
    expect(byScale('smoke', { smoke: 1, default: 2, paper: 3 })).toBe(1);
  });
});

describe('suite run folders and experiments', () => {
  it('names runs method[-cf][-tag]-s<seed> and places them by scale', () => {
    expect(suiteRunName('cora', 'mf', 2, 'r4')).toBe('cora-mf-r4-s2');
    expect(suiteRunDir('default', 'tallrec-s0', { runsRoot: tmp })).toBe(path.join(tmp, 'default', 'synthetic-tallrec-s0'));
    expect(suiteRunDir('paper', 'cora-mf-s1')).toBe(path.join(projectRoot(), 'results', 'runs', 'collm-ml1m-cora-mf-s1'));
    expect(() => suiteRunDir('smoke', '../x')).toThrow(/bad run name/);
  });

  it('gives CoLLM the scale\'s CF and TALLRec runs as relative paths and applies the budget', () => {
    const e = suiteRecExperiment('default', 'collm', 'lightgcn', 1, {}, { runsRoot: path.join(projectRoot(), 'results', 'notebooks') });
    expect(e.cf).toEqual({ model: 'lightgcn', runDir: path.join('results', 'notebooks', 'default', 'synthetic-lightgcn-s1') });
    expect(e.stage1RunDir).toBe(path.join('results', 'notebooks', 'default', 'synthetic-tallrec-s1'));
    expect(e.train).toEqual(SUITE_BUDGETS.default.recTrain);
    expect(e.testRows).toBe(SUITE_BUDGETS.default.testRows);
    expect(() => suiteRecExperiment('smoke', 'cora', null, 0)).toThrow(/cora needs a CF backbone/);
    expect(() => suiteRecExperiment('smoke', 'tallrec', 'mf', 0)).toThrow(/takes no CF backbone/);
    expect(() => suiteRecExperiment('smoke', 'cora', 'mf', 0, { config: { options: { rank: 2 } } })).toThrow(/needs a tag/);
    expect(suiteRecExperiment('smoke', 'cora', 'mf', 0, { config: { options: { rank: 2 } }, tag: 'r2' }).options).toMatchObject({ rank: 2, alpha: 4 });
  });
});

describe('paper scale is the ML-1M table', () => {
  const plan = ml1mPlan({
    seeds: [1], llmDir: ML1M_TABLE.llmDir, plainLlmDir: ML1M_TABLE.plainLlmDir, backbones: ['mf', 'lightgcn', 'sasrec'], cfRows: ['content', 'mf', 'lightgcn', 'sasrec', 'din'],
    coraPreset: ML1M_TABLE.coraPreset, train: ML1M_TABLE.train, validRows: ML1M_TABLE.validRows, testRows: ML1M_TABLE.testRows, backend: 'auto', lora: ML1M_TABLE.lora, dataDir: null,
  });
  const planned = (stem: string) => plan.find((r) => runStem(r.name) === stem)!;

  it('builds, for every CF and LLM-on-the-adapted-model run of the table, the same experiment in the same folder', () => {
    const llm = plan.filter((r) => r.kind === 'rec' && !runStem(r.name).endsWith('-plain'));
    expect(llm.map((r) => runStem(r.name)).sort()).toEqual(['base', 'binllm-hash-mf', 'collm-lightgcn', 'collm-mf', 'collm-sasrec', 'cora-lightgcn', 'cora-mf', 'cora-sasrec', 'tallrec']);
    for (const r of llm) {
      const [method, cf] = runStem(r.name).split(/-(.+)/) as [string, string | undefined];
      const e = suiteRecExperiment('paper', method, (cf ?? null) as never, 1);
      expect(sameExperiment(e, r.rec), r.name).toBe(true);
      expect(suiteRunDir('paper', suiteRunName(method, (cf ?? null) as never, 1))).toBe(plannedRunDir(r.name));
    }
    for (const r of plan.filter((x) => x.kind === 'cf')) {
      expect(sameExperiment(suiteCFExperiment('paper', r.cf!.model, 1), r.cf), r.name).toBe(true);
    }
    expect(planned('tallrec').rec!.options).toMatchObject({ lora: { r: 16, targets: ML1M_TABLE.lora.targets } });
    expect(planned('collm-mf').rec!.llmDir).toBe(ML1M_TABLE.llmDir);
  });

  it('varies the rank of the table\'s LoRA (its seven projections) in the rank ablation, and CoRA\'s rank over the kit preset', () => {
    expect(rankAblationExtra('paper', 'tallrec', 4, 0).config!.options).toEqual({ lora: { ...ML1M_TABLE.lora, r: 4, alpha: 8 } });
    expect(rankAblationExtra('smoke', 'tallrec', 4, 0).config!.options).toMatchObject({ lora: { r: 4, targets: ['q_proj', 'v_proj'] } });
    expect(suiteRecExperiment('paper', 'cora', 'mf', 0, rankAblationExtra('paper', 'cora', 4, 0)).options).toMatchObject({ preset: 'kit', rank: 4 });
  });

  it('refuses to train when the table\'s LLM is missing, naming the script that makes it', async () => {
    const prev = process.cwd();
    await expect(suiteRec('paper', 'tallrec', null, 0, { extra: { config: { llmDir: path.join('no', 'such-model') }, tag: 'x' } }))
      .rejects.toThrow(/the LLM no.such-model of paper scale is missing/);
    expect(process.cwd()).toBe(prev);
  });
});

describe('reuse of finished runs', () => {
  it('trains a CF run once, then returns the finished result without training', async () => {
    const lines: string[] = [];
    const first = await suiteCF('smoke', 'mf', 0, { runsRoot: tmp, backend: 'wasm', onProgress: (l) => lines.push(l) });
    expect(first.result.training.epochsRun).toBeGreaterThan(0);
    expect(lines.some((l) => /epoch 0/.test(l))).toBe(true);
    const again: string[] = [];
    const second = await suiteCF('smoke', 'mf', 0, { runsRoot: tmp, backend: 'wasm', onProgress: (l) => again.push(l) });
    expect(second.result.meta.wallSeconds).toBe(first.result.meta.wallSeconds);
    expect(again).toEqual([`mf seed 0: reusing the finished run in ${path.join(tmp, 'smoke', 'synthetic-mf-s0')}`]);
  }, 60_000);

  it('refuses a folder whose finished run is another experiment', async () => {
    const exp = suiteRecExperiment('smoke', 'tallrec', null, 5, {}, { runsRoot: tmp });
    const dir = suiteRunDir('smoke', 'tallrec-s5', { runsRoot: tmp });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ config: { ...exp, testRows: 7 } }));
    await expect(suiteRec('smoke', 'tallrec', null, 5, { runsRoot: tmp })).rejects.toThrow(/a finished run of a different experiment .*delete/);
  });

  const tableRun = path.join(projectRoot(), 'results', 'runs', 'collm-ml1m-collm-mf-s0', 'result.json');
  it.skipIf(!fs.existsSync(tableRun))('paper scale reuses the ML-1M table\'s finished CoLLM run (needs results/runs from npm run ml1m-table)', async () => {
    const r = await suiteRec('paper', 'collm', 'mf', 0);
    expect(r.result.meta.wallSeconds).toBe(JSON.parse(fs.readFileSync(tableRun, 'utf8')).meta.wallSeconds);
  });
});
