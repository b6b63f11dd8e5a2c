// Mapped CoLLM tokens next to a tiny random decoder's embedding table: the mapping is found by name,
// mapped vectors are the mapping of the CF embeddings, norms and cosine neighbours match hand
// computations (a scaled copy of a table row is its own nearest row), the report is consistent; no leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { makeRng } from '../../src/core/rng';
import { cfSpec } from '../../src/cf/registry';
import type { CFModel } from '../../src/cf/types';
import { collmMappingOf, inspectMappedTokens, mappedTokenRows, mappedTokens, nearestRowsByCosine, pairwiseCosines, rowL2Norms } from '../../src/analysis/collm-inspect';
import { applyMapping } from '../../src/collm/mapping';
import { cfEmbeddings } from '../../src/cf/backbone';
import { collmMethod } from '../../src/collm/method';
import { syntheticWorld } from '../../src/data/synthetic';
import { initLora, type Lora } from '../../src/llm/adapters';
import { makeLlamaConfig } from '../../src/llm/config';
import { randomLlama } from '../../src/llm/init';
import type { LlamaModel } from '../../src/llm/weights';
import { disposeLlama } from '../../src/llm/weights';
import type { RecMethod } from '../../src/rec/method';
import { TALLREC_LORA } from '../../src/rec/text-methods';

const ds = syntheticWorld('tiny');
const split = ds.splits.test;
const cfg = makeLlamaConfig({ vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 });
const spec = cfSpec('mf');
let llm: LlamaModel, mf: CFModel, lora: Lora, method: RecMethod;
beforeAll(async () => {
  await initBackend('wasm');
  llm = randomLlama(cfg, 3, { std: 0.3 });
  mf = spec.init(spec.makeConfig({ dEmb: 8 }, { nUsers: ds.nUsers, nItems: ds.nItems }), makeRng(0), ds.splits.train);
  lora = initLora(llm, TALLREC_LORA, 0);
  method = collmMethod(llm, 5, { spec, model: mf }, { variant: 'stage2', lora, seed: 1 });
});
afterAll(() => {
  method.dispose();
  tf.dispose([...Object.values(mf.params), ...Object.values(mf.buffers), ...Object.values(lora.params)]);
  disposeLlama(llm);
});

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `entry ${i}`).toBeLessThan(tol);
};

describe('CoLLM mapped-token inspection', () => {
  it('collmMappingOf finds the four mapping parameters and refuses other methods', () => {
    expect(Object.keys(collmMappingOf(method)).sort()).toEqual(['mapping.0.bias', 'mapping.0.weight', 'mapping.2.bias', 'mapping.2.weight']);
    expect(() => collmMappingOf({ name: 'tallrec', params: lora.params })).toThrow(/tallrec.*mapping\.0\.weight/);
  });

  it('mappedTokens maps the CF user and item embeddings of the rows, without leaks', () => {
    const rows = [0, 3, 7];
    const before = tf.memory().numTensors;
    const got = mappedTokens(collmMappingOf(method), { spec, model: mf }, split, rows);
    expect(got.user.shape).toEqual([3, 16]);
    expect(got.item.shape).toEqual([3, 16]);
    const want = tf.tidy(() => {
      const e = cfEmbeddings({ spec, model: mf }, split, rows, { training: false, seed: 0 });
      const m = collmMappingOf(method);
      return { user: applyMapping(m, e.user), item: applyMapping(m, e.item) };
    });
    close(got.user.dataSync(), want.user.dataSync());
    close(got.item.dataSync(), want.item.dataSync());
    tf.dispose([got.user, got.item, want.user, want.item]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rowL2Norms and nearestRowsByCosine match hand computations', () => {
    const before = tf.memory().numTensors;
    const table = tf.tensor2d([[1, 0], [0, 2], [-3, 0], [1, 1]]);
    const vecs = tf.tensor2d([[5, 0], [0.1, 0.2], [-1, 1]]);
    close(rowL2Norms(table), [1, 2, 3, Math.SQRT2]);
    const near = nearestRowsByCosine(vecs, table, 2);
    expect(near[0]!.map((n) => n.id)).toEqual([0, 3]);
    close(near[0]!.map((n) => n.cosine), [1, 1 / Math.SQRT2]);
    expect(near[1]!.map((n) => n.id)).toEqual([3, 1]);
    close(near[1]!.map((n) => n.cosine), [0.3 / (Math.hypot(0.1, 0.2) * Math.SQRT2), 0.4 / (Math.hypot(0.1, 0.2) * 2)]);
    expect(near[2]!.map((n) => n.id).sort()).toEqual([1, 2]);
    close(near[2]!.map((n) => n.cosine), [1 / Math.SQRT2, 1 / Math.SQRT2]);
    expect(nearestRowsByCosine(vecs, table, 10)[0]).toHaveLength(4);
    close(pairwiseCosines(table), [0, -1, 1 / Math.SQRT2, 0, 1 / Math.SQRT2, -1 / Math.SQRT2]);
    expect(tf.tidy(() => pairwiseCosines(vecs.slice([0, 0], [1, 2])).length)).toBe(0);
    const wide = tf.zeros([1, 3]) as tf.Tensor2D;
    expect(() => nearestRowsByCosine(wide, table, 1)).toThrow(/width 3.*2/);
    tf.dispose([table, vecs, wide]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('inspectMappedTokens reports norms and decoded neighbours of users then items, without leaks', () => {
    const rows = [1, 4];
    const before = tf.memory().numTensors;
    const rep = inspectMappedTokens({ method, cf: { spec, model: mf }, llm, split, rows, k: 3, decode: (ids) => `t${ids.join(',')}` });
    expect(tf.memory().numTensors).toBe(before);
    expect(rep.tokenNorms).toHaveLength(40);
    close(rep.tokenNorms, rowL2Norms(llm.weights.embed));
    expect(rep.mapped.map((m) => [m.kind, m.row, m.index])).toEqual([
      ['user', 1, split.userIdx[1]], ['user', 4, split.userIdx[4]], ['item', 1, split.itemIdx[1]], ['item', 4, split.itemIdx[4]],
    ]);
    const mt = mappedTokens(collmMappingOf(method), { spec, model: mf }, split, rows);
    close(rep.mapped.slice(0, 2).map((m) => m.norm), rowL2Norms(mt.user));
    const near = nearestRowsByCosine(mt.item, llm.weights.embed, 3);
    close(rep.mappedPairCosine.user, pairwiseCosines(mt.user));
    const e = cfEmbeddings({ spec, model: mf }, split, rows, { training: false, seed: 0 });
    close(rep.mapped.slice(2).map((m) => m.cfNorm), rowL2Norms(e.item));
    tf.dispose([e.user, e.item]);
    tf.dispose([mt.user, mt.item]);
    for (const m of rep.mapped) {
      expect(m.nearest).toHaveLength(3);
      expect(m.nearest.map((n) => n.text)).toEqual(m.nearest.map((n) => `t${n.id}`));
      expect(m.nearest[0]!.cosine).toBeGreaterThanOrEqual(m.nearest[2]!.cosine);
    }
    expect(rep.mapped[3]!.nearest.map((n) => n.id)).toEqual(near[1]!.map((n) => n.id));
    expect(rep.mappedPairCosine.user).toHaveLength(1);
    expect(rep.mappedPairCosine.item).toHaveLength(1);
  });

  it('inspectMappedTokens: reference cosines of real tokens with their nearest other token', () => {
    const rep = inspectMappedTokens({ method, cf: { spec, model: mf }, llm, split, rows: [0], referenceTokens: 6, seed: 2 });
    expect(rep.realNearestCosine).toHaveLength(6);
    // by hand for every token: the largest cosine with another row of the table
    const e = llm.weights.embed.arraySync();
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
    const best = e.map((a, i) => Math.max(...e.filter((_, j) => j !== i).map((b) => cos(a, b))));
    for (const c of rep.realNearestCosine) expect(best.some((b) => Math.abs(b - c) < 1e-5), `cosine ${c}`).toBe(true);
    expect(inspectMappedTokens({ method, cf: { spec, model: mf }, llm, split, rows: [0], referenceTokens: 0 }).realNearestCosine).toHaveLength(0);
  });

  it('mappedTokenRows: norm, share of real tokens with a smaller norm, nearest tokens as text and cosine', () => {
    const report = {
      tokenNorms: Float32Array.from([1, 2, 3, 4]), realNearestCosine: new Float32Array(0), mappedPairCosine: { user: new Float32Array(0), item: new Float32Array(0) },
      mapped: [
        { kind: 'user' as const, row: 0, index: 12, norm: 3.5, cfNorm: 0.5, nearest: [{ id: 7, cosine: 0.25, text: ' the' }, { id: 9, cosine: 0.125, text: '' }] },
        { kind: 'item' as const, row: 0, index: 3, norm: 0.5, cfNorm: 0, nearest: [{ id: 1, cosine: -0.5, text: 'a' }, { id: 2, cosine: -0.6, text: 'b' }] },
      ],
    };
    expect(mappedTokenRows(report)).toEqual([
      { vector: 'user 12', cfNorm: 0.5, norm: 3.5, normAboveTokens: 0.75, 'nearest 1': '" the" 0.25', 'nearest 2': '"#9" 0.13' },
      { vector: 'item 3', cfNorm: 0, norm: 0.5, normAboveTokens: 0, 'nearest 1': '"a" -0.50', 'nearest 2': '"b" -0.60' },
    ]);
  });
});
