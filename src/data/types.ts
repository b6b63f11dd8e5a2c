// The kit's interaction tables: columnar, 0-based user/item indices, histories in CSR form.
// Every reader (MovieLens, CoLLM splits, the synthetic world) produces these types.
// Reference: CoLLM (arXiv 2310.19488) data protocol, docs/methods.md §1.

/** Metadata of one item (movie). */
export interface ItemInfo {
  /** Display title as in the source, e.g. "Sting, The (1973)". */
  readonly title: string;
  /** Genre names, e.g. ["Comedy", "Crime"]; empty when unknown. */
  readonly genres: readonly string[];
  /** Release year parsed from the title, or null when absent. */
  readonly year: number | null;
}

/** Metadata of one user; fields are null when the source has none. */
export interface UserInfo {
  readonly gender: string | null;
  readonly age: number | null;
  readonly occupation: string | null;
}

/** Names of the splits a dataset carries. */
export type SplitName = 'train' | 'valid' | 'validSmall' | 'test';

/**
 * One split as columns of equal length n (one entry per labelled interaction, chronological per user).
 * history of row r = histItems[histOffsets[r] .. histOffsets[r+1]) (item indices of the user's earlier
 * positives, oldest first, across all splits).
 */
export interface InteractionSplit {
  /** Which split this is. */
  readonly name: SplitName;
  /** [n] int32 0-based user index. */
  readonly userIdx: Int32Array;
  /** [n] int32 0-based item index. */
  readonly itemIdx: Int32Array;
  /** [n] uint8 binary label (1 = positive, e.g. rating >= 4). */
  readonly label: Uint8Array;
  /** [n] float64 Unix time in seconds. */
  readonly timestamp: Float64Array;
  /** [n] uint8 1 if both the user and the item occur in train (CoLLM's not_cold). */
  readonly notCold: Uint8Array;
  /** [n] int32 row id in the combined (all splits) table, CoLLM's idx. */
  readonly rowId: Int32Array;
  /** [n+1] int32 CSR offsets into histItems. */
  readonly histOffsets: Int32Array;
  /** [sum of history lengths] int32 item indices. */
  readonly histItems: Int32Array;
}

/** A dataset in the kit's form: item/user metadata plus labelled splits. */
export interface Dataset {
  /** Short name, e.g. "collm-ml1m", "ml-100k", "synthetic". */
  readonly name: string;
  /** Number of users; userIdx is in [0, nUsers). */
  readonly nUsers: number;
  /** Number of items; itemIdx is in [0, nItems). */
  readonly nItems: number;
  /** [nItems] item metadata. */
  readonly items: readonly ItemInfo[];
  /** [nUsers] user metadata, when the source has it. */
  readonly users: readonly UserInfo[] | null;
  /** Labelled splits; validSmall is optional. */
  readonly splits: { readonly train: InteractionSplit; readonly valid: InteractionSplit; readonly test: InteractionSplit; readonly validSmall?: InteractionSplit };
  /** [nUsers] the source's original user id of each user index, when known. */
  readonly rawUserIds?: readonly (number | string)[];
  /** [nItems] the source's original item id of each item index, when known. */
  readonly rawItemIds?: readonly (number | string)[];
  /** Where the data came from (paths, generator config), stored with results. */
  readonly source: Readonly<Record<string, unknown>>;
}
