/**
 * One entry point over all mechanisms: validate parameters, prepare the vector,
 * privatize with the given randomness, and state the expected error.
 */
import { ObscuraError } from '../errors';
import { invalidParameter, requireInteger, requireOpenUnit, requirePositiveFinite } from './errors';
import { calibrateAnalyticGaussian as calibrateGaussianUncached, gaussianNoise } from './mechanisms/gaussian';
import { calibrateLaplace as calibrateLaplaceUncached, laplaceNoise } from './mechanisms/laplace';
import { calibratePrivUnit as calibratePrivUnitUncached, privUnit } from './mechanisms/privunit';
import { memoize } from './memo';
import { krr, oue } from './mechanisms/randomized-response';
import { RandomDraws } from './random/draws';
import type { RandomSource } from './random/random-source';
import { checkVector, clipToNorm, l2Norm, l2Normalize } from './vector/prepare';
import { project, type Projection } from './vector/projection';

const calibratePrivUnit = memoize(calibratePrivUnitUncached);
const calibrateAnalyticGaussian = memoize(calibrateGaussianUncached);
const calibrateLaplace = memoize((epsilon: number, dims: number, clip: number) =>
  calibrateLaplaceUncached(epsilon, dims, clip),
);

export const VECTOR_MECHANISMS = ['privunit', 'gaussian', 'laplace'] as const;
export const CATEGORY_MECHANISMS = ['krr', 'oue'] as const;
export type VectorMechanismName = (typeof VECTOR_MECHANISMS)[number];
export type CategoryMechanismName = (typeof CATEGORY_MECHANISMS)[number];

export type VectorMechanismParams =
  | { readonly name: 'privunit'; readonly epsilon: number }
  | { readonly name: 'gaussian'; readonly epsilon: number; readonly delta: number; readonly clip?: number }
  | { readonly name: 'laplace'; readonly epsilon: number; readonly clip?: number };

export type CategoryMechanismParams = {
  readonly name: CategoryMechanismName;
  readonly epsilon: number;
  readonly k: number;
};

export type MechanismParams = VectorMechanismParams | CategoryMechanismParams;

/** What a vector mechanism released: the unbiased estimate and the parameters that travel with it. */
export interface VectorRelease {
  readonly vector: Float64Array;
  readonly mechanism: {
    readonly name: VectorMechanismName;
    readonly epsilon: number;
    readonly delta: number;
  } & Readonly<Record<string, number | string>>;
}

export interface CategoryRelease {
  readonly category:
    { readonly k: number; readonly value: number } | { readonly k: number; readonly bits: readonly (0 | 1)[] };
  readonly mechanism: { readonly name: CategoryMechanismName; readonly epsilon: number; readonly delta: number };
}

/** Checks parameters fully; throws InvalidParameterError naming the first problem. */
export function validateParams(params: MechanismParams): void {
  const name = (params as { name?: unknown }).name;
  requirePositiveFinite('epsilon', params.epsilon);
  switch (params.name) {
    case 'privunit':
      return;
    case 'gaussian':
      requireOpenUnit('delta', params.delta);
      if (params.clip !== undefined) requirePositiveFinite('clip', params.clip);
      return;
    case 'laplace':
      if (params.clip !== undefined) requirePositiveFinite('clip', params.clip);
      return;
    case 'krr':
    case 'oue':
      requireInteger('k', params.k, 2, 1 << 20);
      return;
    default:
      throw invalidParameter('mechanism', `one of ${[...VECTOR_MECHANISMS, ...CATEGORY_MECHANISMS].join(', ')}`, name);
  }
}

/**
 * Normalises (PrivUnit: to the unit sphere) or clips (Gaussian, Laplace: to norm C)
 * the vector, projecting it first when a projection is given, so the sensitivity the
 * mechanism is calibrated for holds whatever the input.
 */
export function prepareVector(
  vector: ArrayLike<number>,
  params: VectorMechanismParams,
  projection?: Projection,
): Float64Array {
  checkVector(vector, projection?.inputDims);
  const unit = l2Normalize(vector);
  const projected = projection ? project(projection, unit) : unit;
  if (params.name === 'privunit') return l2Normalize(projected);
  return clipToNorm(projected, params.clip ?? 1);
}

/** Privatizes a prepared vector. Draws come only from `source`. */
export function privatizeVector(
  prepared: Float64Array,
  params: VectorMechanismParams,
  source: RandomSource,
): VectorRelease {
  validateParams(params);
  checkVector(prepared);
  requirePrepared(prepared, params);
  const draws = new RandomDraws(source);
  const d = prepared.length;
  switch (params.name) {
    case 'privunit': {
      const p = calibratePrivUnit(params.epsilon, d);
      return {
        vector: privUnit(prepared, p, draws),
        mechanism: { name: 'privunit', epsilon: params.epsilon, delta: 0, p: p.p, gamma: p.gamma, scale: p.scale },
      };
    }
    case 'gaussian': {
      const clip = params.clip ?? 1;
      const sigma = calibrateAnalyticGaussian(params.epsilon, params.delta, 2 * clip);
      return {
        vector: gaussianNoise(prepared, sigma, draws),
        mechanism: {
          name: 'gaussian',
          epsilon: params.epsilon,
          delta: params.delta,
          sigma,
          clip,
          sensitivity: 2 * clip,
        },
      };
    }
    case 'laplace': {
      const p = calibrateLaplace(params.epsilon, d, params.clip ?? 1);
      return {
        vector: laplaceNoise(prepared, p, draws),
        mechanism: {
          name: 'laplace',
          epsilon: params.epsilon,
          delta: 0,
          clip: p.clip,
          step: p.step,
          t: p.t,
          b: p.b,
          bound: p.bound,
        },
      };
    }
  }
}

/**
 * The calibration holds only for prepared vectors: unit length for PrivUnit, norm ≤ C
 * otherwise. A vector that skipped `prepareVector` is refused rather than released
 * with a weaker guarantee than it states. (The tolerance covers the rounding of
 * normalisation; the Laplace calibration's 2dg slack is far larger than it.)
 */
function requirePrepared(x: Float64Array, params: VectorMechanismParams): void {
  const n = l2Norm(x);
  if (params.name === 'privunit' ? Math.abs(n - 1) > 1e-12 : n > (params.clip ?? 1) * (1 + 1e-12)) {
    const expected = params.name === 'privunit' ? 'a unit vector' : `norm at most ${params.clip ?? 1}`;
    throw new ObscuraError('InvalidVectorError', `${params.name} needs ${expected} (use prepareVector), got norm ${n}`);
  }
}

/** Privatizes a category index of a public codebook of k entries. */
export function privatizeCategory(
  value: number,
  params: CategoryMechanismParams,
  source: RandomSource,
): CategoryRelease {
  validateParams(params);
  const draws = new RandomDraws(source);
  const mechanism = { name: params.name, epsilon: params.epsilon, delta: 0 };
  if (params.name === 'krr')
    return { category: { k: params.k, value: krr(value, params.epsilon, params.k, draws) }, mechanism };
  return {
    category: { k: params.k, bits: Array.from(oue(value, params.epsilon, params.k, draws), (b) => b as 0 | 1) },
    mechanism,
  };
}

/** E‖report − x‖² of the unbiased estimate, for the UI's utility preview (x prepared, dimension d). */
export function expectedMse(params: VectorMechanismParams, dims: number): number {
  validateParams(params);
  requireInteger('dims', dims, 1, 1 << 16);
  switch (params.name) {
    case 'privunit':
      if (dims < 2) throw new ObscuraError('InvalidParameterError', 'PrivUnit needs at least 2 dimensions');
      return calibratePrivUnit(params.epsilon, dims).expectedMse;
    case 'gaussian': {
      const sigma = calibrateAnalyticGaussian(params.epsilon, params.delta, 2 * (params.clip ?? 1));
      // Plus the unbiased rounding to σ·2^−20, at most step²/4 a coordinate.
      return dims * sigma * sigma * (1 + 2 ** -42 / 4);
    }
    case 'laplace':
      return calibrateLaplace(params.epsilon, dims, params.clip ?? 1).expectedMse;
  }
}

/**
 * Expected cosine similarity between the report and the true unit vector, as the UI
 * shows it ("expected similarity to the true features"): for a unit x and an
 * unbiased report r with E‖r − x‖² = s, E⟨r, x⟩ = 1 and E‖r‖² = 1 + s, so
 * cos ≈ 1/√(1 + s) (exact for PrivUnit, whose reports all have the same norm).
 */
export function expectedCosine(params: VectorMechanismParams, dims: number): number {
  return 1 / Math.sqrt(1 + expectedMse(params, dims));
}
