// The ML-1M table's plan: run names and rows, dependencies (CoLLM and BinLLM wait for their CF run and TALLRec
// stage; CoRA for its CF run only), the knowledge-ablation rows, which run a process sharing the plan takes
// next (dependencies, other processes' claims, the time budget), and choosing part of the
// plan with --runs (unknown names and unmet dependencies refused before any work), and run folders that hold
// another experiment than the plan's (another LLM), which the table neither counts nor resumes.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/core/paths';
import { checkNoOtherExperiments, ml1mPlan, plannedRunDir, plannedRunStatus, nextStep, runStem, selectRuns, type Ml1mPlanOptions, type PlannedRun, type RunState } from '../../src/runner/ml1m-plan';

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

  const state = (finished: readonly string[], held: readonly string[] = [], fits: (r: PlannedRun) => boolean = () => true): RunState => ({
    finished: (r) => finished.includes(r.name), heldByOther: (r) => held.includes(r.name), fits,
  });
  const next = (s: RunState, runs: readonly PlannedRun[] = plan) => {
    const n = nextStep(plan, runs, s);
    return n.kind === 'run' ? n.run.name : n.kind;
  };

  it('takes the first run in plan order that no other process holds and whose dependencies have finished', () => {
    expect(next(state([]))).toBe('collm-ml1m-content-s0');
    expect(next(state(['collm-ml1m-content-s0'], ['collm-ml1m-mf-s0']))).toBe('collm-ml1m-sasrec-s0');
    // CoLLM-MF needs MF and TALLRec: while another process holds TALLRec, this one takes a run that can start
    const seed0 = plan.filter((r) => r.seed === 0).map((r) => r.name);
    const before = (name: string) => seed0.slice(0, seed0.indexOf(name));
    expect(next(state(before('collm-ml1m-tallrec-s0'), ['collm-ml1m-tallrec-s0']))).toBe('collm-ml1m-cora-mf-s0');
    const cfOfSeed1 = plan.filter((r) => r.seed === 1 && r.kind === 'cf').map((r) => r.name);
    // seed 0 done but for TALLRec (held by the other process, plain and adapted) and what needs it: seed 1's first CF run is next
    const allButTallrec = seed0.filter((n) => !/^(tallrec|collm|binllm)/.test(runStem(n)));
    expect(next(state(allButTallrec, ['collm-ml1m-tallrec-s0', 'collm-ml1m-tallrec-plain-s0']))).toBe(cfOfSeed1[0]);
  });

  it('waits while runs it could take depend on runs another process holds, and stops when nothing is left', () => {
    const tallrec0 = plan.filter((r) => r.name === 'collm-ml1m-tallrec-s0');
    const collm0 = plan.filter((r) => r.name === 'collm-ml1m-collm-mf-s0');
    const deps = ['collm-ml1m-mf-s0'];
    const w = nextStep(plan, collm0, state(deps, ['collm-ml1m-tallrec-s0']));
    expect(w).toEqual({ kind: 'wait', blocked: [{ run: 'collm-ml1m-collm-mf-s0', on: ['collm-ml1m-tallrec-s0'] }] });
    // the only open run is the other process's: wait for it (the table is written after the last run)
    expect(nextStep(plan, tallrec0, state([], ['collm-ml1m-tallrec-s0']))).toEqual({ kind: 'wait', blocked: [] });
    expect(nextStep(plan, plan, state(plan.map((r) => r.name)))).toEqual({ kind: 'done', notStarted: [] });
  });

  it('starts no run that does not fit the time budget, nor one whose dependency cannot finish in it', () => {
    const long = (r: PlannedRun) => r.kind === 'cf';
    const fitsNoLlm = (r: PlannedRun) => long(r);
    const cf0 = plan.filter((r) => r.seed === 0 && r.kind === 'cf').map((r) => r.name);
    // every CF run has finished; no LLM run fits: stop, naming them
    const done = nextStep(plan, plan, state(plan.filter((r) => r.kind === 'cf').map((r) => r.name), [], fitsNoLlm));
    expect(done.kind).toBe('done');
    expect(done.kind === 'done' && done.notStarted).toEqual(plan.filter((r) => r.kind === 'rec').map((r) => r.name));
    // CoLLM-MF would fit, but its TALLRec stage does not and nobody runs it: not a reason to wait
    const collm0 = plan.filter((r) => r.name === 'collm-ml1m-collm-mf-s0');
    const onlyCollm = (r: PlannedRun) => r.name !== 'collm-ml1m-tallrec-s0';
    expect(nextStep(plan, [...plan.filter((r) => r.name === 'collm-ml1m-tallrec-s0'), ...collm0], state(cf0, [], onlyCollm)).kind).toBe('done');
    // while another process runs that stage, waiting is right
    expect(nextStep(plan, collm0, state(cf0, ['collm-ml1m-tallrec-s0'], onlyCollm)).kind).toBe('wait');
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
