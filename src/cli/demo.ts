// Command: the kit's demo on the embedded synthetic world (no downloads): trains MF and LightGCN
// with valid-AUC early stopping and prints AUC / UAUC overall and on warm and cold rows.
// Reference: ../shared/notes/methods.md §1, §3, §7.
import * as path from 'path';
import { parseBackendChoice } from '../core/backend';
import { projectRoot } from '../core/paths';
import { makeCFExperiment, runCFExperiment, type CFRunResult } from '../runner/cf-experiment';
import { formatRunTable } from '../runner/tables';
import { numberFlag, parseFlags, runMain } from './args';

runMain(async () => {
  const f = parseFlags('demo', 'CF baselines on the embedded synthetic MovieLens-like world', {
    seed: { type: 'string', help: 'random seed', default: '0' },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
    out: { type: 'string', help: 'folder for the runs', default: 'results/demo' },
  });
  const seed = numberFlag(f, 'seed')!;
  const backend = parseBackendChoice((f['backend'] as string | undefined) ?? process.env['CFLLM_BACKEND'], f['backend'] ? '--backend' : '$CFLLM_BACKEND');
  const outRoot = path.resolve(projectRoot(), f['out'] as string);
  const results: CFRunResult[] = [];
  for (const model of ['mf', 'lightgcn'] as const) {
    // The synthetic world is ~15k train rows: a higher MF learning rate than CoLLM's ML-1M setting reaches
    // its best valid AUC in ~30 epochs instead of >60.
    const train = model === 'mf' ? { lr: 1e-2, maxEpochs: 60, patience: 10 } : { maxEpochs: 60, patience: 10 };
    const experiment = makeCFExperiment({ dataset: 'synthetic', model, seed, backend, train });
    results.push(await runCFExperiment(experiment, {
      outDir: path.join(outRoot, `${model}-s${seed}`), resume: false,
      onProgress: (l) => { if (!/ epoch \d+:/.test(l) || /epoch \d*0:/.test(l)) process.stdout.write(l + '\n'); },
    }));
  }
  process.stdout.write('\n' + formatRunTable(results) + '\n');
  process.stdout.write(`\nresults and checkpoints: ${path.relative(projectRoot(), outRoot)}/\n`);
});
