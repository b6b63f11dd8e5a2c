// Raw explicit-feedback interactions as read from a source (original ids, ratings, Unix seconds),
// before any protocol: the input of the protocol builder.
import type { ItemInfo, UserInfo } from './types';

/** Raw ratings as columns of equal length, in file order. */
export interface RawInteractions {
  /** Source name, e.g. "ml-1m". */
  readonly name: string;
  /** [n] original user ids. */
  readonly user: Int32Array;
  /** [n] original item ids. */
  readonly item: Int32Array;
  /** [n] ratings (stars). */
  readonly rating: Float32Array;
  /** [n] Unix time in seconds. */
  readonly timestamp: Float64Array;
  /** Item metadata by original id; ratings of items missing here are dropped (inner join). */
  readonly items: ReadonlyMap<number, ItemInfo>;
  /** User metadata by original id, when the source has it. */
  readonly users: ReadonlyMap<number, UserInfo> | null;
  /** Files read, stored with results. */
  readonly files: readonly string[];
}

/** Growable columns used by the readers. */
export class RawColumns {
  user: number[] = [];
  item: number[] = [];
  rating: number[] = [];
  timestamp: number[] = [];
  push(u: number, i: number, r: number, t: number): void {
    this.user.push(u);
    this.item.push(i);
    this.rating.push(r);
    this.timestamp.push(t);
  }
  finish(name: string, items: ReadonlyMap<number, ItemInfo>, users: ReadonlyMap<number, UserInfo> | null, files: string[]): RawInteractions {
    return {
      name, items, users, files,
      user: Int32Array.from(this.user), item: Int32Array.from(this.item),
      rating: Float32Array.from(this.rating), timestamp: Float64Array.from(this.timestamp),
    };
  }
}

/** The release year at the end of a MovieLens title, e.g. "Sting, The (1973)" -> 1973; null if absent. */
export function yearFromTitle(title: string): number | null {
  const m = /\((\d{4})\)\s*$/.exec(title);
  return m ? Number(m[1]) : null;
}
