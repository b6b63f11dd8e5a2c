#!/usr/bin/env node
// Per-kernel time breakdown of one CF training epoch and one valid scoring pass on CoLLM ML-1M (the
// cost behind `npm run bench:cf`): every kernel of the active backend is wrapped with a timer after a
// warm-up epoch; prints ms per phase by kernel name plus the time outside kernels (autodiff tape, JS
// glue, optimiser loop), and writes results/profile-cf[-<tag>].json.
// Usage: npm run bench:cf-profile [-- --models mf,lightgcn,sasrec,din --tag before --top 15]
'use strict';
const fs = require('fs');
const path = require('path');
const { benchArgs } = require('./bench-args');

const root = path.resolve(__dirname, '..');
const kit = require(path.join(root, 'dist', 'index.js'));
const tf = require('@tensorflow/tfjs');

const { instrument } = require('./kernel-timer');

async function main() {
  const { values } = benchArgs(__filename, { models: { type: 'string', default: 'mf,lightgcn,sasrec,din' }, tag: { type: 'string', default: '' }, top: { type: 'string', default: '15' } });
  const { intFlag } = require(path.join(root, 'dist', 'cli', 'args.js'));  // strict decimal integers, errors name the flag
  const top = intFlag(values, 'top', { min: 1 });
  const info = await kit.initBackend(kit.parseBackendChoice(kit.readEnv('CFLLM_BACKEND'), 'CFLLM_BACKEND'));
  const dataset = kit.loadDataset('collm-ml1m', {});
  const { train, valid } = dataset.splits;
  let acc = null;
  const result = { kind: 'profile-cf', date: new Date().toISOString(), tag: values.tag, backend: info.name, matmulPath: info.matmulPath, kernelPatches: info.kernelPatches, models: {} };
  for (const kind of values.models.split(',')) {
    const spec = kit.cfSpec(kind);
    const cfg = spec.makeConfig({}, { nUsers: dataset.nUsers, nItems: dataset.nItems });
    const trainCfg = kit.makeCFTrainConfig(kit.CF_TRAIN_PRESETS[kind]);
    const model = spec.init(cfg, kit.makeRng(0), train, dataset.items);
    const adam = kit.initAdamState(model.params);
    const phases = {
      epoch: () => kit.trainEpoch(spec, model, train, trainCfg, adam, kit.makeRng(1)),
      validScoring: () => kit.scoreSplit(spec, model, valid, trainCfg.evalBatchSize),
    };
    for (const f of Object.values(phases)) await f(); // warm-up: lazily registered kernels, heap growth
    if (!acc) acc = instrument(tf, tf.getBackend());
    result.models[kind] = {};
    for (const [name, f] of Object.entries(phases)) {
      acc.clear();
      const t0 = process.hrtime.bigint();
      await f();
      const total = Number(process.hrtime.bigint() - t0) / 1e6;
      const kernels = [...acc.entries()].map(([k, e]) => ({ kernel: k, ms: e.ms, calls: e.calls })).sort((a, b) => b.ms - a.ms);
      const inKernels = kernels.reduce((s, k) => s + k.ms, 0);
      result.models[kind][name] = { ms: total, msOutsideKernels: total - inKernels, kernels };
      process.stdout.write(`\n${kind} ${name}: ${total.toFixed(0)} ms; outside kernels ${(total - inKernels).toFixed(0)} ms\n`);
      for (const k of kernels.slice(0, top)) process.stdout.write(`  ${k.kernel.padEnd(24)} ${k.ms.toFixed(1).padStart(9)} ms  ${String(k.calls).padStart(6)} calls\n`);
    }
    tf.dispose(Object.values(model.params));
    tf.dispose(Object.values(model.buffers));
    kit.disposeAdamState?.(adam);
  }
  const file = path.join(root, 'results', `profile-cf${values.tag ? '-' + values.tag : ''}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`wrote ${path.relative(root, file)}\n`);
}

main().catch((e) => { process.stderr.write(`error: ${e.stack}\n`); process.exit(1); });
