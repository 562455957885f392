/**
 * Spearman rank correlation with a two-sided p-value (SPEC §6), and the Student t
 * distribution it needs. Pure math: no I/O, no dependencies.
 */

/** Result of {@link spearman}. */
export interface SpearmanResult {
  /** Spearman's ρ, or null when either side is all tied (zero rank variance) or n < 2. */
  readonly rho: number | null;
  /** Number of pairs used. */
  readonly n: number;
  /** Two-sided p-value for H0: ρ = 0, or null when rho is null or n < 3. */
  readonly p: number | null;
}

/** Largest n for which {@link spearman} enumerates all n! permutations (9! = 362 880). */
export const EXACT_MAX_N = 9;

/**
 * Ranks of `values` (1-based), ties getting the average of the ranks they span.
 *
 * @param values - Any finite numbers.
 * @returns One rank per value, in input order.
 * @example
 * rankAverage([10, 20, 20, 5]); // [2, 3.5, 3.5, 1]
 */
export function rankAverage(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    // Positions start..end-1 (0-based) hold rank start+1..end; their mean is (start+1+end)/2.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Pearson correlation of two equally long vectors, in float64.
 *
 * @returns r in [−1, 1], or null when either side has zero variance or fewer than 2 values.
 * @example
 * pearson([1, 2, 3], [2, 4, 7]); // ≈ 0.9934
 */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  checkSameLength(x, y);
  const n = x.length;
  if (n < 2) return null;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  // Rounding can push |r| a hair past 1 for perfectly linear data; clamp so t stays real.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * Spearman's ρ of paired samples with a two-sided p-value.
 *
 * ρ is the Pearson correlation of the average ranks (so ties are handled as in
 * scipy.stats.spearmanr). The p-value is
 * - exact for 3 ≤ n ≤ 9: the fraction of all n! permutations of y's ranks whose
 *   |ρ| is at least the observed |ρ| (minus 1e−12 for rounding), the observed one included;
 * - above 9: the t-approximation t = ρ√((n−2)/(1−ρ²)) with n−2 degrees of freedom,
 *   p = 2·(1 − T(|t|)); |ρ| = 1 gives p = 0.
 * For n < 3 no test is possible: ρ is still returned (±1 for two untied pairs) but p is null.
 *
 * @param x - First sample (e.g. part scores), finite numbers.
 * @param y - Second sample (e.g. accuracies), same length as x.
 * @returns `{ rho, n, p }`.
 * @example
 * spearman([1, 2, 3], [10, 30, 20]); // { rho: 0.5, n: 3, p: 1 }  (all 6 permutations have |ρ| ≥ 0.5)
 * spearman([1, 2, 3], [10, 20, 30]); // { rho: 1, n: 3, p: 1/3 }  (identity and reversal)
 */
export function spearman(x: readonly number[], y: readonly number[]): SpearmanResult {
  checkSameLength(x, y);
  for (const v of [...x, ...y]) {
    if (!Number.isFinite(v)) throw new RangeError(`spearman: every value must be a finite number, got ${v}.`);
  }
  const n = x.length;
  const rx = rankAverage(x);
  const ry = rankAverage(y);
  const rho = pearson(rx, ry);
  if (rho === null || n < 3) return { rho, n, p: null };
  const p = n <= EXACT_MAX_N ? exactPermutationP(rx, ry, rho) : tApproximationP(rho, n);
  return { rho, n, p };
}

/** Two-sided exact p-value: enumerates every permutation of y's ranks with Heap's algorithm. */
function exactPermutationP(rx: readonly number[], ry: readonly number[], rho: number): number {
  const n = rx.length;
  const mx = mean(rx);
  const my = mean(ry);
  const dx = rx.map((v) => v - mx);
  const dy = ry.map((v) => v - my);
  // Permuting y leaves both variances unchanged, so only the cross term varies.
  const norm = Math.sqrt(dx.reduce((s, v) => s + v * v, 0) * dy.reduce((s, v) => s + v * v, 0));
  const threshold = Math.abs(rho) - 1e-12;
  const a = dy.slice();
  const c = new Array<number>(n).fill(0);
  let hits = 0;
  let total = 0;
  const visit = (): void => {
    let sxy = 0;
    for (let i = 0; i < n; i++) sxy += dx[i] * a[i];
    total++;
    if (Math.abs(sxy / norm) >= threshold) hits++;
  };
  visit();
  let i = 1;
  while (i < n) {
    if (c[i] < i) {
      const j = i % 2 === 0 ? 0 : c[i];
      [a[j], a[i]] = [a[i], a[j]];
      visit();
      c[i]++;
      i = 1;
    } else {
      c[i] = 0;
      i++;
    }
  }
  return hits / total;
}

/** Two-sided p-value from the t-approximation with n − 2 degrees of freedom. */
function tApproximationP(rho: number, n: number): number {
  if (Math.abs(rho) >= 1) return 0;
  const df = n - 2;
  const t = Math.abs(rho) * Math.sqrt(df / (1 - rho * rho));
  return Math.min(1, 2 * studentTSurvival(t, df));
}

/**
 * Cumulative distribution function of Student's t distribution.
 *
 * Uses P(T > t) = ½·I_{df/(df+t²)}(df/2, ½) for t ≥ 0, with the regularized incomplete beta
 * function from {@link regularizedIncompleteBeta}.
 *
 * @param t - Any real number (±Infinity allowed).
 * @param df - Degrees of freedom, > 0.
 * @returns P(T ≤ t).
 * @example
 * studentTCdf(2.228, 10); // ≈ 0.975
 */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTCdf: 'df' must be > 0, got ${df}.`);
  if (Number.isNaN(t)) return Number.NaN;
  const upper = studentTSurvival(Math.abs(t), df);
  return t >= 0 ? 1 - upper : upper;
}

/** P(T > t) for t ≥ 0; computed directly (not 1 − cdf) so small tail probabilities keep their digits. */
function studentTSurvival(t: number, df: number): number {
  if (t === Infinity) return 0;
  const x = df / (df + t * t);
  return 0.5 * regularizedIncompleteBeta(x, df / 2, 0.5);
}

/**
 * Regularized incomplete beta function I_x(a, b), by the continued fraction of
 * Numerical Recipes §6.4 (modified Lentz), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a)
 * where the fraction converges slowly.
 *
 * @param x - In [0, 1].
 * @param a - > 0.
 * @param b - > 0.
 * @returns I_x(a, b) in [0, 1].
 * @example
 * regularizedIncompleteBeta(0.5, 2, 2); // 0.5
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1)) throw new RangeError(`regularizedIncompleteBeta: 'x' must be in [0, 1], got ${x}.`);
  if (!(a > 0 && b > 0)) throw new RangeError(`regularizedIncompleteBeta: 'a' and 'b' must be > 0, got ${a}, ${b}.`);
  if (x === 0 || x === 1) return x;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  // The continued fraction converges fast for x < (a+1)/(a+b+2); otherwise use the symmetry.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Continued fraction for the incomplete beta function (Numerical Recipes `betacf`). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const eps = 1e-15;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < eps) return h;
  }
  throw new Error(`regularizedIncompleteBeta: continued fraction did not converge for x=${x}, a=${a}, b=${b}.`);
}

/** ln Γ(z) for z > 0 by the Lanczos approximation (g = 7, 9 terms; ~15 significant digits). */
function logGamma(z: number): number {
  const g = 7;
  const coef = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) {
    // Reflection formula keeps the approximation accurate for small z (e.g. b = ½).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  }
  const zm = z - 1;
  let sum = coef[0];
  for (let i = 1; i < g + 2; i++) sum += coef[i] / (zm + i);
  const t = zm + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (zm + 0.5) * Math.log(t) - t + Math.log(sum);
}

function mean(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}

function checkSameLength(x: readonly number[], y: readonly number[]): void {
  if (x.length !== y.length) {
    throw new RangeError(`'x' and 'y' must have the same length, got ${x.length} and ${y.length}.`);
  }
}
