/** Answers from aggregates: pure estimators, tests and sample sizes over a group's running totals. */
export type { VectorTotals, CategoryTotals, Estimate } from './totals';
export { normSquared } from './norm-squared';
export { dot, cosine, type Cosine } from './similarity';
export { compareMeans, MEANS_TEST_METHOD, type MeanComparison, type TestResult } from './compare-means';
export {
  compareFrequencies,
  frequencyEstimates,
  type FrequencyComparison,
  type FrequencyDifference,
  type FrequencyEstimates,
} from './compare-frequencies';
export {
  categoryShares,
  clopperPearson,
  projectOntoSimplex,
  SMALL_SAMPLE_HALF_WIDTH,
  type CategoryShare,
  type CategoryShares,
} from './category-shares';
export { sampleSize, noncentralityFor, type SampleSize, type SampleSizeQuestion } from './sample-size';
export {
  normalCdf,
  normalQuantile,
  twoSidedP,
  gammaP,
  gammaQ,
  chiSquareUpper,
  chiSquareQuantileUpper,
  noncentralChiSquareUpper,
} from './distributions';
