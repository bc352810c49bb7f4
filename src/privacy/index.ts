/** The privacy core: pure math, no DOM, no tfjs, no storage. */
export { cryptoRandomSource, type RandomSource } from './random/random-source';
export { RandomDraws } from './random/draws';
export { exactBernoulli, exactProbability, type ExactProbability } from './random/exact-bernoulli';
export { checkVector, l2Normalize, l2Norm, clipToNorm } from './vector/prepare';
export {
  randomOrthogonalProjection,
  projectionFromId,
  projectionId,
  project,
  DEFAULT_PROJECTION_SEED,
  type Projection,
} from './vector/projection';
export {
  VECTOR_MECHANISMS,
  CATEGORY_MECHANISMS,
  validateParams,
  prepareVector,
  privatizeVector,
  privatizeCategory,
  expectedMse,
  expectedCosine,
  type MechanismParams,
  type VectorMechanismParams,
  type CategoryMechanismParams,
  type VectorMechanismName,
  type CategoryMechanismName,
  type VectorRelease,
  type VectorMechanismRecord,
  type CategoryRelease,
} from './mechanism';
export { calibratePrivUnit, capShare, type PrivUnitParams } from './mechanisms/privunit';
export { calibrateAnalyticGaussian, analyticGaussianDelta } from './mechanisms/gaussian';
export {
  calibrateDiscreteGaussian,
  discreteGaussianSampler,
  gaussianSensitivityUnits,
  type DiscreteGaussianParams,
} from './mechanisms/discrete-gaussian';
export { calibrateLaplace, type LaplaceParams } from './mechanisms/laplace';
export {
  krrProbabilities,
  oueProbabilities,
  estimateFrequencies,
  frequencyVariance,
} from './mechanisms/randomized-response';
export {
  costOf,
  composedEpsilonUnits,
  totalsOf,
  addCharge,
  emptyTotals,
  epsilonBucket,
  type ChargeTotals,
  type ChargeUnits,
  epsilonUnitsUp,
  epsilonUnitsDown,
  EPSILON_GRID,
  RHO_GRID,
  type Cost,
} from './accountant';
export { zcdpToEpsilon, rhoForEpsilon } from './zcdp';
export { composedEpsilon, gaussianPldDelta, type PldInput, type PureGroup } from './pld';
export {
  EPSILON_MIN,
  EPSILON_MAX,
  DELTA_TARGET,
  DELTA_MIN,
  DIMS_MAX,
  CATEGORIES_MAX,
  APPROX_DELTA_CAP,
  APPROX_DELTA_MAX,
} from './limits';
export { planAggregate, type AggregateParams, type AggregatePlan } from './aggregate/plan';
export { prepareForAggregate, noisyQuantisedVector } from './aggregate/noisy-vector';
export { estimateFromSum, expectedAggregateMse } from './aggregate/estimate';
