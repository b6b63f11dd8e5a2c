// The ML-1M table's plan: run names and rows, dependencies (CoLLM and BinLLM wait for their CF run and TALLRec
// stage; CoRA for its CF run only), the knowledge-ablation rows, worker shares, and choosing part of the
// plan with --runs (unknown names and unmet dependencies refused before any work), and run folders that hold
// another experiment than the plan's (another LLM), which the table neither counts nor resumes.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/core/paths';
import { checkNoOtherExperiments, ml1mPlan, plannedRunDir, plannedRunStatus, runStem, selectRuns, workerShare, type Ml1mPlanOptions, type PlannedRun } from '../../src/runner/ml1m-plan';

const kitLm = path.join(projectRoot(), 'models', 'kit-lm');
const options = (o: Partial<Ml1mPlanOptions> = {}): Ml1mPlanOptions => ({
  seeds: [0, 1], llmDir: kitLm, plainLlmDir: kitLm, backbones: ['mf', 'sasrec'], cfRows: ['content', 'mf'], coraPreset: 'kit',
  train: { maxEpochs: 2, itersPerEpoch: 3, patience: 1, warmupSteps: 0 }, validRows: 10, testRows: 10, backend: 'cpu', dataDir: null, lora: null, ...o,
});
const byName = (plan: readonly PlannedRun[], name: string): PlannedRun => {
  const r = plan.find((x) => x.name === name);
  if (!r) throw new Error(`${name} not in plan`);
  return r;
};

describe('ml1mPlan', () => {
  const plan = ml1mPlan(options());

  it('names every run collm-ml1m-<stem>-s<seed>, once, with its row', () => {
    expect(new Set(plan.map((r) => r.name)).size).toBe(plan.length);
    const stems = [...new Set(plan.map((r) => runStem(r.name)))];
    expect(stems).toEqual(expect.arrayContaining(['content', 'mf', 'sasrec', 'hash-mf', 'base', 'tallrec', 'collm-mf', 'collm-sasrec', 'cora-mf', 'cora-sasrec',
      'binllm-hash-mf', 'tallrec-plain', 'collm-mf-plain', 'cora-mf-plain']));
    expect(stems).not.toContain('collm-sasrec-plain');
    expect(plan.filter((r) => r.seed === 1)).toHaveLength(plan.length / 2);
    expect(byName(plan, 'collm-ml1m-cora-sasrec-s1').row).toBe('CoRA-SASRec');
    expect(byName(plan, 'collm-ml1m-tallrec-plain-s0').row).toBe('TALLRec (plain LLM)');
  });

  it('makes CoLLM and BinLLM wait for their CF run and TALLRec stage, CoRA for its CF run, and lists dependencies first', () => {
    expect(byName(plan, 'collm-ml1m-collm-sasrec-s0').dependsOn).toEqual(['collm-ml1m-sasrec-s0', 'collm-ml1m-tallrec-s0']);
    expect(byName(plan, 'collm-ml1m-collm-mf-plain-s1').dependsOn).toEqual(['collm-ml1m-mf-s1', 'collm-ml1m-tallrec-plain-s1']);
    expect(byName(plan, 'collm-ml1m-cora-mf-s0').dependsOn).toEqual(['collm-ml1m-mf-s0']);
    expect(byName(plan, 'collm-ml1m-binllm-hash-mf-s0').dependsOn).toEqual(['collm-ml1m-hash-mf-s0', 'collm-ml1m-tallrec-s0']);
    const at = new Map(plan.map((r, i) => [r.name, i]));
    for (const r of plan) for (const d of r.dependsOn) expect(at.get(d)!).toBeLessThan(at.get(r.name)!);
    expect(byName(plan, 'collm-ml1m-collm-mf-s0').rec!.stage1RunDir).toBe(path.join('results', 'runs', 'collm-ml1m-tallrec-s0'));
  });

  it('gives TALLRec and the methods that start from it one LoRA (TALLRec\'s own by default), never CoRA', () => {
    const lora = (p: readonly PlannedRun[], name: string) => (byName(p, name).rec!.options as { lora?: { r: number; targets: string[] } }).lora;
    expect(lora(plan, 'collm-ml1m-tallrec-s0')).toMatchObject({ r: 8, targets: ['q_proj', 'v_proj'] });
    const all7 = { r: 16, alpha: 32, dropout: 0.05, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const };
    const wide = ml1mPlan(options({ lora: all7 }));
    for (const n of ['collm-ml1m-tallrec-s0', 'collm-ml1m-tallrec-plain-s1', 'collm-ml1m-collm-sasrec-s0', 'collm-ml1m-binllm-hash-mf-s1']) expect(lora(wide, n), n).toEqual(all7);
    expect(lora(wide, 'collm-ml1m-cora-mf-s0')).toBeUndefined();
    expect(byName(wide, 'collm-ml1m-cora-mf-s0').rec).toEqual(byName(plan, 'collm-ml1m-cora-mf-s0').rec);
  });

  it('leaves out the ablation rows without a plain LLM', () => {
    expect(ml1mPlan(options({ plainLlmDir: null })).some((r) => r.name.includes('-plain-'))).toBe(false);
  });
});

describe('parts of the plan', () => {
  const plan = ml1mPlan(options());
  const none = () => false;

  it('splits the plan round-robin into disjoint worker shares that cover it', () => {
    const a = workerShare(plan, 0, 2), b = workerShare(plan, 1, 2);
    expect(a.length + b.length).toBe(plan.length);
    expect(a.filter((r) => b.includes(r))).toEqual([]);
    expect(() => workerShare(plan, 2, 2)).toThrow(/worker 2 of 2 is not a valid share/);
  });

  it('selects runs by stem over every seed', () => {
    const picked = selectRuns(plan, ['tallrec', 'tallrec-plain'], none);
    expect(picked.map((r) => r.name)).toEqual(['collm-ml1m-tallrec-s0', 'collm-ml1m-tallrec-plain-s0', 'collm-ml1m-tallrec-s1', 'collm-ml1m-tallrec-plain-s1']);
  });

  it('refuses an unknown stem, naming the known ones', () => {
    expect(() => selectRuns(plan, ['tallrec', 'colm-mf'], none)).toThrow(/--runs: "colm-mf" is not a run of the plan; known: content, mf/);
    expect(() => runStem('ml1m-tallrec-s0')).toThrow(/not a table run name/);
  });

  it('refuses a run whose dependency is neither selected nor finished, and accepts it once the dependency is finished', () => {
    expect(() => selectRuns(plan, ['collm-mf'], none)).toThrow(/collm-ml1m-collm-mf-s0 needs collm-ml1m-mf-s0, which is neither selected nor finished; add "mf"/);
    expect(selectRuns(plan, ['collm-mf', 'mf', 'tallrec'], none)).toHaveLength(6);
    const finished = (r: PlannedRun) => ['mf', 'tallrec'].includes(runStem(r.name));
    expect(selectRuns(plan, ['collm-mf'], finished).map((r) => r.name)).toEqual(['collm-ml1m-collm-mf-s0', 'collm-ml1m-collm-mf-s1']);
  });
});

describe('run folder status', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-plan-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const plan = ml1mPlan(options());
  const write = (name: string, file: string, body: unknown) => {
    fs.mkdirSync(plannedRunDir(name, root), { recursive: true });
    fs.writeFileSync(path.join(plannedRunDir(name, root), file), JSON.stringify(body));
  };

  it('reads todo, started and finished runs of the planned experiment, CF and LLM alike', () => {
    const tallrec = byName(plan, 'collm-ml1m-tallrec-s0'), mf = byName(plan, 'collm-ml1m-mf-s0');
    expect(plannedRunStatus(tallrec, root)).toEqual({ state: 'todo', wallSeconds: null });
    write(tallrec.name, 'config.json', tallrec.rec);
    write(mf.name, 'config.json', { experiment: mf.cf });
    expect(plannedRunStatus(tallrec, root).state).toBe('started');
    expect(plannedRunStatus(mf, root).state).toBe('started');
    write(tallrec.name, 'result.json', { config: tallrec.rec, meta: { wallSeconds: 61 } });
    write(mf.name, 'result.json', { config: mf.cf, meta: { wallSeconds: 7 } });
    expect(plannedRunStatus(tallrec, root)).toEqual({ state: 'finished', wallSeconds: 61 });
    expect(plannedRunStatus(mf, root)).toEqual({ state: 'finished', wallSeconds: 7 });
    expect(() => checkNoOtherExperiments(plan, root)).not.toThrow();
  });

  it('marks a folder run with another LLM or budget as other, and refuses to count or resume it', () => {
    const base = byName(plan, 'collm-ml1m-base-s0'), cora = byName(plan, 'collm-ml1m-cora-mf-s1');
    write(base.name, 'result.json', { config: { ...base.rec, llmDir: 'checkpoints/models/another-lm' }, meta: { wallSeconds: 5 } });
    write(cora.name, 'config.json', { ...cora.rec, train: { ...cora.rec!.train, maxEpochs: 99 } });
    expect(plannedRunStatus(base, root)).toEqual({ state: 'other', wallSeconds: null });
    expect(plannedRunStatus(cora, root).state).toBe('other');
    expect(() => checkNoOtherExperiments(plan, root)).toThrow(/2 run folder\(s\) hold a different experiment than the plan's .*collm-ml1m-base-s0.*collm-ml1m-cora-mf-s1.*move them away/);
    expect(() => checkNoOtherExperiments([byName(plan, 'collm-ml1m-tallrec-s0')], root)).not.toThrow();
  });
});
