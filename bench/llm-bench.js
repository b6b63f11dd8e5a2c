#!/usr/bin/env node
// Benchmark: tokens/s of the decoder's forward pass, a LoRA training step (r=8 on q,v) and a
// per-sample-adapter training step (r=8, q/k/v/o) on a fixed config (4 layers, d=256, 4 heads, FFN 768,
// vocab 8000, T=128, B=8), for the kit (native GEMM path when built, and the XNNPACK path) beside a
// PyTorch reference with the same model on the same threads; writes results/bench-llm.json.
// Kit and PyTorch run in alternating rounds (the machine may be shared: medians, paired ratios and
// min-max ranges are recorded); --threads sets both the addon's threads and PyTorch's.
// Usage: npm run bench:llm [-- --threads 1,2 --reps 5 --rounds 3]
// With --shape smollm2-135m | qwen2.5-0.5b: the real model shapes at effective batch 16, T=160 (bench/llm-real.js;
// results/bench-llm-real.json), --reps 1 by default, --micro-batch auto | N.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { benchArgs } = require('./bench-args');

const { CONFIG, makeSteps, root } = require('./llm-steps');

async function worker(reps) {
  const { tf, info, steps } = await makeSteps();
  const out = {};
  for (const [name, f] of Object.entries(steps)) {
    f();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) f();
    out[name] = (CONFIG.batch * CONFIG.seqLen * reps) / (Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const leaks = tf.memory().numTensors;
  process.stdout.write(JSON.stringify({ who: `kit (${info.name}, ${info.matmulPath})`, matmulPath: info.matmulPath, kernelPatches: info.kernelPatches, ...out, numTensorsAfter: leaks }) + '\n');
}

function runKit(env, reps) {
  const p = spawnSync(process.execPath, [__filename, '--worker', '--reps', String(reps)], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  if (p.status !== 0) throw new Error(`kit worker failed: ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(p.stdout.trim().split('\n').pop());
}

function runPeer(threads, reps) {
  const py = '/usr/bin/python3';
  if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) return { peer: null, note: `PyTorch peer skipped: ${py} cannot import torch (as root: apt-get install -y python3-torch)` };
  const p = spawnSync(py, [path.join(__dirname, 'peer', 'llm_torch.py'), JSON.stringify({ ...CONFIG, threads, reps })],
    { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' }, maxBuffer: 1 << 24 });
  if (p.status !== 0) return { peer: null, note: `PyTorch peer failed: ${p.stderr.trim().split('\n').slice(-1)[0]}` };
  return { peer: JSON.parse(p.stdout.trim().split('\n').pop()), note: '' };
}

const STEPS = ['forward', 'lora', 'perSample'];
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const range = (v) => [Math.min(...v), Math.max(...v)];

/** Alternating rounds of the kit (native path) and PyTorch on `threads` threads; per step the medians and the paired per-round ratios. */
function measure(threads, reps, rounds, native) {
  const kitRuns = [], peerRuns = [];
  let note = '';
  for (let r = 0; r < rounds; r++) {
    // alternate who goes first so that drifting load on the shared machine hits both sides alike
    const order = r % 2 === 0 ? ['kit', 'peer'] : ['peer', 'kit'];
    for (const who of order) {
      if (who === 'kit') kitRuns.push(native ? runKit({ CFLLM_NATIVE: '1', CFLLM_BLAS_THREADS: String(threads) }, reps) : runKit({ CFLLM_NATIVE: '0' }, reps));
      else {
        const p = runPeer(threads, reps);
        if (p.peer) peerRuns.push(p.peer);
        else note = p.note;
      }
    }
    process.stderr.write(`[bench] ${threads} thread${threads > 1 ? 's' : ''}, round ${r + 1}/${rounds}: kit ${STEPS.map((s) => kitRuns[r][s].toFixed(0)).join('/')}` +
      (peerRuns[r] ? `, PyTorch ${STEPS.map((s) => peerRuns[r][s].toFixed(0)).join('/')}` : '') + ' tokens/s (forward/lora/perSample)\n');
  }
  const paired = peerRuns.length === kitRuns.length;
  const steps = Object.fromEntries(STEPS.map((s) => {
    const k = kitRuns.map((x) => x[s]), p = peerRuns.map((x) => x[s]);
    const ratios = paired ? k.map((v, i) => v / p[i]) : [];
    return [s, { kit: median(k), pytorch: paired ? median(p) : null, ratio: paired ? median(ratios) : null, kitRange: range(k), pytorchRange: paired ? range(p) : null, ratioRange: paired ? range(ratios) : null }];
  }));
  return { threads, matmulPath: kitRuns[0].matmulPath, who: kitRuns[0].who, peer: peerRuns[0]?.peer ?? null, peerNote: note, steps, kitRuns, peerRuns };
}

function main() {
  const { values } = benchArgs(__filename, { worker: { type: 'boolean' }, threads: { type: 'string', default: '1,2' }, reps: { type: 'string' }, rounds: { type: 'string', default: '3' },
    shape: { type: 'string' }, 'micro-batch': { type: 'string', default: 'auto' }, 'real-worker': { type: 'string' } });
  const { intFlag, intListFlag } = require(path.join(root, 'dist', 'cli', 'args.js'));  // strict decimal integers, errors name the flag
  if (values['real-worker'] !== undefined) return require('./llm-real').kitWorker(JSON.parse(values['real-worker']));
  values.reps = values.reps ?? (values.shape !== undefined ? '1' : '5');
  if (values.shape !== undefined) {
    const micro = values['micro-batch'];
    if (micro !== 'auto' && !/^[1-9][0-9]*$/.test(micro)) throw new Error(`--micro-batch: expected auto or a positive integer, got "${micro}"`);
    return require('./llm-real').realMain({ shape: values.shape, threads: intListFlag(values, 'threads', { min: 1 }), reps: intFlag(values, 'reps', { min: 1 }),
      rounds: intFlag(values, 'rounds', { min: 1 }), microBatch: micro === 'auto' ? 'auto' : Number(micro) });
  }
  const reps = intFlag(values, 'reps', { min: 1 });
  if (values.worker) return worker(reps);
  const threadList = intListFlag(values, 'threads', { min: 1 });
  const rounds = intFlag(values, 'rounds', { min: 1 });
  const t0 = Date.now();
  const native = fs.existsSync(path.join(root, 'native', 'build', 'Release', 'kitgemm.node'));
  const byThreads = {};
  for (const t of threadList) byThreads[t] = measure(t, reps, rounds, native);
  // the XNNPACK path (no threads in Node), once, for reference
  const xnnpack = native ? runKit({ CFLLM_NATIVE: '0' }, reps) : null;
  const fmt = (v) => v.toFixed(0).padStart(7);
  for (const t of threadList) {
    const m = byThreads[t];
    process.stdout.write(`\nLLM steps, tokens/s, median of ${rounds} alternating rounds [min-max] (4 layers, d=256, 4 heads, FFN 768, vocab 8000, T=128, B=8; ${t} thread${t > 1 ? 's' : ''})\n`);
    process.stdout.write(`${'step'.padEnd(10)} ${'kit'.padStart(7)} ${'range'.padStart(15)}  ${'PyTorch'.padStart(7)} ${'range'.padStart(15)}  ${'ratio'.padStart(6)} ${'range'.padStart(13)}\n`);
    for (const s of STEPS) {
      const e = m.steps[s];
      process.stdout.write(`${s.padEnd(10)} ${fmt(e.kit)} [${e.kitRange.map((v) => v.toFixed(0)).join('-').padStart(13)}]` +
        (e.pytorch ? `  ${fmt(e.pytorch)} [${e.pytorchRange.map((v) => v.toFixed(0)).join('-').padStart(13)}]  ${e.ratio.toFixed(2).padStart(5)}x [${e.ratioRange.map((v) => v.toFixed(2)).join('-')}]` : '') + '\n');
    }
    process.stdout.write(`  kit: ${m.who}; ${m.peer ?? m.peerNote}\n`);
  }
  if (xnnpack) process.stdout.write(`\n${xnnpack.who}: ${STEPS.map((s) => `${s} ${xnnpack[s].toFixed(0)}`).join(', ')} tokens/s\n`);
  const first = byThreads[threadList.includes(1) ? 1 : threadList[0]];
  const result = {
    kind: 'bench-llm', date: new Date().toISOString(), config: { ...CONFIG, threads: threadList, reps, rounds }, wallSeconds: (Date.now() - t0) / 1000,
    note: 'per step: medians over alternating kit/PyTorch rounds; ratio = median of the per-round kit/PyTorch ratios; ranges = min-max over rounds (noise)',
    steps: first.steps, matmulPath: first.matmulPath, byThreads, xnnpack,
    node: process.version, host: { cpus: require('os').cpus().length, model: require('os').cpus()[0]?.model, loadavg: require('os').loadavg() },
  };
  fs.mkdirSync(path.join(root, 'results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'results', 'bench-llm.json'), JSON.stringify(result, null, 2) + '\n');
}

Promise.resolve(main()).catch((e) => { process.stderr.write(`error: ${e.message}\n`); process.exit(1); });
