// The contract every collaborative-filtering model in the kit implements: a typed config, trainable
// parameters as tf.Variables, a logit per (user, item, history) row, and user/item representations
// that the LLM methods consume. Reference: RecBole's predict / calculate_loss contract.
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng';
import type { InteractionSplit, ItemInfo } from '../data/types';
import type { ForwardMode } from '../core/types';

/** The CF models the kit ships. */
export type CFKind = 'mf' | 'lightgcn' | 'sasrec' | 'din' | 'content' | 'hash-mf';

/** A batch on the tensor side; the creator disposes it (see toCFBatch / disposeCFBatch). */
export interface CFBatch {
  /** [B] int32 0-based user index. */
  readonly userIdx: tf.Tensor1D;
  /** [B] int32 0-based item index. */
  readonly itemIdx: tf.Tensor1D;
  /** [B] float32 labels 0/1. */
  readonly label: tf.Tensor1D;
  /** [B, L] int32 history item indices, left-padded with nItems (the padding row). */
  readonly hist: tf.Tensor2D;
}

/** Fields every CF config has. */
export interface CFCommonConfig {
  /** Number of users (rows of the user table); set from the dataset. */
  readonly nUsers: number;
  /** Number of items; index nItems is the history padding row; set from the dataset. */
  readonly nItems: number;
  /** Width of the user/item representations handed to the LLM methods; default per model (e.g. MF 256, LightGCN 64, DIN 192). */
  readonly dEmb: number;
  /** History length the model reads, in items (0 for models that ignore history); default per model. */
  readonly maxHistory: number;
}

/** A built model: config, trainable parameters and non-trainable buffers (e.g. a graph). */
export interface CFModel<C extends CFCommonConfig = CFCommonConfig> {
  /** Which model this is. */
  readonly kind: CFKind;
  /** The validated, frozen config. */
  readonly config: C;
  /** Trainable parameters by name (names are stable: they are the safetensors keys). */
  readonly params: Readonly<Record<string, tf.Variable>>;
  /** Non-trainable tensors (e.g. LightGCN's normalised adjacency); empty for most models. */
  readonly buffers: Readonly<Record<string, tf.Tensor>>;
}

/** The functions a CF model file exports, so generic training, evaluation and the LLM methods can use any model. */
export interface CFSpec<C extends CFCommonConfig> {
  /** Which model this is. */
  readonly kind: CFKind;
  /** Merge user options over the defaults for a dataset of this size, validate, freeze. */
  makeConfig(options: Readonly<Partial<C>>, dims: { readonly nUsers: number; readonly nItems: number }): C;
  /** Create parameters (and buffers from the train split, e.g. a graph; from item metadata for the content model). */
  init(cfg: C, rng: Rng, train: InteractionSplit, items?: readonly ItemInfo[]): CFModel<C>;
  /** @returns [B] float32 logits of P(label = 1). */
  score(model: CFModel<C>, batch: CFBatch, mode: ForwardMode): tf.Tensor1D;
  /** @returns [B, dEmb] float32 user representation for each row (may depend on the row's history). */
  userRepr(model: CFModel<C>, batch: CFBatch, mode: ForwardMode): tf.Tensor2D;
  /** @returns [B, dEmb] float32 item representation of each row's target item. */
  itemRepr(model: CFModel<C>, batch: CFBatch, mode: ForwardMode): tf.Tensor2D;
  /**
   * The training loss (mean BCE with logits, as cfLoss) and its gradient per parameter, derived by hand,
   * for models simple enough that it is cheaper than the autodiff tape (MF); optional: without it the
   * training loop differentiates cfLoss. Must equal namedGrads(cfLoss) up to float rounding. The caller
   * disposes value and grads.
   */
  lossAndGrads?(model: CFModel<C>, batch: CFBatch, mode: ForwardMode): { value: tf.Scalar; grads: Record<string, tf.Tensor> };
  /** Called by the CF training loop before each epoch (0-based), for state that follows the epoch (hash-mf's beta); optional. */
  startEpoch?(model: CFModel<C>, epoch: number): void;
}
