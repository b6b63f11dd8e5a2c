// Real model shapes (`npm run bench:llm -- --shape smollm2-135m|qwen2.5-0.5b`): random weights of the
// Hugging Face config, prompts of T=160 tokens, effective batch 16; samples/s of scoring, a LoRA step
// (TALLRec: r=8, alpha 16, dropout 0.05 on q,v) and a per-sample-adapter step (CoRA's LLM side: r=8 on
// q,k,v,o), the training steps in the micro-batches the kit plans for its memory ceiling (PyTorch runs
// the same passes), kit vs PyTorch, alternating rounds; merges into results/bench-llm-real.json.
// Reference: docs/environment.md §5 (measured speeds), §6 (memory).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
/** The Hugging Face configs (config.json of HuggingFaceTB/SmolLM2-135M and Qwen/Qwen2.5-0.5B). */
const SHAPES = {
  'smollm2-135m': { modelType: 'llama', vocabSize: 49152, hiddenSize: 576, intermediateSize: 1536, numHiddenLayers: 30, numAttentionHeads: 9, numKeyValueHeads: 3, tieWordEmbeddings: true, ropeTheta: 100000, rmsNormEps: 1e-5 },
  'qwen2.5-0.5b': { modelType: 'qwen2', vocabSize: 151936, hiddenSize: 896, intermediateSize: 4864, numHiddenLayers: 24, numAttentionHeads: 14, numKeyValueHeads: 2, tieWordEmbeddings: true, ropeTheta: 1000000, rmsNormEps: 1e-6 },
};
const RUN = { seqLen: 160, batch: 16, evalBatch: 16, rank: 8 };
const STEPS = ['score', 'lora', 'cora'];

/** A model of the config with N(0, 0.02^2) weights drawn on the backend (fast; not core/rng's stream). */
function randomModel(tf, kit, cfg) {
  let seed = 1;
  const mat = (shape) => tf.tidy(() => tf.randomNormal(shape, 0, 0.02, 'float32', seed++));
  const d = cfg.hiddenSize, q = cfg.numAttentionHeads * cfg.headDim, kv = cfg.numKeyValueHeads * cfg.headDim, f = cfg.intermediateSize;
  const layers = Array.from({ length: cfg.numHiddenLayers }, () => ({
    inputNorm: tf.ones([d]), q: mat([q, d]), k: mat([kv, d]), v: mat([kv, d]), o: mat([d, q]),
    qBias: cfg.attentionBias ? tf.zeros([q]) : null, kBias: cfg.attentionBias ? tf.zeros([kv]) : null, vBias: cfg.attentionBias ? tf.zeros([kv]) : null,
    postNorm: tf.ones([d]), gate: mat([f, d]), up: mat([f, d]), down: mat([d, f]),
  }));
  return { config: cfg, weights: { embed: mat([cfg.vocabSize, d]), layers, finalNorm: tf.ones([d]), lmHead: null } };
}

/** Child process: one shape's steps on the kit (wasm + native addon when built); prints one JSON line. */
async function kitWorker(opts) {
  const tf = require('@tensorflow/tfjs');
  const kit = require(path.join(root, 'dist', 'index.js'));
  const info = await kit.initBackend('wasm');
  const cfg = kit.makeLlamaConfig(SHAPES[opts.shape]);
  const llm = randomModel(tf, kit, cfg);
  const { seqLen: T, batch: B, rank: r } = RUN, yesId = 100;
  const rng = kit.makeRng(1);
  const enc = { kind: 'tallrec', ids: Array.from({ length: B }, () => Int32Array.from({ length: T }, () => rng.int(cfg.vocabSize))), placeholders: Array.from({ length: B }, () => []) };
  const split = { name: 'train', userIdx: new Int32Array(B), itemIdx: new Int32Array(B), label: Uint8Array.from({ length: B }, (_, i) => i % 2) };
  const rows = Array.from({ length: B }, (_, i) => i);
  const batchOf = (rs) => kit.makePromptBatch(enc, split, rs, 0);
  const lowRank = (targets) => ({ r, alpha: 2 * r, dropout: 0.05, targets });
  const tallrec = kit.tallrecMethod(llm, yesId, { config: lowRank(['q_proj', 'v_proj']), seed: 0 });
  const ps = kit.initPerSample(llm, lowRank(['q_proj', 'k_proj', 'v_proj', 'o_proj']));
  const d = cfg.hiddenSize;
  const cora = {
    name: 'cora (LLM side)', promptKind: 'tallrec', params: ps.params, dispose: () => undefined,
    // W_ui per row as CoRA's generator would give it (the generator itself is a few small matmuls)
    logits: (b, mode) => tf.tidy(() => kit.yesLogits(llm, yesId, b, kit.perSampleHook(ps, new Map([[d, tf.randomNormal([b.B, d, r], 0, 1 / Math.sqrt(d), 'float32', mode.seed + 1)]]), mode))),
  };
  const trainable = (m) => 16 * Object.values(m.params).reduce((a, v) => a + v.size, 0);
  const plan = kit.planMicroBatch(cfg, B, { seqLen: T, mode: 'train' }, Math.max(trainable(tallrec), trainable(cora)));
  const micro = opts.microBatch === 'auto' ? plan.microBatch : Math.min(B, opts.microBatch);
  const adamCfg = { ...kit.ADAM_DEFAULTS, lr: 1e-4 };
  const adams = new Map([[tallrec, kit.initAdamState(tallrec.params)], [cora, kit.initAdamState(cora.params)]]);
  let step = 0;
  const trainStep = async (m, rs) => {
    const { grads } = await kit.accumulatedGrads(m, rs, batchOf, micro, step++, { what: `a ${m.name} step`, model: opts.shape });
    kit.adamStep(m.params, grads, adams.get(m), adamCfg);
    tf.dispose(Object.values(grads));
  };
  const run = {
    score: { warm: () => kit.scoreRows(tallrec, enc, split, 0, RUN.evalBatch, rows.slice(0, 2)), full: () => kit.scoreRows(tallrec, enc, split, 0, RUN.evalBatch, rows) },
    lora: { warm: () => trainStep(tallrec, rows.slice(0, micro)), full: () => trainStep(tallrec, rows) },
    cora: { warm: () => trainStep(cora, rows.slice(0, micro)), full: () => trainStep(cora, rows) },
  };
  const out = { matmulPath: info.matmulPath, kernelPatches: info.kernelPatches, microBatch: micro, plannedActivationMB: Math.round(kit.activationBytes(cfg, micro, { seqLen: T, mode: 'train' }) / 2 ** 20) };
  for (const s of opts.steps) {
    await run[s].warm();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < opts.reps; i++) await run[s].full();
    out[s] = (B * opts.reps) / (Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const heap = kit.wasmHeapBytes();
  out.peakHeapMB = heap === null ? null : Math.round(heap / 2 ** 20);
  process.stdout.write(JSON.stringify(out) + '\n');
}

function runKit(shape, threads, reps, microBatch) {
  const p = spawnSync(process.execPath, [path.join(__dirname, 'llm-bench.js'), '--real-worker', JSON.stringify({ shape, reps, microBatch, steps: STEPS })],
    { encoding: 'utf8', env: { ...process.env, CFLLM_NATIVE: '1', CFLLM_BLAS_THREADS: String(threads) }, maxBuffer: 1 << 24 });
  if (p.status !== 0) return { error: (p.stderr || '').trim().split('\n').filter((l) => !/tfjs-node|====|^$|Hi, looks/.test(l)).slice(-3).join(' | ') || `exit ${p.status} (${p.signal ?? 'no signal'})` };
  return JSON.parse(p.stdout.trim().split('\n').pop());
}

function runPeer(shape, threads, reps, microBatch) {
  const py = '/usr/bin/python3';
  if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) return { error: `${py} cannot import torch (as root: apt-get install -y python3-torch)` };
  const p = spawnSync(py, [path.join(__dirname, 'peer', 'llm_real_torch.py'), JSON.stringify({ model: SHAPES[shape], ...RUN, microBatch, threads, reps, steps: STEPS })],
    { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' }, maxBuffer: 1 << 24 });
  if (p.status !== 0) return { error: (p.stderr || '').trim().split('\n').slice(-1)[0] || `exit ${p.status}` };
  return JSON.parse(p.stdout.trim().split('\n').pop());
}

const median = (v) => { const s = [...v].sort((a, b) => a - b); return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/** Alternating kit/PyTorch rounds of one shape on `threads` threads. */
function measure(shape, threads, reps, rounds, microBatch) {
  const kit = [], peer = [];
  let micro = microBatch, error = null, peerError = null;
  for (let r = 0; r < rounds && !error; r++) {
    // the kit goes first in round 0 (its plan sets the micro-batch both run), then the order alternates
    for (const who of r % 2 === 0 ? ['kit', 'peer'] : ['peer', 'kit']) {
      if (who === 'kit') {
        const k = runKit(shape, threads, reps, micro);
        if (k.error) { error = k.error; break; }
        kit.push(k);
        micro = k.microBatch;
      } else {
        const p = runPeer(shape, threads, reps, micro === 'auto' ? RUN.batch : micro);
        if (p.error) peerError = p.error; else peer.push(p);
      }
    }
    const last = (a, s) => (a.length ? a[a.length - 1][s].toFixed(2) : '-');
    process.stderr.write(`[bench ${shape}] ${threads} thread${threads > 1 ? 's' : ''}, round ${r + 1}/${rounds}: kit ${STEPS.map((s) => last(kit, s)).join('/')}, PyTorch ${STEPS.map((s) => last(peer, s)).join('/')} samples/s (score/lora/cora)${error ? ` kit failed: ${error}` : ''}\n`);
  }
  const steps = Object.fromEntries(STEPS.map((s) => {
    const k = kit.map((x) => x[s]), p = peer.map((x) => x[s]);
    const paired = k.length === p.length && k.length > 0;
    return [s, { kit: median(k), torch: median(p), ratio: paired ? median(k.map((v, i) => v / p[i])) : null, kitRuns: k, torchRuns: p }];
  }));
  return { threads, ok: error === null && kit.length === rounds, error, peerError, microBatch: micro, peakHeapMB: Math.max(...kit.map((k) => k.peakHeapMB ?? 0)) || null,
    plannedActivationMB: kit[0]?.plannedActivationMB ?? null, matmulPath: kit[0]?.matmulPath ?? null, peer: peer[0]?.peer ?? null, ...steps };
}

/** Runs the shape at each thread count and merges its entry into results/bench-llm-real.json. @param values { shape, threads: number[], reps, rounds, microBatch: 'auto' | number } */
function realMain(values) {
  const shape = values.shape;
  if (!SHAPES[shape]) throw new Error(`--shape: "${shape}" is not one of ${Object.keys(SHAPES).join(', ')}`);
  if (!fs.existsSync(path.join(root, 'dist', 'index.js'))) throw new Error('dist/index.js missing: run npm run build first');
  const { threads, reps, rounds, microBatch: micro } = values;
  const t0 = Date.now(), load0 = os.loadavg();
  const file = path.join(root, 'results', 'bench-llm-real.json');
  const prev = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { shapes: {} };
  // thread counts measured earlier for this shape are kept unless measured again
  const byThreads = { ...(prev.shapes?.[shape]?.byThreads ?? {}) };
  for (const t of threads) byThreads[t] = measure(shape, t, reps, rounds, micro);
  const t0s = Object.keys(byThreads).map((k) => Number(k)).sort((a, b) => a - b)[0];
  const first = byThreads[t0s];
  const pick = (s) => ({ kit: first[s].kit, torch: first[s].torch, ratio: first[s].ratio });
  const entry = {
    ok: Object.values(byThreads).every((b) => b.ok), error: first.error, microBatch: first.microBatch, peakHeapMB: Math.max(...Object.values(byThreads).map((b) => b.peakHeapMB ?? 0)) || null,
    score: pick('score'), lora: pick('lora'), cora: pick('cora'), threads: t0s, config: SHAPES[shape], byThreads,
  };
  const out = {
    shapes: { ...prev.shapes, [shape]: entry },
    meta: {
      ...(prev.meta ?? {}),
      note: 'samples/s at effective batch 16, T=160, random weights of the real config; ratio = median over rounds of kit / PyTorch (kit and PyTorch alternate, the machine is shared: see uptime); training steps in the kit\'s planned micro-batches (PyTorch runs the same passes); top-level score/lora/cora at the lowest thread count, byThreads per count',
      run: RUN,
      [shape]: { ...(prev.meta?.[shape] ?? {}), [`threads${threads.join(',')}`]: { date: new Date().toISOString(), rounds, reps, wallSeconds: (Date.now() - t0) / 1000, loadavgStart: load0, loadavgEnd: os.loadavg(), uptime: spawnSync('uptime', { encoding: 'utf8' }).stdout.trim() } },
      node: process.version, host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGB: Math.round(os.totalmem() / 2 ** 30) },
    },
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  for (const t of threads) {
    const b = byThreads[t];
    process.stdout.write(`\n${shape}, ${t} thread${t > 1 ? 's' : ''}: micro-batch ${b.microBatch}, peak heap ${b.peakHeapMB} MiB${b.ok ? '' : `, FAILED: ${b.error}`}\n`);
    for (const s of STEPS) process.stdout.write(`  ${s.padEnd(6)} kit ${b[s].kit?.toFixed(2) ?? '-'}  PyTorch ${b[s].torch?.toFixed(2) ?? '-'}  ratio ${b[s].ratio?.toFixed(2) ?? '-'} samples/s\n`);
  }
  process.stdout.write(`wrote ${path.relative(root, file)}\n`);
}

module.exports = { SHAPES, kitWorker, realMain };
