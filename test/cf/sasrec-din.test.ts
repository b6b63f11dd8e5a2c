// SASRec and DIN: shapes, no tensor leaks, invariance to extra left padding, dependence on the
// history, seeded dropout, gradients to every parameter, learning a history-borne signal, checkpoint
// round trips, config checks and registration.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/backend';
import { disposeAdamState, initAdamState } from '../../src/core/optim';
import { makeRng } from '../../src/core/rng';
import { disposeCFBatch, toCFBatch } from '../../src/cf/batch';
import { loadCFCheckpoint, saveCFCheckpoint } from '../../src/cf/checkpoint';
import { DIN } from '../../src/cf/din';
import { CF_KINDS, CF_TRAIN_PRESETS, cfSpec } from '../../src/cf/registry';
import { encodeHistory, SASREC } from '../../src/cf/sasrec';
import { cfLoss, makeCFTrainConfig, scoreSplit, trainEpoch } from '../../src/cf/train';
import type { CFBatch, CFCommonConfig, CFModel, CFSpec } from '../../src/cf/types';
import { makeRowBatch } from '../../src/data/batching';
import { auc } from '../../src/metrics/auc';
import { plantedSplit } from './helpers';
import type { ForwardMode } from '../../src/core/types';

beforeAll(async () => {
  await initBackend('wasm');
});

const dims = { nUsers: 30, nItems: 40 };
const EVAL: ForwardMode = { training: false, seed: 0 };
const dispose = (m: CFModel) => tf.dispose([...Object.values(m.params), ...Object.values(m.buffers)]);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sasrec-din-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Histories carry the label's signal: every row's history holds 1..6 items of its user's parity, and
 * label = 1 when the target has that parity. Users are drawn from [userOffset, userOffset + nUsers),
 * so a split of users never trained on can only be scored through the history.
 */
function historySplit(n: number, seed: number, userOffset = 0, nUsers = dims.nUsers) {
  const rng = makeRng(seed + 1000);
  const s = plantedSplit(nUsers, dims.nItems, n, seed, (_r, u) =>
    Array.from({ length: 1 + rng.int(6) }, () => 2 * rng.int(dims.nItems / 2) + ((u + userOffset) % 2)));
  return { ...s, userIdx: s.userIdx.map((u) => u + userOffset), label: s.label.map((l, r) => (s.itemIdx[r]! % 2 === (s.userIdx[r]! + userOffset) % 2 ? 1 : 0)) };
}

/** A batch from explicit rows: hist rows are given most recent last and left-padded to width L with nItems. */
function manualBatch(users: number[], items: number[], hists: number[][], L: number): CFBatch {
  const flat: number[] = [];
  for (const h of hists) {
    if (h.length > L) throw new Error('history longer than L');
    flat.push(...new Array<number>(L - h.length).fill(dims.nItems), ...h);
  }
  return {
    userIdx: tf.tensor1d(users, 'int32'), itemIdx: tf.tensor1d(items, 'int32'),
    label: tf.tensor1d(users.map(() => 1), 'float32'), hist: tf.tensor2d(flat, [users.length, L], 'int32'),
  };
}

const scores = (spec: CFSpec<CFCommonConfig>, m: CFModel, b: CFBatch, mode: ForwardMode = EVAL): number[] => {
  const s = spec.score(m, b, mode);
  const out = Array.from(s.dataSync());
  s.dispose();
  return out;
};

const specs: Array<[string, CFSpec<CFCommonConfig>, Record<string, unknown>, number]> = [
  ['sasrec', SASREC as unknown as CFSpec<CFCommonConfig>, { dEmb: 16, maxHistory: 8, nBlocks: 2, nHeads: 2, dropout: 0.2, initStd: 0.1 }, 16],
  ['din', DIN as unknown as CFSpec<CFCommonConfig>, { dEmb: 24, maxHistory: 8, dropout: 0.2, attnHidden: [16, 8], mlpHidden: [32, 16] }, 24],
];

describe.each(specs)('%s', (name, spec, opts, dEmb) => {
  const split = historySplit(800, 1);
  const build = (seed: number, extra: Record<string, unknown> = {}) => spec.init(spec.makeConfig({ ...opts, ...extra }, dims), makeRng(seed), split);

  it('scores [B] and represents users/items as [B, dEmb] without leaking tensors', () => {
    const m = build(1);
    const b = toCFBatch(makeRowBatch(split, [0, 1, 2, 3, 4], m.config.maxHistory, dims.nItems));
    const before = tf.memory().numTensors;
    for (const mode of [EVAL, { training: true, seed: 3 }]) {
      const s = spec.score(m, b, mode), u = spec.userRepr(m, b, mode), i = spec.itemRepr(m, b, mode);
      expect(s.shape).toEqual([5]);
      expect(u.shape).toEqual([5, dEmb]);
      expect(i.shape).toEqual([5, dEmb]);
      expect(Array.from(s.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([s, u, i]);
    }
    expect(tf.memory().numTensors).toBe(before);
    disposeCFBatch(b);
    dispose(m);
  });

  it('gives the same scores whatever the extra left padding', () => {
    const m = build(2);
    const users = [0, 1, 2, 3], items = [5, 6, 7, 8], hists = [[3, 9, 12], [1], [], [4, 4, 10, 11, 30]];
    const widths = [5, 8, 12];
    const out = widths.map((L) => {
      const b = manualBatch(users, items, hists, L);
      const s = scores(spec, m, b);
      disposeCFBatch(b);
      return s;
    });
    for (const s of out.slice(1)) s.forEach((v, k) => expect(v).toBeCloseTo(out[0]![k]!, 5));
    dispose(m);
  });

  it('reads only the last maxHistory items', () => {
    const m = build(2);
    const recent = [3, 9, 12, 5, 7, 1, 2, 8];
    const a = manualBatch([0], [5], [[20, ...recent]], 9), b = manualBatch([0], [5], [[21, ...recent]], 9);
    expect(scores(spec, m, a)[0]).toBeCloseTo(scores(spec, m, b)[0]!, 5);
    tf.dispose([a, b].flatMap((x) => [x.userIdx, x.itemIdx, x.label, x.hist]));
    dispose(m);
  });

  it('depends on the history', () => {
    const m = build(3);
    const a = manualBatch([0, 0], [5, 5], [[3, 9, 12], [3, 9, 13]], 8);
    const [s0, s1] = scores(spec, m, a);
    expect(Math.abs(s0! - s1!)).toBeGreaterThan(1e-6);
    const uRepr = spec.userRepr(m, a, EVAL);
    const [u0, u1] = tf.tidy(() => tf.unstack(uRepr).map((t) => Array.from(t.dataSync())));
    expect(u0).not.toEqual(u1);
    uRepr.dispose();
    disposeCFBatch(a);
    dispose(m);
  });

  it('applies seeded dropout only in training mode', () => {
    const m = build(4);
    const b = toCFBatch(makeRowBatch(split, [0, 1, 2, 3, 4, 5, 6, 7], m.config.maxHistory, dims.nItems));
    const ev = scores(spec, m, b);
    expect(scores(spec, m, b)).toEqual(ev);
    const t1 = scores(spec, m, b, { training: true, seed: 11 });
    expect(scores(spec, m, b, { training: true, seed: 11 })).toEqual(t1);
    expect(scores(spec, m, b, { training: true, seed: 12 })).not.toEqual(t1);
    expect(t1).not.toEqual(ev);
    const m0 = build(4, { dropout: 0 });
    expect(scores(spec, m0, b, { training: true, seed: 11 })).toEqual(scores(spec, m0, b));
    disposeCFBatch(b);
    dispose(m);
    dispose(m0);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const run = async (seed: number) => {
      const m = build(seed);
      const s = await scoreSplit(spec, m, split, 128);
      dispose(m);
      return Array.from(s);
    };
    expect(await run(3)).toEqual(await run(3));
    expect(await run(3)).not.toEqual(await run(4));
  });

  it('sends a gradient to every parameter', () => {
    const m = build(5);
    const b = toCFBatch(makeRowBatch(split, Array.from({ length: 64 }, (_, i) => i), m.config.maxHistory, dims.nItems));
    const vars = Object.values(m.params);
    const { value, grads } = tf.variableGrads(() => cfLoss(spec, m, b, { training: true, seed: 1 }), vars);
    for (const [k, v] of Object.entries(m.params)) {
      const g = tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]!);
      expect(g, k).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads)]);
    disposeCFBatch(b);
    dispose(m);
  });

  it('learns a signal carried by the histories (AUC on users it never trained on) without leaking tensors per epoch', async () => {
    const m = build(6);
    const train = historySplit(800, 1, 0, 20), unseen = historySplit(400, 99, 20, 10);
    const cfg = makeCFTrainConfig({ lr: 1e-2, weightDecay: 0, batchSize: 64 });
    const st = initAdamState(m.params);
    const aucBefore = auc(unseen.label, await scoreSplit(spec, m, unseen, 256));
    await trainEpoch(spec, m, train, cfg, st, makeRng(5));
    const before = tf.memory().numTensors;
    for (let e = 0; e < 7; e++) await trainEpoch(spec, m, train, cfg, st, makeRng(6 + e));
    expect(tf.memory().numTensors).toBe(before);
    const aucAfter = auc(unseen.label, await scoreSplit(spec, m, unseen, 256));
    expect(aucAfter).toBeGreaterThan(0.8);
    expect(aucAfter).toBeGreaterThan(aucBefore + 0.1);
    disposeAdamState(st);
    dispose(m);
  });

  it('round-trips through a checkpoint with identical scores', async () => {
    const m = build(7);
    const cfg = makeCFTrainConfig({ lr: 1e-2, weightDecay: 1e-4, batchSize: 128 });
    const st = initAdamState(m.params);
    await trainEpoch(spec, m, split, cfg, st, makeRng(1));
    const file = path.join(tmp, `${name}.safetensors`);
    saveCFCheckpoint(file, m, st);
    const m2 = build(8);
    const before = tf.memory().numTensors;
    loadCFCheckpoint(file, m2, null);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(await scoreSplit(spec, m2, split, 256))).toEqual(Array.from(await scoreSplit(spec, m, split, 256)));
    disposeAdamState(st);
    dispose(m);
    dispose(m2);
  });

  it('rejects invalid configs with the offending value', () => {
    expect(() => spec.makeConfig({ ...opts, dEmb: 0 }, dims)).toThrow(/dEmb must be an integer >= 1, got 0/);
    expect(() => spec.makeConfig({ ...opts, maxHistory: 0 }, dims)).toThrow(/maxHistory must be an integer >= 1, got 0/);
    expect(() => spec.makeConfig({ ...opts, dropout: 1 } as Record<string, unknown>, dims)).toThrow(/dropout must be in \[0, 0.99\], got 1/);
    expect(() => spec.makeConfig({ ...opts, bogus: 1 } as Record<string, number>, dims)).toThrow(/unknown field "bogus"/);
  });
});

describe('SASRec specifics', () => {
  it('scores the inner product of the sequence encoding and the item embedding', () => {
    const split = historySplit(50, 2);
    const m = SASREC.init(SASREC.makeConfig({ dEmb: 8, maxHistory: 4 }, dims), makeRng(1), split);
    const b = toCFBatch(makeRowBatch(split, [0, 1, 2, 3, 4], 4, dims.nItems));
    const s = SASREC.score(m, b, EVAL), u = SASREC.userRepr(m, b, EVAL), i = SASREC.itemRepr(m, b, EVAL);
    const dot = tf.tidy(() => tf.sum(tf.mul(u, i), -1).dataSync());
    Array.from(s.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(dot[k]!, 4));
    // the item representation is the raw embedding row
    const row = tf.tidy(() => tf.gather(m.params['itemEmb']!, b.itemIdx).dataSync());
    expect(Array.from(i.dataSync())).toEqual(Array.from(row));
    tf.dispose([s, u, i]);
    disposeCFBatch(b);
    dispose(m);
  });

  it('computes the same last-position encoding with and without the lastOnly shortcut', () => {
    for (const nBlocks of [0, 1, 2]) {
      const m = SASREC.init(SASREC.makeConfig({ dEmb: 8, maxHistory: 6, nBlocks }, dims), makeRng(1), historySplit(10, 2));
      const b = manualBatch([0, 1, 2], [1, 2, 3], [[3, 9, 12, 5, 7, 1], [4], []], 6);
      const [full, last] = tf.tidy(() => {
        const f = encodeHistory(m, b.hist, EVAL);
        return [tf.slice(f, [0, 5, 0], [3, 1, 8]).dataSync(), encodeHistory(m, b.hist, EVAL, true).dataSync()];
      });
      Array.from(last!).forEach((v, k) => expect(v).toBeCloseTo(full![k]!, 5));
      disposeCFBatch(b);
      dispose(m);
    }
  });

  it('encodes an empty history as the last layer norm of zeros (its bias), as the official code does', () => {
    const m = SASREC.init(SASREC.makeConfig({ dEmb: 8, maxHistory: 4 }, dims), makeRng(1), historySplit(10, 2));
    m.params['lastNorm.bias']!.assign(tf.tidy(() => tf.range(0, 8, 1, 'float32')));
    for (const L of [0, 3]) {
      const b = manualBatch([0], [1], [[]], L);
      const u = SASREC.userRepr(m, b, EVAL);
      expect(Array.from(u.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      u.dispose();
      disposeCFBatch(b);
    }
    dispose(m);
  });

  it('has the CoLLM defaults', () => {
    const c = SASREC.makeConfig({}, dims);
    expect([c.dEmb, c.nBlocks, c.nHeads, c.dropout, c.maxHistory, c.maskPadding]).toEqual([64, 2, 1, 0.2, 25, true]);
    expect(() => SASREC.makeConfig({ dEmb: 10, nHeads: 3 }, dims)).toThrow(/divisible by nHeads, got dEmb 10 and nHeads 3/);
  });
});

describe('DIN specifics', () => {
  it('splits dEmb into user, item and history fields of dEmb / 3, with CoLLM widths', () => {
    const c = DIN.makeConfig({}, dims);
    expect([c.dEmb, c.maxHistory, c.dropout, [...c.attnHidden], [...c.mlpHidden]]).toEqual([192, 10, 0.2, [64, 16], [200, 80]]);
    const m = DIN.init(c, makeRng(1), historySplit(10, 2));
    expect(m.params['userEmb']!.shape).toEqual([dims.nUsers, 64]);
    expect(m.params['itemEmb']!.shape).toEqual([dims.nItems, 64]);
    expect(m.params['histEmb']!.shape).toEqual([dims.nItems, 64]);
    expect(m.params['attn.fc.0.weight']!.shape).toEqual([256, 64]);
    expect(m.params['mlp.0.weight']!.shape).toEqual([192, 200]);
    expect(m.params['mlp.2.weight']!.shape).toEqual([80, 1]);
    dispose(m);
    expect(() => DIN.makeConfig({ dEmb: 100 }, dims)).toThrow(/divisible by 3.*got 100/);
    expect(() => DIN.makeConfig({ mlpHidden: [] }, dims)).toThrow(/mlpHidden must be a non-empty array/);
  });

  it('represents a row as [e_item, pooled history, e_user] and the item as e_item tiled 3 times', () => {
    const m = DIN.init(DIN.makeConfig({ dEmb: 12, maxHistory: 4 }, dims), makeRng(1), historySplit(10, 2));
    const b = manualBatch([3], [7], [[]], 4);
    const u = DIN.userRepr(m, b, EVAL), i = DIN.itemRepr(m, b, EVAL);
    const e = (key: string, r: number) => Array.from(m.params[key]!.dataSync().slice(4 * r, 4 * r + 4));
    const uv = Array.from(u.dataSync()), iv = Array.from(i.dataSync());
    expect(uv.slice(0, 4)).toEqual(e('itemEmb', 7));
    expect(uv.slice(4, 8)).toEqual([0, 0, 0, 0]); // no history: nothing pooled
    expect(uv.slice(8, 12)).toEqual(e('userEmb', 3));
    expect(iv).toEqual([...e('itemEmb', 7), ...e('itemEmb', 7), ...e('itemEmb', 7)]);
    tf.dispose([u, i]);
    disposeCFBatch(b);
    dispose(m);
  });
});

describe('golden forward passes (numpy transcription of CoLLM, scripts/golden/sasrec-din-goldens.py)', () => {
  type T = { shape: number[]; data: number[] };
  type Out = { userRepr: number[]; score: number[] };
  const G = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'cf', 'sasrec-din-goldens.json'), 'utf8')) as {
    nUsers: number; nItems: number; hist: number[][]; userIdx: number[]; itemIdx: number[];
    sasrec: { config: Record<string, unknown>; params: Record<string, T>; maskPadding: Out; officialPort: Out };
    din: { config: Record<string, unknown>; params: Record<string, T> } & Out;
  };
  const gdims = { nUsers: G.nUsers, nItems: G.nItems };
  const check = (spec: CFSpec<CFCommonConfig>, config: Record<string, unknown>, params: Record<string, T>, want: Out) => {
    const m = spec.init(spec.makeConfig(config, gdims), makeRng(1), historySplit(10, 2));
    expect(Object.keys(m.params).sort()).toEqual(Object.keys(params).sort());
    for (const [k, v] of Object.entries(m.params)) {
      expect(v.shape, k).toEqual(params[k]!.shape);
      tf.tidy(() => v.assign(tf.tensor(params[k]!.data, params[k]!.shape, 'float32')));
    }
    const b: CFBatch = {
      userIdx: tf.tensor1d(G.userIdx, 'int32'), itemIdx: tf.tensor1d(G.itemIdx, 'int32'),
      label: tf.zeros([G.userIdx.length]), hist: tf.tensor2d(G.hist, undefined, 'int32'),
    };
    const s = spec.score(m, b, EVAL), u = spec.userRepr(m, b, EVAL);
    Array.from(s.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(want.score[k]!, 4));
    Array.from(u.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(want.userRepr[k]!, 4));
    tf.dispose([s, u]);
    disposeCFBatch(b);
    dispose(m);
  };

  it('SASRec with padding masked', () => check(SASREC as unknown as CFSpec<CFCommonConfig>, G.sasrec.config, G.sasrec.params, G.sasrec.maskPadding));
  it('SASRec as CoLLM\'s port (maskPadding: false)', () =>
    check(SASREC as unknown as CFSpec<CFCommonConfig>, { ...G.sasrec.config, maskPadding: false }, G.sasrec.params, G.sasrec.officialPort));
  it('DIN', () => check(DIN as unknown as CFSpec<CFCommonConfig>, G.din.config, G.din.params, G.din));
});

describe('registry', () => {
  it('ships sasrec and din with their CoLLM training presets', () => {
    expect(cfSpec('sasrec')).toBe(SASREC);
    expect(cfSpec('din')).toBe(DIN);
    expect(CF_KINDS).toEqual(['mf', 'lightgcn', 'sasrec', 'din']);
    expect(CF_TRAIN_PRESETS.sasrec).toEqual({ lr: 1e-2, weightDecay: 1e-2, batchSize: 2048, patience: 100 });
    expect(CF_TRAIN_PRESETS.din).toEqual({ lr: 1e-4, weightDecay: 1e-4 });
  });
});
