// Small dense linear algebra on plain numbers for analysis plots: singular values by one-sided Jacobi,
// symmetric eigen-decomposition by cyclic Jacobi, a two-component PCA, the Frobenius norm, and a Cholesky
// solve for small positive-definite systems (the logistic readout's Newton steps).
// Reference: Demmel & Veselić, Jacobi's method is more accurate than QR (1992); Golub & Van Loan §8.5.

/** A matrix as rows of numbers, or row-major data with its size (e.g. a tensor's dataSync()). */
export type Matrix = readonly (readonly number[])[] | { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> };

/** Row-major copy of a matrix in float64, with its size; throws on ragged rows or a wrong data length. */
function dense(m: Matrix, what: string): { rows: number; cols: number; a: Float64Array } {
  if (Array.isArray(m)) {
    const rows = m as readonly (readonly number[])[];
    const cols = rows[0]?.length ?? 0;
    const a = new Float64Array(rows.length * cols);
    rows.forEach((r, i) => {
      if (r.length !== cols) throw new Error(`${what}: row ${i} has ${r.length} entries, row 0 has ${cols}`);
      for (let j = 0; j < cols; j++) a[i * cols + j] = r[j]!;
    });
    return { rows: rows.length, cols, a };
  }
  const s = m as { rows: number; cols: number; data: ArrayLike<number> };
  if (s.data.length !== s.rows * s.cols) throw new Error(`${what}: data has ${s.data.length} entries, rows ${s.rows} x cols ${s.cols} needs ${s.rows * s.cols}`);
  return { rows: s.rows, cols: s.cols, a: Float64Array.from(s.data) };
}

/** Stopping rule of the Jacobi iterations. */
export interface JacobiOptions {
  /** Relative size below which a pair counts as orthogonal / an off-diagonal entry as zero (default 1e-13). */
  readonly tol?: number;
  /** Most sweeps over all pairs (default 60). */
  readonly maxSweeps?: number;
}

/** sqrt of the sum of squared entries. */
export function frobeniusNorm(m: Matrix): number {
  const { a } = dense(m, 'frobeniusNorm');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/**
 * Singular values of an [m, n] matrix, descending, min(m, n) of them (one-sided Jacobi: rotate column
 * pairs until all are orthogonal; the column norms are then the singular values).
 * @returns [min(m, n)] float64
 */
export function singularValues(m: Matrix, opts: JacobiOptions = {}): Float64Array {
  const d = dense(m, 'singularValues');
  // work on the orientation with fewer columns: columns are what gets orthogonalised
  const tr = d.cols > d.rows;
  const R = tr ? d.cols : d.rows, C = tr ? d.rows : d.cols;
  // column-major [C][R] for contiguous column access
  const col: Float64Array[] = Array.from({ length: C }, (_, j) => {
    const v = new Float64Array(R);
    for (let i = 0; i < R; i++) v[i] = tr ? d.a[j * d.cols + i]! : d.a[i * d.cols + j]!;
    return v;
  });
  const tol = opts.tol ?? 1e-13, maxSweeps = opts.maxSweeps ?? 60;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < C - 1; p++) {
      for (let q = p + 1; q < C; q++) {
        const x = col[p]!, y = col[q]!;
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < R; i++) { alpha += x[i]! * x[i]!; beta += y[i]! * y[i]!; gamma += x[i]! * y[i]!; }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // rotation angle that zeroes the (p, q) entry of the 2x2 Gram block
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let i = 0; i < R; i++) {
          const xi = x[i]!, yi = y[i]!;
          x[i] = c * xi - s * yi;
          y[i] = s * xi + c * yi;
        }
      }
    }
    if (!rotated) break;
  }
  const sv = col.map((v) => Math.sqrt(v.reduce((a, b) => a + b * b, 0)));
  return Float64Array.from(sv.sort((a, b) => b - a));
}

/**
 * Eigenvalues (descending) and unit eigenvectors of a symmetric [n, n] matrix by cyclic Jacobi rotations.
 * @returns values [n] float64; vectors [n][n] with vectors[k] the eigenvector of values[k]
 */
export function symmetricEigen(m: Matrix, opts: JacobiOptions = {}): { values: Float64Array; vectors: Float64Array[] } {
  const { rows: n, cols, a } = dense(m, 'symmetricEigen');
  if (n !== cols) throw new Error(`symmetricEigen: matrix is [${n}, ${cols}], not square`);
  let scale = 0;
  for (let i = 0; i < n * n; i++) {
    scale = Math.max(scale, Math.abs(a[i]!));
    if (Math.abs(a[i]! - a[(i % n) * n + Math.floor(i / n)]!) > 1e-9 * Math.max(1, Math.abs(a[i]!))) throw new Error(`symmetricEigen: entry (${Math.floor(i / n)}, ${i % n}) differs from its transpose`);
  }
  const v = new Float64Array(n * n); // columns are eigenvectors
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const tol = (opts.tol ?? 1e-13) * Math.max(scale, Number.MIN_VALUE), maxSweeps = opts.maxSweeps ?? 60;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off = Math.max(off, Math.abs(a[p * n + q]!));
    if (off <= tol) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) <= tol) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        // A <- J^T A J on rows/columns p and q
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]!);
  return {
    values: Float64Array.from(order, (i) => a[i * n + i]!),
    vectors: order.map((j) => Float64Array.from({ length: n }, (_, k) => v[k * n + j]!)),
  };
}

/** Two-component PCA of points (rows) and the share of total variance each component explains. */
export interface Pca2d {
  /** [n][2] coordinates of each point on the first two principal axes (centred). */
  readonly coords: [number, number][];
  /** [2] variance share of each axis in [0, 1]; 0 when the points do not vary. */
  readonly explained: [number, number];
}

/**
 * PCA to two dimensions of rows [n][d] (n >= 2). Eigen-decomposes the smaller of the covariance
 * [d, d] and the Gram matrix [n, n] of the centred rows; each axis is signed so that the point with
 * the largest |coordinate| on it is positive (as sklearn's svd_flip), making the output deterministic.
 * @returns coords [n][2], explained [2]
 */
export function pca2d(rows: Matrix): Pca2d {
  const { rows: n, cols: d, a } = dense(rows, 'pca2d');
  if (n < 2 || d < 1) throw new Error(`pca2d: need at least 2 points of at least 1 dimension, got ${n} x ${d}`);
  for (let j = 0; j < d; j++) {
    let mu = 0;
    for (let i = 0; i < n; i++) mu += a[i * d + j]!;
    mu /= n;
    for (let i = 0; i < n; i++) a[i * d + j]! -= mu;
  }
  const coords: [number, number][] = Array.from({ length: n }, () => [0, 0]);
  let values: Float64Array;
  if (n <= d) {
    // Gram G = X X^T shares the nonzero eigenvalues of X^T X; scores along axis k are sqrt(l_k) u_k
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += a[i * d + k]! * a[j * d + k]!;
        g[i * n + j] = s;
        g[j * n + i] = s;
      }
    }
    const e = symmetricEigen({ rows: n, cols: n, data: g });
    values = e.values;
    for (let k = 0; k < 2 && k < n; k++) {
      const r = Math.sqrt(Math.max(0, values[k]!));
      for (let i = 0; i < n; i++) coords[i]![k] = r * e.vectors[k]![i]!;
    }
  } else {
    const c = new Float64Array(d * d);
    for (let p = 0; p < d; p++) {
      for (let q = p; q < d; q++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += a[i * d + p]! * a[i * d + q]!;
        c[p * d + q] = s;
        c[q * d + p] = s;
      }
    }
    const e = symmetricEigen({ rows: d, cols: d, data: c });
    values = e.values;
    for (let k = 0; k < 2 && k < d; k++) {
      const w = e.vectors[k]!;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += a[i * d + j]! * w[j]!;
        coords[i]![k] = s;
      }
    }
  }
  for (const k of [0, 1] as const) {
    let big = 0;
    for (const c of coords) if (Math.abs(c[k]) > Math.abs(big)) big = c[k];
    // (+ 0 turns -0 into 0)
    if (big < 0) for (const c of coords) c[k] = -c[k] + 0;
  }
  const total = values.reduce((s, l) => s + Math.max(0, l), 0);
  const share = (k: number) => (total > 0 ? Math.max(0, values[k] ?? 0) / total : 0);
  return { coords, explained: [share(0), share(1)] };
}

/**
 * Solves A x = b for a symmetric positive-definite A (row-major n x n) by Cholesky factorisation; A and b
 * are left unchanged. Throws when A is not positive definite (a pivot <= 0), naming the pivot.
 */
export function choleskySolve(a: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  if (a.length !== n * n) throw new Error(`choleskySolve: A has ${a.length} entries, n = ${n} needs ${n * n}`);
  if (b.length !== n) throw new Error(`choleskySolve: b has ${b.length} entries, expected ${n}`);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error(`choleskySolve: A is not positive definite (pivot ${i} is ${s})`);
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}
