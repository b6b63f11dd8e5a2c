// The content baseline: features from item metadata, a score that ignores user and item ids, learning on
// the synthetic world's train rows, no tensor leaks, clear errors.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { disposeCFBatch, toCFBatch } from '../../src/cf/batch';
import { CONTENT, contentFeatures } from '../../src/cf/content';
import { cfSpec } from '../../src/cf/registry';
import { initAdamState, disposeAdamState } from '../../src/core/optim';
import { makeRng } from '../../src/core/rng';
import { makeCFTrainConfig, scoreSplit, trainEpoch } from '../../src/cf/train';
import { makeRowBatch } from '../../src/data/batching';
import { syntheticWorld } from '../../src/data/synthetic';
import { auc } from '../../src/metrics/auc';

const ds = syntheticWorld('tiny');
beforeAll(async () => {
  await initBackend('wasm');
});

describe('content model', () => {
  it('is registered and builds genre / year tables with a zero padding row', () => {
    expect(cfSpec('content')).toBe(CONTENT);
    const f = contentFeatures([{ title: 'a', genres: ['Drama', 'Comedy'], year: 1990 }, { title: 'b', genres: ['Drama'], year: 2000 }, { title: 'c', genres: [], year: null }], 4);
    expect(f.genreNames).toEqual(['Comedy', 'Drama']);
    expect(Array.from(f.genres)).toEqual([1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(f.years.slice(0, 3))).toEqual([-1, 1, 0]);
    expect(Array.from(f.years.slice(6, 9))).toEqual([0, 0, 1]);
    expect(() => contentFeatures([{ title: 'a', genres: ['x', 'y', 'z'], year: null }], 2)).toThrow(/3 genres but dEmb is 2/);
  });
  it('needs item metadata and ignores user and item ids', () => {
    const cfg = CONTENT.makeConfig({}, { nUsers: ds.nUsers, nItems: ds.nItems });
    expect(() => CONTENT.init(cfg, makeRng(0), ds.splits.train)).toThrow(/item metadata/);
    const m = CONTENT.init(cfg, makeRng(0), ds.splits.train, ds.items);
    for (const p of Object.values(m.params)) p.assign(tf.randomNormal(p.shape, 0, 0.5, 'float32', 3));
    const rb = makeRowBatch(ds.splits.test, Array.from({ length: 64 }, (_, i) => i), cfg.maxHistory, cfg.nItems);
    const b1 = toCFBatch(rb), b2 = toCFBatch({ ...rb, userIdx: rb.userIdx.map((u) => (u + 7) % ds.nUsers) });
    const before = tf.memory().numTensors;
    const s1 = CONTENT.score(m, b1, { training: false, seed: 0 }), s2 = CONTENT.score(m, b2, { training: false, seed: 0 });
    const u = CONTENT.userRepr(m, b1, { training: false, seed: 0 }), it = CONTENT.itemRepr(m, b1, { training: false, seed: 0 });
    expect(s1.shape).toEqual([64]);
    expect(u.shape).toEqual([64, 32]);
    expect(it.shape).toEqual([64, 32]);
    expect(Array.from(s1.dataSync())).toEqual(Array.from(s2.dataSync()));
    tf.dispose([s1, s2, u, it]);
    expect(tf.memory().numTensors).toBe(before);
    disposeCFBatch(b1);
    disposeCFBatch(b2);
    tf.dispose([...Object.values(m.params), ...Object.values(m.buffers)]);
  });
  it('learns from train rows: valid AUC above 0.6 after a few epochs, loss going down', async () => {
    const cfg = CONTENT.makeConfig({}, { nUsers: ds.nUsers, nItems: ds.nItems });
    const m = CONTENT.init(cfg, makeRng(0), ds.splits.train, ds.items);
    const tc = makeCFTrainConfig({ lr: 1e-2, weightDecay: 1e-5, batchSize: 256 });
    const adam = initAdamState(m.params);
    const losses: number[] = [];
    for (let e = 0; e < 6; e++) losses.push(await trainEpoch(CONTENT, m, ds.splits.train, tc, adam, makeRng(e)));
    expect(losses[5]!).toBeLessThan(losses[0]!);
    const v = ds.splits.valid;
    expect(auc(v.label, await scoreSplit(CONTENT, m, v, 512))).toBeGreaterThan(0.6);
    disposeAdamState(adam);
    tf.dispose([...Object.values(m.params), ...Object.values(m.buffers)]);
  });
});
