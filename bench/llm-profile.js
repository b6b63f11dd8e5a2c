#!/usr/bin/env node
// Per-kernel time breakdown of the LLM benchmark's steps (forward, LoRA step, per-sample step; see
// bench/llm-steps.js): every kernel registered for the active backend is wrapped with a timer after a
// warm-up step, then each step runs --reps times; prints ms per step by kernel name, sorted, plus the
// time outside kernels (autodiff tape, JS glue), and writes results/profile-llm[-<tag>].json.
// Usage: npm run bench:profile [-- --reps 3 --tag before --top 20]   ($CFLLM_NATIVE, $CFLLM_BLAS_THREADS as for bench:llm)
'use strict';
const fs = require('fs');
const path = require('path');
const { benchArgs } = require('./bench-args');
const { CONFIG, makeSteps, root } = require('./llm-steps');

const { instrument } = require('./kernel-timer');

async function main() {
  const { values } = benchArgs(__filename, { reps: { type: 'string', default: '3' }, tag: { type: 'string', default: '' }, top: { type: 'string', default: '20' } });
  const { intFlag } = require(path.join(root, 'dist', 'cli', 'args.js'));  // strict decimal integers, errors name the flag
  const reps = intFlag(values, 'reps', { min: 1 }), top = intFlag(values, 'top', { min: 1 });
  const { tf, info, steps } = await makeSteps();
  for (const f of Object.values(steps)) f(); // warm-up: registers lazily-registered kernels, grows the heap
  const acc = instrument(tf, tf.getBackend());
  const result = { kind: 'profile-llm', date: new Date().toISOString(), tag: values.tag, config: { ...CONFIG, reps }, backend: info.name, matmulPath: info.matmulPath, steps: {} };
  for (const [name, f] of Object.entries(steps)) {
    f();
    acc.clear();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) f();
    const total = Number(process.hrtime.bigint() - t0) / 1e6 / reps;
    const kernels = [...acc.entries()].map(([k, e]) => ({ kernel: k, ms: e.ms / reps, calls: e.calls / reps })).sort((a, b) => b.ms - a.ms);
    const inKernels = kernels.reduce((s, k) => s + k.ms, 0);
    result.steps[name] = { msPerStep: total, tokensPerSecond: (CONFIG.batch * CONFIG.seqLen) / (total / 1000), msOutsideKernels: total - inKernels, kernels };
    process.stdout.write(`\n${name}: ${total.toFixed(1)} ms/step (${result.steps[name].tokensPerSecond.toFixed(0)} tokens/s; ${info.matmulPath}); outside kernels ${(total - inKernels).toFixed(1)} ms\n`);
    for (const k of kernels.slice(0, top)) {
      process.stdout.write(`  ${k.kernel.padEnd(24)} ${k.ms.toFixed(2).padStart(8)} ms  ${(100 * k.ms / total).toFixed(1).padStart(5)}%  ${String(k.calls).padStart(5)} calls\n`);
    }
  }
  fs.mkdirSync(path.join(root, 'results'), { recursive: true });
  const file = path.join(root, 'results', `profile-llm${values.tag ? `-${values.tag}` : ''}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`\nwrote ${path.relative(root, file)}\n`);
}

main().catch((e) => { process.stderr.write(`error: ${e.stack}\n`); process.exit(1); });
