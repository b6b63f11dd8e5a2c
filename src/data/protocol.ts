// The CoLLM data protocol: raw ratings + item metadata -> labelled train/valid/test splits with
// histories of earlier positives, remapped ids and not_cold. One builder serves ML-1M, ML-100K, the
// synthetic world and the Amazon-Book format; only the split rule differs.
// Reference: docs/methods.md §1; CoLLM dataset/ml-1m/processing_ood.ipynb.
import { makeRng } from '../core/rng';
import type { RawInteractions } from './raw';
import type { Dataset, InteractionSplit, ItemInfo, SplitName, UserInfo } from './types';

/** Inclusive range of month slots. */
export type SlotRange = readonly [number, number];

/** CoLLM's rule: month slot = (year - originYear) * 12 + (month - originMonth) in UTC; windows per split. */
export interface MonthWindowRule {
  readonly kind: 'month-window';
  readonly originYear: number;
  /** 1-based month of slot 0. */
  readonly originMonth: number;
  readonly train: SlotRange;
  readonly valid: SlotRange;
  readonly test: SlotRange;
}

/**
 * CoLLM's Amazon-Book rule: keep one year, one pass of the >minCount filter on users and items,
 * months 1..11 train, the last month sorted by time and halved into valid / test.
 */
export interface LastMonthHalvedRule {
  readonly kind: 'last-month-halved';
  readonly year: number;
  /** Users and items need MORE than this many ratings in the year (one pass). */
  readonly minCount: number;
}

/** How rows are assigned to splits. */
export type SplitRule = MonthWindowRule | LastMonthHalvedRule;

/** A complete protocol: label threshold, split rule and the valid_small share. */
export interface Protocol {
  /** label = 1 when rating >= positiveMin. */
  readonly positiveMin: number;
  readonly rule: SplitRule;
  /** Fraction of valid rows drawn (seeded) into validSmall; 0 = none. */
  readonly validSmallFraction: number;
  /** Seed of the validSmall draw. */
  readonly validSmallSeed: number;
}

/** CoLLM's ML-1M protocol: April 2000 = slot 0; train 14-23, valid 24-28, test 29-33; label = rating >= 4. */
export const COLLM_ML1M_PROTOCOL: Protocol = {
  positiveMin: 4,
  rule: { kind: 'month-window', originYear: 2000, originMonth: 4, train: [14, 23], valid: [24, 28], test: [29, 33] },
  validSmallFraction: 0.5, validSmallSeed: 2023,
};

/**
 * The same protocol for ML-100K (ratings Sep 1997 - Apr 1998): September 1997 = slot 0; train Sep-Jan,
 * valid February, test March-April; label = rating >= 4. CoLLM published no ML-100K split; this keeps
 * its shape (a long train window, then two later windows, cold users/items arriving later).
 */
export const ML100K_PROTOCOL: Protocol = {
  positiveMin: 4,
  rule: { kind: 'month-window', originYear: 1997, originMonth: 9, train: [0, 4], valid: [5, 5], test: [6, 7] },
  validSmallFraction: 0.5, validSmallSeed: 2023,
};

/** CoLLM's Amazon-Book protocol: 2017 reviews, users/items with > 20 ratings, label = 5 stars. */
export const AMAZON_BOOK_PROTOCOL: Protocol = {
  positiveMin: 5,
  rule: { kind: 'last-month-halved', year: 2017, minCount: 20 },
  validSmallFraction: 0.25, validSmallSeed: 2023,
};

const SPLITS: readonly SplitName[] = ['train', 'valid', 'test'];

function inRange(s: number, r: SlotRange): boolean {
  return s >= r[0] && s <= r[1];
}

/** Month slot of a Unix time under a month-window rule (UTC calendar). */
export function monthSlot(ts: number, rule: Pick<MonthWindowRule, 'originYear' | 'originMonth'>): number {
  const d = new Date(ts * 1000);
  return (d.getUTCFullYear() - rule.originYear) * 12 + (d.getUTCMonth() + 1 - rule.originMonth);
}

/** Split code per raw row (0 train, 1 valid, 2 test, -1 dropped); rows of items without metadata are dropped. */
function assignSplits(raw: RawInteractions, rule: SplitRule): Int8Array {
  const n = raw.user.length;
  const code = new Int8Array(n).fill(-1);
  if (rule.kind === 'month-window') {
    for (let r = 0; r < n; r++) {
      if (!raw.items.has(raw.item[r]!)) continue;
      const s = monthSlot(raw.timestamp[r]!, rule);
      code[r] = inRange(s, rule.train) ? 0 : inRange(s, rule.valid) ? 1 : inRange(s, rule.test) ? 2 : -1;
    }
    return code;
  }
  const keep: number[] = [];
  for (let r = 0; r < n; r++) {
    if (raw.items.has(raw.item[r]!) && new Date(raw.timestamp[r]! * 1000).getUTCFullYear() === rule.year) keep.push(r);
  }
  const uCount = new Map<number, number>(), iCount = new Map<number, number>();
  for (const r of keep) {
    uCount.set(raw.user[r]!, (uCount.get(raw.user[r]!) ?? 0) + 1);
    iCount.set(raw.item[r]!, (iCount.get(raw.item[r]!) ?? 0) + 1);
  }
  const last: number[] = [];
  for (const r of keep) {
    if (uCount.get(raw.user[r]!)! <= rule.minCount || iCount.get(raw.item[r]!)! <= rule.minCount) continue;
    if (new Date(raw.timestamp[r]! * 1000).getUTCMonth() < 11) code[r] = 0;
    else last.push(r);
  }
  last.sort((a, b) => raw.timestamp[a]! - raw.timestamp[b]! || a - b);
  const half = Math.floor(last.length / 2);
  last.forEach((r, k) => { code[r] = k < half ? 1 : 2; });
  return code;
}

function emptySplit(name: SplitName, rows: number[], cols: CombinedColumns): InteractionSplit {
  const n = rows.length;
  const s = {
    name, userIdx: new Int32Array(n), itemIdx: new Int32Array(n), label: new Uint8Array(n), timestamp: new Float64Array(n),
    notCold: new Uint8Array(n), rowId: new Int32Array(n), histOffsets: new Int32Array(n + 1), histItems: new Int32Array(0),
  };
  let total = 0;
  rows.forEach((g, k) => { total += cols.hist[g]!.length; s.histOffsets[k + 1] = total; });
  s.histItems = new Int32Array(total);
  rows.forEach((g, k) => {
    s.userIdx[k] = cols.user[g]!;
    s.itemIdx[k] = cols.item[g]!;
    s.label[k] = cols.label[g]!;
    s.timestamp[k] = cols.ts[g]!;
    s.notCold[k] = cols.notCold[g]!;
    s.rowId[k] = g;
    s.histItems.set(cols.hist[g]!, s.histOffsets[k]!);
  });
  return s;
}

/** The combined table in row (rowId) order, 0-based indices. */
export interface CombinedColumns {
  user: number[];
  item: number[];
  label: number[];
  ts: number[];
  split: number[];
  notCold: number[];
  hist: number[][];
}

/** How validSmall is chosen: a seeded share of valid, or explicit combined-table rows (in their order). */
export type ValidSmallChoice = Pick<Protocol, 'validSmallFraction' | 'validSmallSeed'> | { readonly rows: readonly number[] };

/** Fills not_cold and cuts the combined table (row g = rowId g) into a Dataset. */
export function datasetFromCombined(name: string, cols: Omit<CombinedColumns, 'notCold'>, items: ItemInfo[], users: UserInfo[] | null,
  validSmallChoice: ValidSmallChoice, source: Record<string, unknown>): Dataset {
  const n = cols.user.length;
  const inTrainU = new Set<number>(), inTrainI = new Set<number>();
  for (let g = 0; g < n; g++) if (cols.split[g] === 0) { inTrainU.add(cols.user[g]!); inTrainI.add(cols.item[g]!); }
  const notCold = cols.user.map((u, g) => (inTrainU.has(u) && inTrainI.has(cols.item[g]!) ? 1 : 0));
  const full: CombinedColumns = { ...cols, notCold };
  const rowsOf = SPLITS.map((_, k) => cols.split.flatMap((s, g) => (s === k ? [g] : [])));
  const [train, valid, test] = rowsOf.map((rows, k) => emptySplit(SPLITS[k]!, rows, full)) as [InteractionSplit, InteractionSplit, InteractionSplit];
  let validSmall: InteractionSplit | undefined;
  if ('rows' in validSmallChoice) {
    validSmall = emptySplit('validSmall', [...validSmallChoice.rows], full);
  } else if (validSmallChoice.validSmallFraction > 0) {
    const rows = [...rowsOf[1]!];
    makeRng(validSmallChoice.validSmallSeed).shuffle(rows);
    validSmall = emptySplit('validSmall', rows.slice(0, Math.round(rows.length * validSmallChoice.validSmallFraction)).sort((a, b) => a - b), full);
  }
  return {
    name, nUsers: users ? users.length : cols.user.reduce((a, b) => Math.max(a, b), -1) + 1, nItems: items.length, items, users,
    splits: validSmall ? { train, valid, test, validSmall } : { train, valid, test }, source,
  };
}

/**
 * Position of each raw row after pandas' inner merge of ratings with movies on the item id (pandas
 * < 2.2, which CoLLM used): rows grouped by item in order of the item's first appearance, file order
 * within a group. CoLLM's stable sort by (user, timestamp) keeps this order on timestamp ties.
 */
function innerJoinOrder(raw: RawInteractions): Int32Array {
  const firstSeen = new Map<number, number>();
  for (let r = 0; r < raw.item.length; r++) if (!firstSeen.has(raw.item[r]!)) firstSeen.set(raw.item[r]!, firstSeen.size);
  const order = Int32Array.from({ length: raw.item.length }, (_, r) => r);
  order.sort((a, b) => firstSeen.get(raw.item[a]!)! - firstSeen.get(raw.item[b]!)! || a - b);
  const pos = new Int32Array(raw.item.length);
  order.forEach((r, k) => { pos[r] = k; });
  return pos;
}

const isoDay = (sec: number): string => (Number.isFinite(sec) && Math.abs(sec) < 8.64e12 ? new Date(sec * 1000).toISOString().slice(0, 10) : String(sec));

/** "N ratings dated A to B" of the raw timestamps (Unix seconds). */
function dateRange(raw: RawInteractions): string {
  let lo = Infinity, hi = -Infinity;
  for (const t of raw.timestamp) { if (t < lo) lo = t; if (t > hi) hi = t; }
  return raw.timestamp.length === 0 ? '0 ratings' : `${raw.timestamp.length} ratings dated ${isoDay(lo)} to ${isoDay(hi)}`;
}

/** The windows of a rule as calendar months, e.g. "train 2001-06..2002-03, valid ...". */
function windowText(rule: SplitRule): string {
  if (rule.kind === 'last-month-halved') return `year ${rule.year}, months 1-11 train, December halved into valid/test`;
  const month = (slot: number): string => {
    const m = rule.originMonth - 1 + slot;
    return `${rule.originYear + Math.floor(m / 12)}-${String((((m % 12) + 12) % 12) + 1).padStart(2, '0')}`;
  };
  return (['train', 'valid', 'test'] as const).map((sp) => `${sp} ${month(rule[sp][0])}..${month(rule[sp][1])}`).join(', ');
}

function noRowsMessage(raw: RawInteractions, rule: SplitRule, name: string): string {
  const files = raw.files.join(', ');
  if (raw.user.length === 0) return `${files}: no ratings were read for ${name}`;
  let known = 0, hi = -Infinity;
  for (let r = 0; r < raw.user.length; r++) { if (raw.items.has(raw.item[r]!)) known++; hi = Math.max(hi, raw.timestamp[r]!); }
  if (known === 0) return `${files}: none of the ${raw.user.length} ratings of ${name} is of an item in the item file (${raw.items.size} items): do the ratings and the item file belong together?`;
  const ms = hi > 1e11 ? ' The timestamps look like milliseconds; the kit expects Unix seconds.' : '';
  return `${files}: no rating of ${name} falls in the protocol's windows: ${dateRange(raw)} (${known} of known items), windows ${windowText(rule)}.${ms}`;
}

/**
 * Builds CoLLM-protocol splits from raw ratings: drop rows without item metadata and outside the
 * windows, label = rating >= positiveMin, sort by (user id, timestamp) with ties in pandas' inner-join order,
 * history = the user's earlier positives across all splits (oldest first), users remapped in id order,
 * items in order of first appearance (both 0-based: CoLLM's uid/iid minus 1), not_cold = user and
 * item both in train.
 */
export function buildProtocolDataset(raw: RawInteractions, protocol: Protocol, name = raw.name): Dataset {
  if (!(protocol.validSmallFraction >= 0 && protocol.validSmallFraction <= 1)) throw new Error(`protocol.validSmallFraction must be in [0, 1], got ${protocol.validSmallFraction}`);
  const code = assignSplits(raw, protocol.rule);
  const rows: number[] = [];
  for (let r = 0; r < code.length; r++) if (code[r]! >= 0) rows.push(r);
  if (rows.length === 0) throw new Error(noRowsMessage(raw, protocol.rule, name));
  const perSplit = [0, 0, 0];
  for (const r of rows) perSplit[code[r]!]!++;
  const emptySplit = SPLITS.findIndex((_, k) => perSplit[k] === 0);
  if (emptySplit >= 0) {
    throw new Error(`${raw.files.join(', ')}: the ${SPLITS[emptySplit]} window of ${name}'s protocol holds no rating ` +
      `(train ${perSplit[0]}, valid ${perSplit[1]}, test ${perSplit[2]} rows; ${dateRange(raw)}; windows ${windowText(protocol.rule)}); is the ratings file complete?`);
  }
  const joinOrder = innerJoinOrder(raw);
  rows.sort((a, b) => raw.user[a]! - raw.user[b]! || raw.timestamp[a]! - raw.timestamp[b]! || joinOrder[a]! - joinOrder[b]!);
  const userMap = new Map<number, number>(), itemMap = new Map<number, number>();
  const cols: Omit<CombinedColumns, 'notCold'> = { user: [], item: [], label: [], ts: [], split: [], hist: [] };
  const items: ItemInfo[] = [], userIds: number[] = [];
  let positives: number[] = [], lastUser = NaN;
  for (const r of rows) {
    const uRaw = raw.user[r]!, iRaw = raw.item[r]!;
    if (uRaw !== lastUser) { positives = []; lastUser = uRaw; }
    let u = userMap.get(uRaw);
    if (u === undefined) { u = userMap.size; userMap.set(uRaw, u); userIds.push(uRaw); }
    let i = itemMap.get(iRaw);
    if (i === undefined) { i = itemMap.size; itemMap.set(iRaw, i); items.push(raw.items.get(iRaw)!); }
    const label = raw.rating[r]! >= protocol.positiveMin ? 1 : 0;
    cols.user.push(u);
    cols.item.push(i);
    cols.label.push(label);
    cols.ts.push(raw.timestamp[r]!);
    cols.split.push(code[r]!);
    cols.hist.push(positives.slice());
    if (label) positives.push(i);
  }
  const users = raw.users ? userIds.map((id) => raw.users!.get(id) ?? { gender: null, age: null, occupation: null }) : null;
  const ds = datasetFromCombined(name, cols, items, users, protocol, {
    builder: 'buildProtocolDataset', files: raw.files, protocol, rawRows: raw.user.length, keptRows: rows.length,
  });
  return { ...ds, rawUserIds: userIds, rawItemIds: [...itemMap.keys()] };
}
