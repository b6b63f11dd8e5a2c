// The three timed LLM steps of bench/llm-bench.js and bench/llm-profile.js on the benchmark config
// (4 layers, d=256, 4 heads, FFN 768, vocab 8000, T=128, B=8): forward (next-token loss), a LoRA
// training step (r=8 on q,v) and a per-sample-adapter training step (r=8, q/k/v/o), with Adam.
'use strict';
const path = require('path');

const root = path.resolve(__dirname, '..');
const CONFIG = { nLayers: 4, dModel: 256, nHeads: 4, ffn: 768, vocab: 8000, seqLen: 128, batch: 8, rank: 8 };

/** Initialises the backend and builds the model, adapters and step closures; returns { tf, info, steps }. */
async function makeSteps() {
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
  return { tf, info, steps };
}

module.exports = { CONFIG, makeSteps, root };
