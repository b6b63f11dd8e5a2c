#!/usr/bin/env node
// Benchmark: MF (CoLLM's ML-1M setting) trained to its best valid AUC on the official CoLLM ML-1M
// split, by the kit and by a PyTorch peer with the same model, data, optimiser and stopping rule on
// one CPU thread; prints both side by side and writes results/bench-mf.json.
// Usage: npm run bench:mf [-- --seed 0 --backend wasm]   (needs ../shared/data/collm-ml1m or $CFLLM_DATA_DIR)
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { benchArgs } = require('./bench-args');

const root = path.resolve(__dirname, '..');
const kit = require(path.join(root, 'dist', 'index.js'));

(async () => {
  const { values } = benchArgs(__filename, { seed: { type: 'string', default: '0' }, backend: { type: 'string' } });
  const seed = require(path.join(root, 'dist', 'cli', 'args.js')).intFlag(values, 'seed', { min: 0, max: 0xffffffff });
  const backend = kit.parseBackendChoice(values.backend ?? kit.readEnv('CFLLM_BACKEND'), '--backend');
  const dataDir = kit.resolveDatasetDir('collm-ml1m', {});
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mf-'));
  const experiment = kit.makeCFExperiment({ dataset: 'collm-ml1m', model: 'mf', seed, backend });
  process.stderr.write(`kit: training MF on ${dataDir} (run folder ${outDir})\n`);
  const r = await kit.runCFExperiment(experiment, { outDir, resume: false, onProgress: (l) => { if (/\*|best epoch/.test(l)) process.stderr.write(l + '\n'); } });
  const hist = r.training.history;
  const toBest = hist.slice(0, r.training.bestEpoch + 1).reduce((a, h) => a + h.seconds, 0);
  const total = hist.reduce((a, h) => a + h.seconds, 0);
  const kitRow = {
    who: `kit (${r.meta.backend.name}, ${r.meta.backend.matmulPath})`, bestValidAuc: r.training.bestValid, bestEpoch: r.training.bestEpoch,
    epochs: hist.length, secondsToBest: toBest, secondsTotal: total, secondsPerEpoch: total / hist.length, testAuc: r.test.auc,
  };

  const peerCfg = { ...r.resolved.model, ...r.resolved.train, seed, threads: 1 };
  let peerRow = null, peerNote = '';
  const py = '/usr/bin/python3';
  const probe = spawnSync(py, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    peerNote = `PyTorch peer skipped: ${py} cannot import torch/numpy (as root: apt-get install -y python3-torch)`;
  } else {
    process.stderr.write('peer: training the same MF in PyTorch on 1 thread\n');
    const p = spawnSync(py, [path.join(__dirname, 'peer', 'mf_torch.py'), dataDir, JSON.stringify(peerCfg)],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' }, maxBuffer: 1 << 24 });
    if (p.status !== 0) peerNote = `PyTorch peer failed: ${p.stderr.trim().split('\n').slice(-1)[0]}`;
    else peerRow = { who: JSON.parse(p.stdout.trim().split('\n').pop()).peer, ...JSON.parse(p.stdout.trim().split('\n').pop()) };
  }

  const rows = [kitRow, ...(peerRow ? [peerRow] : [])];
  const f = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : 'n/a');
  const t = r.resolved.train;
  process.stdout.write(`\nMF on CoLLM ML-1M (d=${r.resolved.model.dEmb}, Adam lr ${t.lr}, wd ${t.weightDecay}, batch ${t.batchSize}, patience ${t.patience})\n`);
  process.stdout.write(['who'.padEnd(44), 'best valid AUC', 'best epoch', 'epochs', 's to best', 's total', 's/epoch'].join('  ') + '\n');
  for (const x of rows) {
    process.stdout.write([x.who.padEnd(44), f(x.bestValidAuc, 4).padStart(14), String(x.bestEpoch).padStart(10), String(x.epochs).padStart(6),
      f(x.secondsToBest).padStart(9), f(x.secondsTotal).padStart(7), f(x.secondsPerEpoch, 3).padStart(7)].join('  ') + '\n');
  }
  if (peerRow) process.stdout.write(`kit / PyTorch time per epoch: ${(kitRow.secondsPerEpoch / peerRow.secondsPerEpoch).toFixed(2)}x\n`);
  if (peerNote) process.stdout.write(peerNote + '\n');
  const out = { kind: 'bench-mf', date: new Date().toISOString(), config: peerCfg, kit: kitRow, peer: peerRow, peerNote, meta: r.meta };
  fs.mkdirSync(path.join(root, 'results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'results', 'bench-mf.json'), JSON.stringify(out, null, 2) + '\n');
  fs.rmSync(outDir, { recursive: true, force: true });
  process.stdout.write('wrote results/bench-mf.json\n');
})().catch((e) => { process.stderr.write(`error: ${e.message}\n`); process.exit(1); });
