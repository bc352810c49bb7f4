/**
 * Server-side verification of a schema-valid report. A report states its mechanism's
 * parameters, and the mean the collector serves is only as good as the worst report
 * in it, so nothing declared is trusted:
 *
 * 1. Bounds of the collector's own (k ≤ 2^16 categories, at most 4096 dimensions),
 *    whatever the schema allows.
 * 2. The calibration is recomputed from (ε, δ, clip, d) with the privacy core's own
 *    functions; a report whose declared parameters differ in any field is refused.
 * 3. The output must be one the mechanism can produce: a PrivUnit vector has norm
 *    exactly its calibrated scale (up to rounding), Laplace values lie on the grid
 *    within the public clamp, Gaussian values within clip + 64σ (a tail of e^−2048),
 *    a k-RR value in 0..k−1, OUE bits of 0/1 (the schema checks those).
 *
 * So one hostile report moves a group's mean by at most what an honest report of the
 * same mechanism could move it, and never to ±∞ or NaN.
 */
import { ObscuraError } from '../src/errors';
import {
  calibrateAnalyticGaussian,
  calibrateLaplace,
  calibratePrivUnit,
  validateParams,
  type MechanismParams,
} from '../src/privacy/index';
import type { Report } from '../src/report/schema';

/** Largest codebook the collector counts (k-RR / OUE). */
export const MAX_CATEGORIES = 2 ** 16;
/** Longest vector (and largest declared model / projection dimension) the collector accepts. */
export const MAX_DIMS = 4096;
/** Relative tolerance on a PrivUnit report's norm: rounding of d products and a square root. */
const NORM_TOLERANCE = 1e-9;
/** Gaussian values beyond clip + 64σ have probability below e^−2048: only a forged report has them. */
const GAUSSIAN_TAIL_SIGMAS = 64;

export type Mechanism = Readonly<Record<string, string | number>> & { readonly name: string; readonly epsilon: number };

/** The parameters that define a report's calibration, and so its group. */
export interface VerifiedReport {
  readonly report: Report;
  readonly kind: 'vector' | 'category';
  /** Vector length, or k. */
  readonly size: number;
  /** The mechanism parameters exactly as the calibration gives them (equal to the declared ones). */
  readonly mechanism: Mechanism;
}

function refuse(path: string, message: string): never {
  throw new ObscuraError('InvalidReportError', `invalid report: ${path}: ${message}`, {
    issues: [{ path, message }],
  });
}

const calibrations = new Map<string, Mechanism>();
const CALIBRATION_CACHE = 256;

/** What an honest client declares for these inputs (the fields `privatizeVector` / `privatizeCategory` write). */
export function expectedMechanism(declared: Record<string, unknown>, size: number): Mechanism {
  const name = String(declared['name']);
  const epsilon = declared['epsilon'] as number;
  const delta = declared['delta'] as number;
  const clip = declared['clip'];
  const cacheKey = [name, epsilon, delta, clip, size].join('|');
  const hit = calibrations.get(cacheKey);
  if (hit) return hit;
  const params = { name, epsilon, delta, ...(clip === undefined ? {} : { clip }), k: size } as MechanismParams;
  try {
    validateParams(params);
  } catch (err) {
    refuse('mechanism', (err as Error).message);
  }
  let mechanism: Mechanism;
  switch (name) {
    case 'privunit': {
      if (size < 2) refuse('vector', 'PrivUnit needs at least 2 dimensions');
      const p = calibratePrivUnit(epsilon, size);
      mechanism = { name, epsilon, delta: 0, p: p.p, gamma: p.gamma, scale: p.scale };
      break;
    }
    case 'gaussian': {
      if (clip === undefined) refuse('mechanism.clip', 'a Gaussian report states its clip norm');
      const c = clip as number;
      const sigma = calibrateAnalyticGaussian(epsilon, delta, 2 * c);
      mechanism = { name, epsilon, delta, sigma, clip: c, sensitivity: 2 * c };
      break;
    }
    case 'laplace': {
      if (clip === undefined) refuse('mechanism.clip', 'a Laplace report states its clip norm');
      const p = calibrateLaplace(epsilon, size, clip as number);
      mechanism = { name, epsilon, delta: 0, clip: p.clip, step: p.step, t: p.t, b: p.b, bound: p.bound };
      break;
    }
    default:
      mechanism = { name, epsilon, delta: 0 };
  }
  if (calibrations.size >= CALIBRATION_CACHE) calibrations.delete(calibrations.keys().next().value as string);
  calibrations.set(cacheKey, mechanism);
  return mechanism;
}

/** Refuses the first declared field that differs from the calibration (or is missing, or extra). */
function checkDeclared(declared: Record<string, unknown>, expected: Mechanism): void {
  for (const [field, value] of Object.entries(expected)) {
    if (!(field in declared)) refuse(`mechanism.${field}`, `missing; the calibration gives ${value}`);
    if (!sameValue(declared[field], value))
      refuse(
        `mechanism.${field}`,
        `declared ${String(declared[field])} differs from the calibration for these parameters (${value})`,
      );
  }
  for (const field of Object.keys(declared))
    if (!(field in expected)) refuse(`mechanism.${field}`, `not a parameter of ${expected.name}`);
}

/**
 * Numbers agree to 1e-12 relative: the calibration is the same code on both sides, but a
 * browser's Math.exp / Math.log may round differently in the last bit. Range checks
 * below use the collector's own values, never the declared ones.
 */
function sameValue(declared: unknown, expected: string | number): boolean {
  if (typeof expected === 'string' || typeof declared !== 'number') return declared === expected;
  return declared === expected || Math.abs(declared - expected) <= 1e-12 * Math.abs(expected);
}

function checkVector(vector: readonly number[], m: Mechanism): void {
  switch (m.name) {
    case 'privunit': {
      let sq = 0;
      for (const x of vector) sq += x * x;
      const norm = Math.sqrt(sq);
      const scale = m['scale'] as number;
      if (!(Math.abs(norm - scale) <= NORM_TOLERANCE * scale))
        refuse('vector', `a PrivUnit report has norm ${scale} (its calibrated scale), got ${norm}`);
      return;
    }
    case 'laplace': {
      const step = m['step'] as number;
      const bound = m['bound'] as number;
      vector.forEach((x, i) => {
        const units = x / step; // exact: the step is a power of two
        if (!Number.isInteger(units)) refuse(`vector.${i}`, `${x} is not on the Laplace grid (step ${step})`);
        if (Math.abs(units) > bound) refuse(`vector.${i}`, `${x} lies beyond the Laplace clamp ±${bound * step}`);
      });
      return;
    }
    case 'gaussian': {
      const limit = (m['clip'] as number) + GAUSSIAN_TAIL_SIGMAS * (m['sigma'] as number);
      vector.forEach((x, i) => {
        if (!(Math.abs(x) <= limit)) refuse(`vector.${i}`, `${x} lies beyond clip + 64σ = ${limit}`);
      });
      return;
    }
  }
}

/** Returns the verified report, or throws InvalidReportError naming the first problem (path and reason). */
export function verifyReport(report: Report): VerifiedReport {
  const declared = report.mechanism as Record<string, unknown>;
  if (report.model.dims > MAX_DIMS) refuse('model.dims', `at most ${MAX_DIMS} dimensions, got ${report.model.dims}`);
  if (report.projection && report.projection.dims > MAX_DIMS)
    refuse('projection.dims', `at most ${MAX_DIMS} dimensions, got ${report.projection.dims}`);
  if ('vector' in report) {
    const size = report.vector.length;
    if (size > MAX_DIMS) refuse('vector', `at most ${MAX_DIMS} values, got ${size}`);
    if (report.vector.some((x) => !Number.isFinite(x))) refuse('vector', 'every value must be a finite number');
    const mechanism = expectedMechanism(declared, size);
    checkDeclared(declared, mechanism);
    checkVector(report.vector, mechanism);
    return { report, kind: 'vector', size, mechanism };
  }
  const { category } = report;
  const k = category.k;
  if (!(Number.isInteger(k) && k >= 2 && k <= MAX_CATEGORIES))
    refuse('category.k', `an integer from 2 to ${MAX_CATEGORIES} (2^16), got ${k}`);
  if ('value' in category) {
    if (declared['name'] !== 'krr') refuse('mechanism.name', 'a single category value comes from krr');
    if (!(Number.isInteger(category.value) && category.value >= 0 && category.value < k))
      refuse('category.value', `an integer from 0 to ${k - 1}, got ${category.value}`);
  } else {
    if (declared['name'] !== 'oue') refuse('mechanism.name', 'category bits come from oue');
    if (category.bits.length !== k) refuse('category.bits', `expected ${k} bits, got ${category.bits.length}`);
    if (category.bits.some((b) => b !== 0 && b !== 1)) refuse('category.bits', 'every bit must be 0 or 1');
  }
  const mechanism = expectedMechanism(declared, k);
  checkDeclared(declared, mechanism);
  return { report, kind: 'category', size: k, mechanism };
}
