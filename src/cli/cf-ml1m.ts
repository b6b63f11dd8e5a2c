// Command: the CF rows of CoLLM's Table II on the official ML-1M split — every model for several
// seeds (each run resumable in its own folder; finished runs are reused), collected into
// results/cf-ml1m.json, and the README's CF table regenerated from that file.
// Reference: CoLLM v3 Table II; docs/methods.md §3, §8.
import * as fs from 'fs';
import * as path from 'path';
import { parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { readJson, writeJsonAtomic } from '../core/io';
import { projectRoot } from '../core/paths';
import { CF_KINDS, CF_TRAIN_PRESETS } from '../cf/registry';
import { makeCFTrainConfig } from '../cf/train';
import type { CFKind } from '../cf/types';
import { makeCFExperiment, runCFExperiment, type CFRunResult } from '../runner/cf-experiment';
import { formatRunTable } from '../runner/tables';
import { updateReadmeTables } from '../analysis/readme';
import { intListFlag, MAX_SEED, parseFlags, runMain } from './args';

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

runMain(async () => {
  const f = parseFlags('cf-ml1m', 'all CF baselines on the CoLLM ML-1M split, several seeds; writes results/cf-ml1m.json and the README table', {
    models: { type: 'string', help: 'comma-separated models', default: CF_KINDS.join(',') },
    seeds: { type: 'string', help: 'comma-separated seeds', default: '0,1,2' },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
    'data-dir': { type: 'string', help: 'data folder holding collm-ml1m/ (else $CFLLM_DATA_DIR, data/, ../shared/data)' },
    fresh: { type: 'boolean', help: 'retrain even when a finished run exists', default: false },
  });
  const models = String(f['models']).split(',').map((s) => s.trim()).map((m) => {
    if (!(CF_KINDS as readonly string[]).includes(m)) throw new Error(`--models: unknown model "${m}" (known: ${CF_KINDS.join(', ')})`);
    return m as CFKind;
  });
  const seeds = intListFlag(f, 'seeds', { min: 0, max: MAX_SEED });
  const backend = parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), f['backend'] ? '--backend' : '$CFLLM_BACKEND');
  const root = projectRoot();
  const outFile = path.join(root, 'results', 'cf-ml1m.json');
  const records: Record<string, unknown>[] = fs.existsSync(outFile) ? readJson<Record<string, unknown>[]>(outFile) : [];
  const runs: CFRunResult[] = [];
  for (const model of models) {
    for (const seed of seeds) {
      const outDir = path.join(root, 'results', 'runs', `collm-ml1m-${model}-s${seed}`);
      const done = path.join(outDir, 'result.json');
      const experiment = makeCFExperiment({ dataset: 'collm-ml1m', dataDir: (f['data-dir'] as string | undefined) ?? null, model, seed, backend });
      const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
      const prev = fs.existsSync(done) ? readJson<CFRunResult>(done) : null;
      const reusable = prev !== null && !f['fresh'] && same(prev.config, experiment) && same(prev.resolved.train, makeCFTrainConfig(CF_TRAIN_PRESETS[model]));
      if (prev && !reusable) {
        process.stdout.write(`${path.relative(root, outDir)}: settings changed since that run; training again\n`);
        fs.rmSync(outDir, { recursive: true, force: true });
      }
      const r = reusable ? prev : await runCFExperiment(experiment, { outDir, resume: !f['fresh'], onProgress: (l) => process.stdout.write(l + '\n') });
      runs.push(r);
      const i = records.findIndex((x) => x['model'] === model && x['seed'] === seed);
      if (i >= 0) records[i] = summarise(r);
      else records.push(summarise(r));
      writeJsonAtomic(outFile, records);
    }
  }
  process.stdout.write('\n' + formatRunTable(runs) + '\n');
  updateReadmeTables(root);
  process.stdout.write(`wrote ${path.relative(root, outFile)} and the README's CF table\n`);
});
