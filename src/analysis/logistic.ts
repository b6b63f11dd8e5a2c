// L2-regularised logistic regression on plain feature matrices, fitted by Newton's method on standardised
// features: the linear readout that asks how much of a label a fixed representation holds (e.g. an LLM's
// hidden states), with no optimiser settings to tune and a deterministic answer.
// Reference: Hastie, Tibshirani & Friedman, The Elements of Statistical Learning §4.4 (IRLS).
import { choleskySolve } from './linalg';

/** A fitted readout: weights on standardised features, the bias, and the standardisation. */
export interface LogisticModel {
  readonly dim: number;
  readonly weights: Float64Array;
  readonly bias: number;
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  /** Newton steps taken. */
  readonly iterations: number;
  /** Whether the largest step fell below the tolerance. */
  readonly converged: boolean;
}

/** Fitting options. */
export interface LogisticOptions {
  /** L2 penalty on the weights (not the bias), in units of the summed log-loss (default 1). */
  readonly l2?: number;
  /** Most Newton steps (default 50). */
  readonly maxIter?: number;
  /** Stop when the largest parameter change is below this (default 1e-8). */
  readonly tol?: number;
}

function checkMatrix(what: string, x: ArrayLike<number>, n: number, d: number): void {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1)) throw new Error(`${what}: n and d must be integers >= 1, got ${n} x ${d}`);
  if (x.length !== n * d) throw new Error(`${what}: features have ${x.length} entries, ${n} rows x ${d} columns needs ${n * d}`);
}

/** Fits p(y=1 | x) = sigmoid(w . standardise(x) + b) to rows x (row-major n x d) and labels y in {0, 1}. */
export function fitLogistic(x: ArrayLike<number>, n: number, d: number, y: ArrayLike<number>, opts: LogisticOptions = {}): LogisticModel {
  checkMatrix('fitLogistic', x, n, d);
  if (y.length !== n) throw new Error(`fitLogistic: ${y.length} labels for ${n} rows`);
  for (let i = 0; i < n; i++) if (y[i] !== 0 && y[i] !== 1) throw new Error(`fitLogistic: label ${i} is ${y[i]}, expected 0 or 1`);
  const l2 = opts.l2 ?? 1, maxIter = opts.maxIter ?? 50, tol = opts.tol ?? 1e-8;
  if (!(l2 > 0)) throw new Error(`fitLogistic: l2 must be > 0 (it keeps separable data finite), got ${l2}`);
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new Error(`fitLogistic: maxIter must be an integer >= 1, got ${maxIter}`);
  const mean = new Float64Array(d), scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) scale[j]! += (x[i * d + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]!) || 1;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[i * d + j] = (x[i * d + j]! - mean[j]!) / scale[j]!;
  const D = d + 1; // the bias is the last parameter, its feature a constant 1
  const w = new Float64Array(D);
  let iterations = 0, converged = false;
  while (iterations < maxIter && !converged) {
    const g = new Float64Array(D), h = new Float64Array(D * D);
    for (let i = 0; i < n; i++) {
      let s = w[d]!;
      for (let j = 0; j < d; j++) s += w[j]! * z[i * d + j]!;
      const p = 1 / (1 + Math.exp(-s)), r = p - y[i]!, v = p * (1 - p);
      for (let j = 0; j < D; j++) {
        const zj = j < d ? z[i * d + j]! : 1;
        g[j]! += r * zj;
        const vz = v * zj;
        for (let k = 0; k <= j; k++) h[j * D + k]! += vz * (k < d ? z[i * d + k]! : 1);
      }
    }
    for (let j = 0; j < D; j++) {
      for (let k = 0; k < j; k++) h[k * D + j] = h[j * D + k]!;
      if (j < d) { g[j]! += l2 * w[j]!; h[j * D + j]! += l2; } else h[j * D + j]! += 1e-9;
    }
    const step = choleskySolve(h, D, g);
    let biggest = 0;
    for (let j = 0; j < D; j++) { w[j]! -= step[j]!; biggest = Math.max(biggest, Math.abs(step[j]!)); }
    iterations++;
    converged = biggest < tol;
  }
  return { dim: d, weights: w.slice(0, d), bias: w[d]!, mean, scale, iterations, converged };
}

/** The readout's logits w . standardise(x) + b for rows x (row-major n x dim). */
export function logisticLogits(m: LogisticModel, x: ArrayLike<number>, n: number): Float64Array {
  checkMatrix('logisticLogits', x, n, m.dim);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = m.bias;
    for (let j = 0; j < m.dim; j++) s += m.weights[j]! * (x[i * m.dim + j]! - m.mean[j]!) / m.scale[j]!;
    out[i] = s;
  }
  return out;
}
