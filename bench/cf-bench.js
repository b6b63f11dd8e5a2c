#!/usr/bin/env node
// Benchmark: every CF model (MF, LightGCN, SASRec, DIN) on the official CoLLM ML-1M split, trained by
// the kit and by a PyTorch peer with the same model, data, optimiser, batch and stopping rule
// (bench/peer/<model>_torch.py), alternating kit / PyTorch rounds; median seconds per epoch and to the
// best valid AUC; writes results/bench-cf.json with ratio = PyTorch s/epoch / kit s/epoch (> 1: kit faster).
// --epochs N caps every run at N epochs (s/epoch only; s to best then is the capped run's, flagged
// `capped`); without it each run trains to early stopping as the real experiment does.
// Usage: npm run bench:cf [-- --models mf,lightgcn,sasrec,din --rounds 3 --threads 1 --epochs 5 --seed 0]
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { benchArgs } = require('./bench-args');

const root = path.resolve(__dirname, '..');
const kit = require(path.join(root, 'dist', 'index.js'));
const { intFlag, intListFlag } = require(path.join(root, 'dist', 'cli', 'args.js'));
const PY = '/usr/bin/python3';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

async function kitRun(model, seed, threads, epochs) {
  kit.setNativeThreads(threads);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-cf-${model}-`));
  try {
    const experiment = kit.makeCFExperiment({ dataset: 'collm-ml1m', model, seed, train: epochs ? { maxEpochs: epochs } : {} });
    const r = await kit.runCFExperiment(experiment, { outDir, resume: false, onProgress: () => {} });
    const hist = r.training.history;
    const total = hist.reduce((a, h) => a + h.seconds, 0);
    return {
      run: r, row: {
        secPerEpoch: total / hist.length, secToBest: hist.slice(0, r.training.bestEpoch + 1).reduce((a, h) => a + h.seconds, 0),
        bestValidAuc: r.training.bestValid, bestEpoch: r.training.bestEpoch, epochs: hist.length, testAuc: r.test.auc, testUauc: r.test.uauc,
      },
    };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

function torchRun(model, dataDir, cfg) {
  const p = spawnSync(PY, [path.join(__dirname, 'peer', `${model}_torch.py`), dataDir, JSON.stringify(cfg)], {
    encoding: 'utf8', maxBuffer: 1 << 24,
    env: { ...process.env, OMP_NUM_THREADS: String(cfg.threads), OMP_WAIT_POLICY: 'PASSIVE', PYTHONWARNINGS: 'ignore' },
  });
  if (p.status !== 0) throw new Error(`${model} peer failed: ${(p.stderr || '').trim().split('\n').slice(-1)[0]}`);
  const o = JSON.parse(p.stdout.trim().split('\n').pop());
  return { who: o.peer, row: { secPerEpoch: o.secondsPerEpoch, secToBest: o.secondsToBest, bestValidAuc: o.bestValidAuc, bestEpoch: o.bestEpoch, epochs: o.epochs, testAuc: o.testAuc } };
}

function summarise(rows) {
  const out = {};
  for (const k of ['secPerEpoch', 'secToBest', 'bestValidAuc', 'bestEpoch', 'epochs', 'testAuc', 'testUauc']) {
    const xs = rows.map((r) => r[k]).filter((x) => typeof x === 'number');
    if (xs.length) out[k] = median(xs);
  }
  out.rounds = rows;
  return out;
}

(async () => {
  const { values } = benchArgs(__filename, {
    models: { type: 'string', default: 'mf,lightgcn,sasrec,din' }, rounds: { type: 'string', default: '3' }, threads: { type: 'string', default: '1' },
    epochs: { type: 'string' }, seed: { type: 'string', default: '0' }, out: { type: 'string', default: 'results/bench-cf.json' },
  });
  const rounds = intFlag(values, 'rounds', { min: 1 }), seed = intFlag(values, 'seed', { min: 0 });
  const epochs = values.epochs === undefined ? null : intFlag(values, 'epochs', { min: 1 });
  const threadList = intListFlag(values, 'threads', { min: 1 });
  const models = values.models.split(',');
  const probe = spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`${PY} cannot import torch/numpy (as root: apt-get install -y python3-torch)`);
  const dataDir = kit.resolveDatasetDir('collm-ml1m', {});
  const started = new Date().toISOString();
  const result = { kind: 'bench-cf', date: started, models: {}, meta: { rounds, seed, epochsCap: epochs, threads: threadList, loadBefore: os.loadavg(), dataDir: 'collm-ml1m' } };
  for (const threads of threadList) {
    for (const model of models) {
      const kitRows = [], torchRows = [];
      let meta = null, cfg = null, who = null;
      for (let r = 0; r < rounds; r++) {
        const k = await kitRun(model, seed, threads, epochs);
        kitRows.push(k.row);
        meta = k.run.meta;
        cfg = { ...k.run.resolved.model, ...k.run.resolved.train, seed, threads, ...(epochs ? { benchEpochs: epochs } : {}) };
        const t = torchRun(model, dataDir, cfg);
        torchRows.push(t.row);
        who = t.who;
        process.stderr.write(`${model} ${threads}t round ${r + 1}: kit ${k.row.secPerEpoch.toFixed(3)} s/epoch, PyTorch ${t.row.secPerEpoch.toFixed(3)} s/epoch (load ${os.loadavg()[0].toFixed(1)})\n`);
      }
      const kitS = summarise(kitRows), torchS = summarise(torchRows);
      const perRound = kitRows.map((k, i) => torchRows[i].secPerEpoch / k.secPerEpoch);
      const entry = {
        kit: { who: `kit (${meta.backend.name}, ${meta.backend.matmulPath})`, ...kitS }, torch: { who, ...torchS },
        ratio: torchS.secPerEpoch / kitS.secPerEpoch, ratioRange: [Math.min(...perRound), Math.max(...perRound)], capped: epochs !== null, config: cfg,
      };
      const key = threadList.length > 1 ? `${model}@${threads}t` : model;
      result.models[key] = entry;
      result.meta.backend = meta.backend;
      result.meta.gitCommit = meta.gitCommit;
      process.stdout.write(`${key.padEnd(12)} kit ${kitS.secPerEpoch.toFixed(3)} s/epoch (best valid ${kitS.bestValidAuc.toFixed(4)}), PyTorch ${torchS.secPerEpoch.toFixed(3)} (best valid ${torchS.bestValidAuc.toFixed(4)}): ratio ${entry.ratio.toFixed(2)}x\n`);
    }
  }
  result.meta.loadAfter = os.loadavg();
  result.meta.date = new Date().toISOString();
  result.meta.uptime = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
  result.meta.host = { cpu: os.cpus()[0]?.model, cores: os.cpus().length };
  fs.mkdirSync(path.dirname(path.resolve(root, values.out)), { recursive: true });
  fs.writeFileSync(path.resolve(root, values.out), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`wrote ${values.out}\n`);
})().catch((e) => { process.stderr.write(`error: ${e.message}\n`); process.exit(1); });
