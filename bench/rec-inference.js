#!/usr/bin/env node
// Benchmark: inference cost of the LLM recommenders. Scores the same test rows of the embedded world
// with the base LLM, TALLRec (LoRA unmerged and merged), CoLLM-MF and CoRA-MF on the shipped model,
// in one process, and prints samples/s and the cost relative to the base LLM. Parameters are freshly
// initialised: the compute per sample does not depend on their values (CoRA's update is applied even
// though P starts at zero). Writes results/bench-rec-inference.json.
// Usage: npm run bench:rec [-- --rows 256 --batch 32 --reps 3]
'use strict';
const fs = require('fs');
const path = require('path');
const { benchArgs } = require('./bench-args');

const root = path.resolve(__dirname, '..');

async function main() {
  const { values } = benchArgs(__filename, { rows: { type: 'string', default: '256' }, batch: { type: 'string', default: '32' }, reps: { type: 'string', default: '3' }, llm: { type: 'string' } });
  const { intFlag } = require(path.join(root, 'dist', 'cli', 'args.js'));  // strict decimal integers, errors name the flag
  const rows = intFlag(values, 'rows', { min: 1 }), batch = intFlag(values, 'batch', { min: 1 }), reps = intFlag(values, 'reps', { min: 1 });
  const tf = require('@tensorflow/tfjs');
  const kit = require(path.join(root, 'dist', 'index.js'));
  const backend = await kit.initBackend(kit.readEnv('CFLLM_BACKEND'));
  const run = kit.startRun(0, backend, root);
  const llmDir = kit.resolveModelDir(values.llm);
  const llm = kit.loadHfModel(llmDir);
  const tok = await kit.loadTokenizer(llmDir);
  const yesId = kit.answerTokenId(tok), padId = tok.eosId ?? 0;
  const ds = kit.loadDataset('synthetic');
  const split = kit.sampleSplit(ds.splits.test, rows, 1);
  const mfCfg = kit.MF.makeConfig({}, { nUsers: ds.nUsers, nItems: ds.nItems });
  const cf = { spec: kit.MF, model: kit.MF.init(mfCfg, kit.makeRng(0), ds.splits.train) };
  const lora = kit.initLora(llm, kit.TALLREC_LORA, 0);
  const enc = { tallrec: kit.encodePrompts('tallrec', ds, split, tok), collm: kit.encodePrompts('collm', ds, split, tok) };
  const meanTokens = (e) => e.ids.reduce((a, x) => a + x.length, 0) / e.ids.length;
  const methods = [
    ['base LLM', kit.baseMethod(llm, yesId)],
    ['TALLRec (LoRA unmerged)', kit.tallrecMethod(llm, yesId, { lora })],
    ['CoLLM-MF', kit.collmMethod(llm, yesId, cf, { variant: 'stage2', lora, seed: 0 })],
    ['CoRA-MF', kit.coraMethod(llm, yesId, cf, kit.makeCoraOptions({}, 'mf'), 0)],
  ];
  const time = async (m) => {
    await kit.scoreRows(m, enc[m.promptKind], split, padId, batch, [...Array(Math.min(batch, rows)).keys()]);
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) await kit.scoreRows(m, enc[m.promptKind], split, padId, batch);
    return (rows * reps) / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  const out = [];
  for (const [name, m] of methods) out.push({ method: name, promptKind: m.promptKind, samplesPerSecond: await time(m) });
  const merged = kit.mergeLora(llm, lora);
  out.splice(2, 0, { method: 'TALLRec (LoRA merged)', promptKind: 'tallrec', samplesPerSecond: await time(kit.baseMethod(merged, yesId)) });
  kit.disposeMerged(merged, lora);
  const base = out[0].samplesPerSecond;
  const tokens = { tallrec: meanTokens(enc.tallrec), collm: meanTokens(enc.collm) };
  process.stdout.write(`\nscoring ${rows} test rows of the embedded world, batch ${batch}, ${reps} reps; ${path.relative(root, llmDir)}; ${backend.name} (${backend.matmulPath})\n`);
  process.stdout.write(`mean prompt tokens: TALLRec/CoRA ${tokens.tallrec.toFixed(1)}, CoLLM ${tokens.collm.toFixed(1)}\n\n`);
  process.stdout.write('method                     samples/s   cost vs base\n');
  for (const r of out) process.stdout.write(`${r.method.padEnd(26)} ${r.samplesPerSecond.toFixed(1).padStart(9)}   ${(base / r.samplesPerSecond).toFixed(2)}x\n`);
  for (const [, m] of methods) m.dispose();
  const file = path.join(root, 'results', 'bench-rec-inference.json');
  kit.writeJsonAtomic(file, { kind: 'bench-rec-inference', rows, batch, reps, llm: path.relative(root, llmDir), meanPromptTokens: tokens, results: out.map((r) => ({ ...r, costVsBase: base / r.samplesPerSecond })), meta: run.finish() });
  process.stdout.write(`\nwrote ${path.relative(root, file)}\n`);
}

main().catch((e) => { process.stderr.write(`bench:rec: ${e.message}\n`); process.exit(1); });
