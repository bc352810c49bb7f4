/**
 * One entry point over all mechanisms: validate parameters, prepare the vector,
 * privatize with the given randomness, and state the expected error.
 */
import { ObscuraError } from '../errors';
import { invalidParameter, requireInteger, requirePositiveFinite } from './errors';
import { CATEGORIES_MAX, DELTA_MIN, DELTA_TARGET, DIMS_MAX, EPSILON_MAX, EPSILON_MIN } from './limits';
import {
  calibrateDiscreteGaussian as calibrateGaussianUncached,
  discreteGaussianNoise,
} from './mechanisms/discrete-gaussian';
import { calibrateLaplace as calibrateLaplaceUncached, laplaceNoise } from './mechanisms/laplace';
import { calibratePrivUnit as calibratePrivUnitUncached, privUnit } from './mechanisms/privunit';
import { memoize } from './memo';
import { krr, oue } from './mechanisms/randomized-response';
import { RandomDraws } from './random/draws';
import type { RandomSource } from './random/random-source';
import { checkVector, clipToNorm, l2Norm, l2Normalize } from './vector/prepare';
import { project, type Projection } from './vector/projection';

const calibratePrivUnit = memoize(calibratePrivUnitUncached);
const calibrateGaussian = memoize((epsilon: number, delta: number, dims: number, clip: number) =>
  calibrateGaussianUncached(epsilon, delta, dims, clip),
);
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

/**
 * The public parameters each vector mechanism's report carries: exactly what a collector
 * needs to recompute the calibration from (ε, δ, d, C) and to check the output's range.
 */
export type VectorMechanismRecord =
  | { readonly name: 'privunit'; readonly epsilon: number; readonly delta: 0; readonly scale: number }
  | {
      readonly name: 'gaussian';
      readonly epsilon: number;
      readonly delta: number;
      readonly clip: number;
      readonly sigma: number;
      readonly step: number;
    }
  | {
      readonly name: 'laplace';
      readonly epsilon: number;
      readonly delta: 0;
      readonly clip: number;
      readonly step: number;
      readonly bound: number;
    };

/** What a vector mechanism released: the unbiased estimate and the parameters that travel with it. */
export interface VectorRelease {
  readonly vector: Float64Array;
  readonly mechanism: VectorMechanismRecord;
}

export interface CategoryRelease {
  readonly category:
    { readonly k: number; readonly value: number } | { readonly k: number; readonly bits: readonly (0 | 1)[] };
  readonly mechanism: { readonly name: CategoryMechanismName; readonly epsilon: number; readonly delta: 0 };
}

/**
 * Checks parameters fully; throws InvalidParameterError naming the first problem. ε must lie in
 * [EPSILON_MIN, EPSILON_MAX] and a Gaussian δ in [DELTA_MIN, DELTA_TARGET] (limits.ts): a release
 * at ε = 1e-9 and δ = 0.9 is refused here, before any noise is drawn.
 */
export function validateParams(params: MechanismParams): void {
  const name = (params as { name?: unknown }).name;
  const epsilon = (params as { epsilon?: unknown }).epsilon;
  if (typeof epsilon !== 'number' || !(epsilon >= EPSILON_MIN && epsilon <= EPSILON_MAX))
    throw invalidParameter('epsilon', `a number in [${EPSILON_MIN}, ${EPSILON_MAX}]`, epsilon);
  switch (params.name) {
    case 'privunit':
      return;
    case 'gaussian':
      if (typeof params.delta !== 'number' || !(params.delta >= DELTA_MIN && params.delta <= DELTA_TARGET))
        throw invalidParameter(
          'delta',
          `a number in [${DELTA_MIN}, ${DELTA_TARGET}] (the device-wide target)`,
          params.delta,
        );
      if (params.clip !== undefined) requirePositiveFinite('clip', params.clip);
      return;
    case 'laplace':
      if (params.clip !== undefined) requirePositiveFinite('clip', params.clip);
      return;
    case 'krr':
    case 'oue':
      requireInteger('k', params.k, 2, CATEGORIES_MAX);
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
  requireInteger('dims', d, 1, DIMS_MAX);
  switch (params.name) {
    case 'privunit': {
      const p = calibratePrivUnit(params.epsilon, d);
      return {
        vector: privUnit(prepared, p, draws),
        mechanism: { name: 'privunit', epsilon: params.epsilon, delta: 0, scale: p.scale },
      };
    }
    case 'gaussian': {
      const p = calibrateGaussian(params.epsilon, params.delta, d, params.clip ?? 1);
      return {
        vector: discreteGaussianNoise(prepared, p, draws),
        mechanism: {
          name: 'gaussian',
          epsilon: params.epsilon,
          delta: params.delta,
          clip: p.clip,
          sigma: p.sigma,
          step: p.step,
        },
      };
    }
    case 'laplace': {
      const p = calibrateLaplace(params.epsilon, d, params.clip ?? 1);
      return {
        vector: laplaceNoise(prepared, p, draws),
        mechanism: { name: 'laplace', epsilon: params.epsilon, delta: 0, clip: p.clip, step: p.step, bound: p.bound },
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
  const mechanism = { name: params.name, epsilon: params.epsilon, delta: 0 as const };
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
  requireInteger('dims', dims, 1, DIMS_MAX);
  switch (params.name) {
    case 'privunit':
      if (dims < 2) throw new ObscuraError('InvalidParameterError', 'PrivUnit needs at least 2 dimensions');
      return calibratePrivUnit(params.epsilon, dims).expectedMse;
    case 'gaussian':
      return calibrateGaussian(params.epsilon, params.delta, dims, params.clip ?? 1).expectedMse;
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
