/**
 * The inverse of y ↦ I_y(a, a) on [0, top] (the regularized incomplete beta function of a symmetric beta) in
 * fixed work, for samplers: a table of points built once per (a, top) brackets the target, and a fixed
 * number of Newton steps on h(z) = ln I(e^z) − ln target finish it to double precision.
 *
 * Why Newton converges, and how fast (the bound is checked for every row of the table when it is built):
 * for a ≥ 1, e^z·f(e^z) (f the Beta(a, a) density) is log-concave in z, so its integral I(e^z) is too
 * (Prékopa) and h is concave; for a = 1/2 (d = 2), I = (2/π)·θ with θ = asin√y and h' = tan θ/(2θ), which
 * increases, so h is convex. (a = (d − 1)/2 takes no value between.) Either way h increases. Newton
 * from the left end of a bracket of a concave increasing h (the right end of a convex one) moves monotonically
 * towards the root and never passes it, with error e_{k+1} ≤ e_k·min(1 − S_min/S_max, e_k·H/S_min): S = h' is
 * monotone, so S_min and S_max on a row are its values at the row's ends, and |h''| = S·|1 + g − S| with
 * g = y·f'/f = (a − 1)(1 − 2y)/(1 − y), also monotone, is bounded by H from the corners. A row is split until
 * its bound after the first step (from the table) and NEWTON_STEPS more is at most 2^−56 times min(1, S_max):
 * the result is the root of the computed I to within a factor 1 ± 2^−56, or where S < 1 its I is the target
 * to within that factor (plus the rounding of the last step), whatever the target.
 *
 * Constant work: the whole table is scanned for every target and the row picked by arithmetic on 0/1 (a
 * lookup at a secret index would show in the cache), and the Newton steps are a fixed count of
 * `logIncompleteBetaSymmetricPair`, which does the same arithmetic on either side of y = 1/2.
 */
import { fixedBetaSteps, logBeta, logIncompleteBetaSymmetricPair } from './special';

/** Newton steps with an incomplete-beta evaluation each, after the first step taken from the table alone. */
export const NEWTON_STEPS = 3;

/**
 * Bound after the last step on |ln y − ln y*| or, where I grows slower than y (S < 1, the upper tail), on
 * |ln I(y) − ln target|, checked for every row when the table is built.
 */
const TOLERANCE = 2 ** -56;

/** Rows beyond this mean the bound cannot be met (it is never near: see the tests). */
const MAX_ROWS = 4096;

export interface SymmetricBetaQuantileTable {
  readonly a: number;
  /** Continued-fraction steps of every evaluation: fixedBetaSteps(a). */
  readonly steps: number;
  readonly logBetaAA: number;
  /** The interval inverted: [bottom, top]; I(bottom) is below every target the table is for. */
  readonly bottom: number;
  readonly top: number;
  /** +1 for a ≥ 1 (h concave: start from a row's left end), −1 for a = 1/2 (convex: its right end). */
  readonly side: number;
  /** Row i is chosen for ln target λ when keys[i] ≤ side·λ (the last such row; keys ascending). */
  readonly keys: Float64Array;
  /** The row's starting point, ln I there and 1/S there. */
  readonly y: Float64Array;
  readonly logCdf: Float64Array;
  readonly inverseSlope: Float64Array;
}

interface Point {
  z: number;
  logCdf: number;
  slope: number;
}

/**
 * The table for inverting I_y(a, a) on [0, top] at targets whose logarithm is at least `lowestLogTarget`
 * (e.g. ln(2^−53·I_top) for a target u·I_top with u a 53-bit uniform). Built by ordinary (adaptive) code: its
 * inputs are public. Costs some tens to hundreds of incomplete-beta evaluations; callers memoize it.
 */
export function symmetricBetaQuantileTable(
  a: number,
  top: number,
  lowestLogTarget: number,
): SymmetricBetaQuantileTable {
  if (!(a === 0.5 || a >= 1) || !(top > 0 && top < 1) || !Number.isFinite(lowestLogTarget))
    throw new RangeError(`quantile table needs a = 1/2 or a ≥ 1, 0 < top < 1, a finite target (a=${a}, top=${top})`);
  const steps = fixedBetaSteps(a);
  const logBetaAA = logBeta(a, a);
  const values = new Float64Array(4);
  const at = (z: number): Point => {
    const y = Math.exp(z);
    logIncompleteBetaSymmetricPair(y, y, a, steps, logBetaAA, values);
    return { z, logCdf: values[0]!, slope: values[1]! };
  };
  const high = at(Math.log(top));
  if (!(lowestLogTarget < high.logCdf)) throw new RangeError('quantile table: lowest target above I(top)');
  // The bottom: far enough into the lower tail that ln I is at least one below every target.
  let low = at(Math.log(top) - 1);
  for (let i = 0; low.logCdf > lowestLogTarget - 1; i++) {
    if (i === 1000) throw new RangeError('quantile table: lower tail not reached');
    low = at(low.z - (low.logCdf - lowestLogTarget + 2) / low.slope);
  }
  const side = a >= 1 ? 1 : -1;
  let points: Point[] = [low];
  for (let i = 1; i <= 8; i++) points.push(i === 8 ? high : at(low.z + ((high.z - low.z) * i) / 8));
  for (;;) {
    const next: Point[] = [points[0]!];
    let split = false;
    for (let i = 1; i < points.length; i++) {
      const left = points[i - 1]!;
      const right = points[i]!;
      if (rowBound(a, left, right) > TOLERANCE) {
        next.push(at((left.z + right.z) / 2));
        split = true;
      }
      next.push(right);
    }
    points = next;
    if (!split) break;
    if (points.length > MAX_ROWS) throw new RangeError(`quantile table: over ${MAX_ROWS} rows (a=${a})`);
  }
  // Concave: rows start at their left ends, chosen by ln I(left) ≤ λ. Convex: at their right ends, chosen by
  // ln I(right) ≥ λ, i.e. −ln I(right) ≤ −λ, with the rows in descending order so that keys ascend.
  const starts = side > 0 ? points.slice(0, -1) : points.slice(1).reverse();
  return {
    a,
    steps,
    logBetaAA,
    bottom: Math.exp(low.z),
    top,
    side,
    keys: Float64Array.from(starts, (p) => side * p.logCdf),
    y: Float64Array.from(starts, (p) => Math.exp(p.z)),
    logCdf: Float64Array.from(starts, (p) => p.logCdf),
    inverseSlope: Float64Array.from(starts, (p) => 1 / p.slope),
  };
}

/** The proven bound after all steps on |z − z*|, or on |h| where S < 1, for a root between `left` and `right`. */
function rowBound(a: number, left: Point, right: Point): number {
  const sMin = Math.min(left.slope, right.slope);
  const sMax = Math.max(left.slope, right.slope);
  const gOf = (z: number) => {
    const y = Math.exp(z);
    return ((a - 1) * (1 - 2 * y)) / (1 - y);
  };
  const g1 = gOf(left.z);
  const g2 = gOf(right.z);
  let curvature = 0;
  for (const g of [g1, g2]) for (const s of [sMin, sMax]) curvature = Math.max(curvature, Math.abs(1 + g - s));
  const h = sMax * curvature;
  const linear = 1 - sMin / sMax;
  let e = right.z - left.z;
  for (let k = 0; k < 1 + NEWTON_STEPS; k++) e *= Math.min(linear, (e * h) / sMin);
  // Where S < 1 an error e in ln y is an error of at most S·e in ln I: the one that matters there.
  return e * Math.min(1, sMax);
}

/** Chooses the table row for ln target λ, scanning every row; writes [y, ln I(y), 1/S(y)] of its start. */
function scan(table: SymmetricBetaQuantileTable, logTarget: number, out: Float64Array, at: number): void {
  const key = table.side * logTarget;
  const { keys, y, logCdf, inverseSlope } = table;
  let startY = y[0]!;
  let startLog = logCdf[0]!;
  let startInverseSlope = inverseSlope[0]!;
  for (let i = 1; i < keys.length; i++) {
    // One term of each sum is exactly zero.
    const c = Number(keys[i]! <= key);
    startY = c * y[i]! + (1 - c) * startY;
    startLog = c * logCdf[i]! + (1 - c) * startLog;
    startInverseSlope = c * inverseSlope[i]! + (1 - c) * startInverseSlope;
  }
  out[at] = startY;
  out[at + 1] = startLog;
  out[at + 2] = startInverseSlope;
}

/** y·e^((λ − ln I)/S), kept within [bottom, top] by selection (the iterates never leave it but by rounding). */
function newtonStep(
  table: SymmetricBetaQuantileTable,
  y: number,
  logTarget: number,
  logCdf: number,
  inverseSlope: number,
): number {
  const next = y * Math.exp((logTarget - logCdf) * inverseSlope);
  const below = Number(next < table.bottom);
  const raised = below * table.bottom + (1 - below) * next;
  const above = Number(raised > table.top);
  return above * table.top + (1 - above) * raised;
}

/** Working space of the inversion (which runs to completion, so one is enough): no allocation per draw. */
const scratch = { start: new Float64Array(6), values: new Float64Array(4) };

/**
 * y1 with I_y1(a, a) = e^λ1 on table1's interval and y2 with I_y2(a, a) = e^λ2 on table2's, in work that
 * depends on the tables alone: both are scanned whole and both inverted by the same fixed steps, interleaved
 * (as `incompleteBetaFixedPair` pairs its points). The tables must be for the same a. Writes [y1, y2] to out.
 */
export function invertSymmetricBetaPair(
  table1: SymmetricBetaQuantileTable,
  table2: SymmetricBetaQuantileTable,
  logTarget1: number,
  logTarget2: number,
  out: Float64Array,
): void {
  if (table1.a !== table2.a) throw new RangeError('invertSymmetricBetaPair: tables for different a');
  const start = scratch.start;
  const values = scratch.values;
  scan(table1, logTarget1, start, 0);
  scan(table2, logTarget2, start, 3);
  let y1 = newtonStep(table1, start[0]!, logTarget1, start[1]!, start[2]!);
  let y2 = newtonStep(table2, start[3]!, logTarget2, start[4]!, start[5]!);
  for (let k = 0; k < NEWTON_STEPS; k++) {
    logIncompleteBetaSymmetricPair(y1, y2, table1.a, table1.steps, table1.logBetaAA, values);
    y1 = newtonStep(table1, y1, logTarget1, values[0]!, 1 / values[1]!);
    y2 = newtonStep(table2, y2, logTarget2, values[2]!, 1 / values[3]!);
  }
  out[0] = y1;
  out[1] = y2;
}
