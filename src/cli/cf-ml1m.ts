// Command: the CF rows of CoLLM's Table II on the official ML-1M split — every model for several
// seeds (each run resumable in its own folder; finished runs are reused), collected into
// results/cf-ml1m.json, and the README's CF table regenerated from that file. Runs are shared out by
// claim files, so `--jobs 2` (or the same command in two terminals) keeps both cores busy: each
// process takes the next run nobody holds, longest first, and waits at the end for the others' runs; a
// killed process's run is resumed by whoever takes it next (with --fresh: when it started since the
// command did, or since --fresh-since, which a later process joining a --fresh table passes).
// Reference: CoLLM v3 Table II; docs/methods.md §3, §8.
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseBackendChoice } from '../backend/backend';
import { releaseClaim, tryClaim, withFileLock } from '../core/claims';
import { readEnv } from '../core/env';
import { PROVENANCE_FILE } from '../core/run-meta';
import { readJson, writeJsonAtomic } from '../core/io';
import { projectRoot } from '../core/paths';
import { CF_KINDS, CF_TRAIN_PRESETS } from '../cf/registry';
import { makeCFTrainConfig } from '../cf/train';
import type { CFKind } from '../cf/types';
import { makeCFExperiment, runCFExperiment, type CFExperimentConfig, type CFRunResult } from '../runner/cf-experiment';
import { formatRunTable } from '../runner/tables';
import { updateReadmeTables } from '../analysis/readme';
import { intFlag, intListFlag, MAX_SEED, parseFlags, runMain } from './args';

/** The slim record of one run kept in results/cf-ml1m.json. */
function summarise(r: CFRunResult): Record<string, unknown> {
  return {
    model: r.model, seed: r.seed, dataset: r.data.name,
    valid: { auc: r.valid.auc, uauc: r.valid.uauc, uaucUsers: r.valid.uaucUsers },
    test: r.test,
    training: { bestEpoch: r.training.bestEpoch, epochsRun: r.training.epochsRun, stoppedBy: r.training.stoppedBy },
    config: r.resolved, meta: r.meta,
  };
}

interface PlannedCFRun { readonly model: CFKind; readonly seed: number; readonly dir: string; readonly experiment: CFExperimentConfig }

const POLL_MS = 10_000;

runMain(async () => {
  const f = parseFlags('cf-ml1m', 'all CF baselines on the CoLLM ML-1M split, several seeds; writes results/cf-ml1m.json and the README table', {
    models: { type: 'string', help: 'comma-separated models', default: CF_KINDS.join(',') },
    seeds: { type: 'string', help: 'comma-separated seeds', default: '0,1,2' },
    jobs: { type: 'int', help: 'processes sharing the runs (2 uses both cores of a 2-core machine; each run stays on one thread)', default: '1', min: 1, max: 16 },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
    'data-dir': { type: 'string', help: 'data folder holding collm-ml1m/ (else $CFLLM_DATA_DIR, data/, ../shared/data)' },
    fresh: { type: 'boolean', help: 'retrain even when a finished run exists (runs finished since this command started, or since --fresh-since, are kept; runs started since then resume)', default: false },
    'fresh-since': { type: 'string', help: 'with --fresh: keep runs finished after this time (ISO 8601), so a process started later shares the work of a first one (that one prints the command)' },
    worker: { type: 'string', help: 'label of this process in the log lines (set by --jobs)' },
  });
  const models = String(f['models']).split(',').map((s) => s.trim()).map((m) => {
    if (!(CF_KINDS as readonly string[]).includes(m)) throw new Error(`--models: unknown model "${m}" (known: ${CF_KINDS.join(', ')})`);
    return m as CFKind;
  });
  const seeds = intListFlag(f, 'seeds', { min: 0, max: MAX_SEED });
  const jobs = intFlag(f, 'jobs') ?? 1;
  const backend = parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), f['backend'] ? '--backend' : '$CFLLM_BACKEND');
  const dataDir = (f['data-dir'] as string | undefined) ?? null;
  const root = projectRoot();
  const outFile = path.join(root, 'results', 'cf-ml1m.json');
  // a helper started by --jobs gets the parent's start, so --fresh never retrains what a sibling just finished
  const since = f['fresh-since'] as string | undefined;
  if (since !== undefined && !f['fresh']) throw new Error('--fresh-since needs --fresh');
  const startedAt = since === undefined ? Date.now() : Date.parse(since);
  if (!Number.isFinite(startedAt)) throw new Error(`--fresh-since: expected a time such as 2026-12-07T15:10:00Z, got "${since}"`);
  const worker = (f['worker'] as string | undefined) ?? '0';
  if (f['fresh'] && since === undefined && worker === '0') {
    process.stdout.write(`another process can share these runs: npm run cf-ml1m -- ${process.argv.slice(2).join(' ')} --fresh-since ${new Date(startedAt).toISOString()}\n`);
  }
  const say = (line: string): void => { process.stdout.write(jobs > 1 || worker !== '0' ? `[worker ${worker}] ${line}\n` : `${line}\n`); };

  const previous = fs.existsSync(outFile) ? readJson<Record<string, unknown>[]>(outFile) : [];
  const lastWall = (model: string, seed: number): number => {
    const r = previous.find((x) => x['model'] === model && x['seed'] === seed);
    return Number((r?.['meta'] as { wallSeconds?: number } | undefined)?.wallSeconds ?? Infinity);
  };
  // longest first (by the last table's wall times; unknown ones first), so the processes end together
  const plan: PlannedCFRun[] = models.flatMap((model) => seeds.map((seed) => ({
    model, seed, dir: path.join(root, 'results', 'runs', `collm-ml1m-${model}-s${seed}`),
    experiment: makeCFExperiment({ dataset: 'collm-ml1m', dataDir, model, seed, backend }),
  }))).sort((a, b) => lastWall(b.model, b.seed) - lastWall(a.model, a.seed));

  const helpers: ChildProcess[] = [];
  for (let w = 1; w < jobs; w++) {
    const own = ['--jobs', '--fresh-since', '--worker'];
    const args = process.argv.slice(2).filter((a, i, all) => !own.includes(a) && !own.includes(all[i - 1]!) && !own.some((o) => a.startsWith(`${o}=`)));
    const fresh = f['fresh'] ? ['--fresh-since', new Date(startedAt).toISOString()] : [];
    helpers.push(fork(process.argv[1]!, [...args, '--jobs', '1', ...fresh, '--worker', String(w)]));
  }
  const helpersDone = Promise.all(helpers.map((c) => new Promise<number>((resolve) => c.on('exit', (code) => resolve(code ?? 1)))));

  /** The finished result of a run when it can be reused: same settings, and not --fresh unless it finished after this command started. */
  const reusable = (r: PlannedCFRun): CFRunResult | null => {
    const done = path.join(r.dir, 'result.json');
    if (!fs.existsSync(done)) return null;
    const prev = readJson<CFRunResult>(done);
    const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
    const sameSettings = same(prev.config, r.experiment) && same(prev.resolved.train, makeCFTrainConfig(CF_TRAIN_PRESETS[r.model]));
    return sameSettings && (!f['fresh'] || fs.statSync(done).mtimeMs >= startedAt) ? prev : null;
  };
  /** Whether the run in `dir` was first started since this command (or --fresh-since): a killed worker's run, resumed under --fresh. */
  const startedSince = (dir: string): boolean => {
    const prov = path.join(dir, PROVENANCE_FILE);
    if (!fs.existsSync(prov)) return false;
    const first = readJson<{ processes?: { startedAt?: string }[] }>(prov).processes?.[0]?.startedAt;
    return first !== undefined && Date.parse(first) >= startedAt;
  };
  const record = (r: CFRunResult): void => withFileLock(`${outFile}.lock`, () => {
    const records = fs.existsSync(outFile) ? readJson<Record<string, unknown>[]>(outFile) : [];
    const i = records.findIndex((x) => x['model'] === r.model && x['seed'] === r.seed);
    if (i >= 0) records[i] = summarise(r);
    else records.push(summarise(r));
    writeJsonAtomic(outFile, records);
  });

  const results = new Map<string, CFRunResult>();
  let waiting = plan;
  while (waiting.length > 0) {
    const next: PlannedCFRun[] = [];
    for (const r of waiting) {
      const ready = reusable(r);
      if (ready) {
        if (!results.has(r.dir)) record(ready);
        results.set(r.dir, ready);
        continue;
      }
      const claim = `${r.dir}.claim`;
      if (!tryClaim(claim)) { next.push(r); continue; }
      try {
        // another process may have finished it between the check above and the claim
        const now = reusable(r);
        if (now === null && fs.existsSync(path.join(r.dir, 'result.json'))) {
          say(`${path.relative(root, r.dir)}: settings changed since that run (or --fresh); training again`);
          fs.rmSync(r.dir, { recursive: true, force: true });
        }
        const res = now ?? await runCFExperiment(r.experiment, { outDir: r.dir, resume: !f['fresh'] || startedSince(r.dir), onProgress: (l) => say(l) });
        record(res);
        results.set(r.dir, res);
      } finally {
        releaseClaim(claim);
      }
    }
    if (next.length > 0 && next.length === waiting.length) {
      say(`waiting for ${next.length} run(s) another process holds: ${next.map((r) => path.basename(r.dir)).join(', ')}`);
      await new Promise((res) => setTimeout(res, POLL_MS));
    }
    waiting = next;
  }
  const failed = (await helpersDone).filter((code) => code !== 0).length;
  if (failed > 0) throw new Error(`${failed} of the --jobs helper processes failed (their messages are above); finished runs are kept, run the command again to finish`);
  if (worker !== '0') return;
  const runs = plan.map((r) => results.get(r.dir)!).sort((a, b) => CF_KINDS.indexOf(a.model) - CF_KINDS.indexOf(b.model) || a.seed - b.seed);
  process.stdout.write('\n' + formatRunTable(runs) + '\n');
  withFileLock(`${outFile}.lock`, () => updateReadmeTables(root));
  process.stdout.write(`wrote ${path.relative(root, outFile)} and the README's CF table\n`);
});
