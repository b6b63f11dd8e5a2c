// BinLLM end to end on the synthetic-tiny world with a small random LLM: a hash-mf code run named as
// --cf-run, stage 1 (TALLRec) trained in the run folder, stage 2 with the codes in the prompt; the run
// reloads (loadRecRun) and scores its valid rows as scores.json says, and frees every tensor.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { codeText } from '../../src/binllm/codes';
import { hashCodeBits } from '../../src/cf/hash-mf';
import { readJson } from '../../src/core/io';
import { encodePrompts } from '../../src/rec/encode';
import { rowPrompt } from '../../src/rec/prompt';
import { scoreRows } from '../../src/rec/train';
import { makeCFExperiment, runCFExperiment } from '../../src/runner/cf-experiment';
import { loadRecRun } from '../../src/runner/load-rec-run';
import { makeRecExperiment, recRunTag } from '../../src/runner/rec-config';
import { runRecExperiment } from '../../src/runner/rec-experiment';
import { tinySetting } from '../rec/helpers';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  ({ dir } = tinySetting());
  await runCFExperiment(makeCFExperiment({ dataset: 'synthetic-tiny', model: 'hash-mf', seed: 0, backend: 'wasm', train: { maxEpochs: 3, patience: 3 }, modelOptions: { dEmb: 16 } }),
    { outDir: path.join(dir, 'codes') });
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const lora = { r: 4, alpha: 8, dropout: 0.05, targets: ['q_proj', 'v_proj'] };

describe('BinLLM run', () => {
  it('gets a hash-mf backbone by default and refuses other CF models', () => {
    expect(makeRecExperiment({ dataset: 'synthetic-tiny', method: 'binllm', llmDir: dir }).cf).toEqual({ model: 'hash-mf', runDir: null });
    expect(() => makeRecExperiment({ dataset: 'synthetic-tiny', method: 'binllm', llmDir: dir, cf: { model: 'mf', runDir: null } })).toThrow(/hash-mf CF model/);
  });

  it.each(['binary', 'ipv4'] as const)('trains both stages with %s codes in the prompt, reloads and scores as saved', async (form) => {
    const outDir = path.join(dir, `run-${form}`);
    const exp = makeRecExperiment({
      dataset: 'synthetic-tiny', method: 'binllm', llmDir: dir, cf: { model: 'hash-mf', runDir: path.join(dir, 'codes') }, backend: 'wasm', seed: 2,
      options: { form, codeBits: 16, lora },
      train: { lr: 1e-2, warmupSteps: 0, batchSize: 4, itersPerEpoch: 3, maxEpochs: 1, evalBatchSize: 8 }, validRows: 12, testRows: 8,
    });
    expect(recRunTag(exp)).toBe(form === 'binary' ? 'binllm-hash-mf' : 'binllm-ipv4-hash-mf');
    const before0 = tf.memory().numTensors;
    const r = await runRecExperiment(exp, { outDir });
    expect(tf.memory().numTensors).toBe(before0);
    expect(r.method).toBe(form === 'binary' ? 'binllm' : 'binllm-ipv4');
    expect(fs.existsSync(path.join(outDir, 'stage1', 'best.safetensors'))).toBe(true);
    const saved = readJson<{ valid: { rowId: number[]; logit: number[] } }>(path.join(outDir, 'scores.json'));
    const before = tf.memory().numTensors;
    const run = await loadRecRun(outDir);
    expect(run.config).toEqual(exp);
    const m = run.method;
    expect(m.promptKind).toBe('binllm');
    // the prompt carries the row's user and item codes as text, in the chosen form
    const bits = hashCodeBits(run.cf!.model);
    const u = run.validSplit.userIdx[0]!, it0 = run.validSplit.itemIdx[0]!;
    const userText = codeText(bits.user.subarray(u * 16, u * 16 + 16), form), itemText = codeText(bits.item.subarray(it0 * 16, it0 * 16 + 16), form);
    expect(userText).toMatch(form === 'binary' ? /^[01]{16}$/ : /^\d{1,3}\.\d{1,3}$/);
    const p = rowPrompt('binllm', run.dataset, run.validSplit, 0, m.promptCodes);
    expect(p).toContain(`encoded in the feature ${userText}. Using`);
    expect(p).toContain(`with the feature ${itemText}? Answer`);
    const rows = [0, 3, 4, 9];
    const got = await scoreRows(m, encodePrompts(m.promptKind, run.dataset, run.validSplit, run.tokenizer, undefined, m.promptCodes), run.validSplit, run.padId, 3, rows);
    rows.forEach((r2, k) => expect(Math.abs(got[k]! - saved.valid.logit[r2]!), `row ${r2}`).toBeLessThan(1e-5));
    // stage 2 trained the LoRA further: it is no longer stage 1's
    const s1 = run.stage1!.lora!.params, s2 = m.lora!.params;
    const diff = Math.max(...Object.keys(s2).map((k) => tf.tidy(() => tf.max(tf.abs(tf.sub(s2[k]!, s1[k]!))).dataSync()[0]!)));
    expect(diff).toBeGreaterThan(0);
    run.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);
});
