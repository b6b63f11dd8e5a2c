#!/usr/bin/env node
// Benchmark: tokens/s of the decoder's forward pass, a LoRA training step (r=8 on q,v) and a
// per-sample-adapter training step (r=8, q/k/v/o) on a fixed config (4 layers, d=256, 4 heads, FFN 768,
// vocab 8000, T=128, B=8), for the kit (native GEMM path when built, and the XNNPACK path) beside a
// PyTorch reference with the same model on the same threads; writes results/bench-llm.json.
// Usage: npm run bench:llm [-- --threads 1 --reps 5]
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { parseArgs } = require('util');

const root = path.resolve(__dirname, '..');
const CONFIG = { nLayers: 4, dModel: 256, nHeads: 4, ffn: 768, vocab: 8000, seqLen: 128, batch: 8, rank: 8 };

async function worker(reps) {
  const tf = require('@tensorflow/tfjs');
  const kit = require(path.join(root, 'dist', 'index.js'));
  const info = await kit.initBackend(process.env.CFLLM_BACKEND || 'wasm');
  const c = CONFIG, B = c.batch, T = c.seqLen;
  const cfg = kit.makeLlamaConfig({ vocabSize: c.vocab, hiddenSize: c.dModel, intermediateSize: c.ffn, numHiddenLayers: c.nLayers, numAttentionHeads: c.nHeads, tieWordEmbeddings: true });
  const m = kit.randomLlama(cfg, 0);
  const rng = kit.makeRng(1);
  const w = new Int32Array(B * (T + 1)).map(() => rng.int(c.vocab));
  const eval0 = { training: false, seed: 0 };
  const lora = kit.initLora(m, { r: c.rank, alpha: 16, dropout: 0, targets: ['q_proj', 'v_proj'] }, 0);
  const ps = kit.initPerSample(m, { r: c.rank, alpha: 2 * c.rank, dropout: 0, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] });
  const wb = new Map([[c.dModel, tf.randomNormal([B, c.dModel, c.rank], 0, 1 / Math.sqrt(c.dModel), 'float32', 3)]]);
  const adamCfg = { ...kit.ADAM_DEFAULTS, lr: 1e-4 };
  const trainStep = (params, hook, adam) => {
    const vars = Object.values(params);
    const { value, grads } = tf.variableGrads(() => kit.windowLoss(m, w, B, T, hook), vars);
    value.dataSync();
    const named = {};
    for (const [k, p] of Object.entries(params)) named[k] = grads[p.name];
    kit.adamStep(params, named, adam, adamCfg);
    tf.dispose([value, ...Object.values(grads)]);
  };
  const la = kit.initAdamState(lora.params), pa = kit.initAdamState(ps.params);
  const steps = {
    forward: () => tf.tidy(() => kit.windowLoss(m, w, B, T).dataSync()),
    lora: () => trainStep(lora.params, kit.loraHook(lora, eval0), la),
    perSample: () => trainStep(ps.params, kit.perSampleHook(ps, wb, eval0), pa),
  };
  const out = {};
  for (const [name, f] of Object.entries(steps)) {
    f();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) f();
    out[name] = (B * T * reps) / (Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const leaks = tf.memory().numTensors;
  process.stdout.write(JSON.stringify({ who: `kit (${info.name}, ${info.matmulPath})`, matmulPath: info.matmulPath, ...out, numTensorsAfter: leaks }) + '\n');
}

function runKit(env, reps) {
  const p = spawnSync(process.execPath, [__filename, '--worker', '--reps', String(reps)], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  if (p.status !== 0) throw new Error(`kit worker failed: ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(p.stdout.trim().split('\n').pop());
}

function main() {
  const { values } = parseArgs({ options: { worker: { type: 'boolean' }, threads: { type: 'string', default: '1' }, reps: { type: 'string', default: '5' } } });
  const reps = Number(values.reps);
  if (values.worker) return worker(reps);
  const threads = Number(values.threads);
  const t0 = Date.now();
  const rows = [];
  const native = fs.existsSync(path.join(root, 'native', 'build', 'Release', 'kitgemm.node'));
  if (native) rows.push(runKit({ CFLLM_NATIVE: '1', CFLLM_BLAS_THREADS: String(threads) }, reps));
  rows.push(runKit({ CFLLM_NATIVE: '0' }, reps));
  let peer = null, peerNote = '';
  const py = '/usr/bin/python3';
  if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) peerNote = `PyTorch peer skipped: ${py} cannot import torch (as root: apt-get install -y python3-torch)`;
  else {
    const p = spawnSync(py, [path.join(__dirname, 'peer', 'llm_torch.py'), JSON.stringify({ ...CONFIG, threads, reps })],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' }, maxBuffer: 1 << 24 });
    if (p.status !== 0) peerNote = `PyTorch peer failed: ${p.stderr.trim().split('\n').slice(-1)[0]}`;
    else peer = JSON.parse(p.stdout.trim().split('\n').pop());
  }
  const steps = ['forward', 'lora', 'perSample'];
  process.stdout.write(`\nLLM steps, tokens/s (4 layers, d=256, 4 heads, FFN 768, vocab 8000, T=128, B=8; ${threads} thread${threads > 1 ? 's' : ''})\n`);
  process.stdout.write(['who'.padEnd(46), ...steps.map((s) => s.padStart(10)), ...(peer ? steps.map((s) => `${s}/torch`.padStart(16)) : [])].join('  ') + '\n');
  for (const r of [...rows, ...(peer ? [peer] : [])]) {
    process.stdout.write([(r.who ?? r.peer).padEnd(46), ...steps.map((s) => r[s].toFixed(0).padStart(10)),
      ...(peer ? steps.map((s) => `${(r[s] / peer[s]).toFixed(2)}x`.padStart(16)) : [])].join('  ') + '\n');
  }
  if (peerNote) process.stdout.write(peerNote + '\n');
  const kitBest = rows[0];
  const result = {
    kind: 'bench-llm', date: new Date().toISOString(), config: { ...CONFIG, threads, reps }, wallSeconds: (Date.now() - t0) / 1000,
    steps: Object.fromEntries(steps.map((s) => [s, { kit: kitBest[s], pytorch: peer ? peer[s] : null, ratio: peer ? kitBest[s] / peer[s] : null }])),
    kit: rows, peer, peerNote, node: process.version, host: { cpus: require('os').cpus().length, model: require('os').cpus()[0]?.model },
  };
  fs.mkdirSync(path.join(root, 'results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'results', threads === 1 ? 'bench-llm.json' : `bench-llm-${threads}threads.json`), JSON.stringify(result, null, 2) + '\n');
}

Promise.resolve(main()).catch((e) => { process.stderr.write(`error: ${e.message}\n`); process.exit(1); });
