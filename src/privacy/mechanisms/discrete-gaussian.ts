/**
 * The Gaussian mechanism on a grid, with EXACT discrete Gaussian noise (Canonne, Kamath,
 * Steinke 2020), calibrated at the analytic Gaussian mechanism's optimum (Balle & Wang 2018),
 * and no tail is cut off (Box–Muller on 53-bit uniforms never exceeds |z| = 8.57).
 *
 * 1. The input, clipped to L2 norm C, is rounded at random (unbiasedly) to the grid gℤ,
 *    g a power of two. Rounding moves each coordinate by less than g, so any two rounded
 *    inputs differ by an integer vector of L2 norm below Δ = (2C + 2g√d)/g grid units.
 * 2. Each coordinate gets noise Z ~ N_ℤ(0, σ²), P(Z = k) ∝ e^(−k²/(2σ²)), with
 *    σ² = σ₁² + s², σ₁ = Δ/μ, μ the analytic Gaussian's parameter for the release's (ε, δ) (less
 *    the reserves below) and s = SMOOTHING_SIGMA grid units.
 *    Why that is (ε, δ)-DP: draw Y ~ N(0, σ₁²) (continuous) and then, given y, the discrete
 *    Gaussian N_ℤ(y, s²) centred at y. Its pmf is ∫ φ_σ₁(y) e^(−(k−y)²/(2s²)) / S(y) dy with
 *    S(y) = Σ_j e^(−(j−y)²/(2s²)) = √(2π) s Σ_n e^(−2π²s²n²) cos(2πny) (Poisson summation), so S is
 *    √(2π) s within a factor 1 ± 3e^(−2π²s²), and the pmf is N_ℤ(0, σ²)'s within a factor
 *    e^(±7e^(−2π²s²)) (e^(−2π²·64) < 10^−548). For an integer shift v the same holds with v + Y
 *    (S has period 1), so the released vector is, up to a pmf factor e^(±d·7e^(−2π²s²)), a
 *    post-processing of the continuous Gaussian mechanism x + N(0, σ₁²I): that one is (ε, δ)-DP
 *    at L2 sensitivity Δ exactly when σ₁ ≥ the analytic Gaussian's σ (Balle & Wang 2018, Thm 8),
 *    and for composition it is dominated by the pair N(0, 1), N(μ, 1) (its PLD is N(μ²/2, μ²)).
 *    The pmf factor is accounted with the sampler's (below). σ exceeds σ₁ by s²/(2σ₁) at most:
 *    σ₁ ≥ 400 grid units whatever the parameters, so that is below 0.03 %.
 *
 * Sampling (CKS Algorithm 3): propose Y from the discrete Laplace with scale t = σ and accept
 * with probability exp(−(|Y| − σ²/t)²/(2σ²)); the accepted Y is exactly N_ℤ(0, σ²), and about
 * 76% of proposals are accepted. CKS loop until acceptance, so the number of trials (and the
 * time) would depend on the noise. Here every draw makes exactly TRIALS proposals and keeps
 * the first accepted one: the work is fixed, and the residual is the chance that none of them
 * is accepted, below 0.25^48 = 2^−96 per coordinate, 2^−84 per release of d ≤ 4096 (the last
 * proposal is then released). That event depends on the proposals alone, never on the input,
 * and without it the output is exactly the ideal one, so a release is (ε, δ + 2^−84)-DP where
 * the ideal is (ε, δ): the calibration reserves 2^−80 of δ for it.
 * The proposal is exact up to |Y| ≤ 2^J with 2^J ≥ 41σ, where acceptance has fallen to
 * e^(−800), which is 0 in double precision, so values beyond are never accepted.
 *
 * Clamp: each coordinate is clamped to [−B, B] grid units, B the public bound of output-bounds.ts
 * (the largest rounded coordinate plus a ≈ 4.4σ, the tail margin at which the clamp's bias is
 * below 1 % of the standard error of a mean of 10^8 reports), so one report moves a mean of 500
 * by at most half a standard error. The clamp reads the noisy value and public numbers only:
 * post-processing, so the release keeps its (ε, δ).
 *
 * Precision: the proposal's probabilities are doubles turned into exact Bernoulli draws
 * (discrete-laplace.ts), the acceptance test reads 128 bits; the released pmf is within a
 * factor e^(±(J+4)·2^−49) ⊂ e^(±2^−43) of the ideal one per coordinate (J ≤ 50), so over d ≤ 4096
 * coordinates the pmf moves by a factor e^(±2^−31) and the privacy loss by less than 2^−30. 2^−20 of
 * pure ε is charged with every Gaussian release (accountant.ts) and taken off ε in the calibration;
 * GAUSSIAN_PMF_LOG_FACTOR covers the factor on the pmf itself (and the smoothing's, far smaller),
 * which multiplies the δ of a composition (δ(ε) ≤ e^a δ_ideal(ε − 2a) for pmfs within e^(±a)).
 */
import type { RandomDraws } from '../random/draws';
import { fixedWordBernoulli } from '../random/fixed-bernoulli';
import { invalidParameter, requireInteger, requireOpenUnit, requirePositiveFinite } from '../errors';
import { DIMS_MAX } from '../limits';
import { calibrateAnalyticGaussian } from './gaussian';
import { gaussianBoundUnits, requireBoundedInfluence } from '../output-bounds';
import { discreteLaplaceSampler } from './discrete-laplace';
import { clampedGridNoise, gridSampler, type GridSampler } from './grid-noise';

/** Proposals made for every coordinate, accepted or not. */
export const TRIALS = 48;
/** Pure ε set aside per Gaussian release for the sampler's double-precision probabilities. */
export const GAUSSIAN_SLACK = 2 ** -20;
/** Per Gaussian release, a bound on |ln(released pmf / ideal pmf)| (the sampler's 2^−31, the smoothing's < 10^−540). */
export const GAUSSIAN_PMF_LOG_FACTOR = 2 ** -30;
/** s: the part of σ (in grid units) that smooths the lattice; σ² = σ₁² + s². */
export const SMOOTHING_SIGMA = 8;
/** Rounding adds at most 2g√d of L2 sensitivity; g is chosen so that this is ≤ 1/1024 of 2C. */
const SLACK_SHARE = 1024;
/** The proposal is exact up to this many σ beyond σ itself. */
const TAIL_SIGMAS = 40;

export interface DiscreteGaussianParams {
  readonly epsilon: number;
  readonly delta: number;
  readonly dims: number;
  readonly clip: number;
  /** Grid step g; every output value is an integer multiple of it. */
  readonly step: number;
  /** The noise scale in grid units (P(k) ∝ e^(−k²/(2σ²))). */
  readonly sigmaUnits: number;
  /** The noise scale in vector units, σ·g. */
  readonly sigma: number;
  /** μ²/2 with μ = Δ/σ₁, the continuous Gaussian that dominates the release (Δ²/(2σ²) is below it). */
  readonly rho: number;
  /** Outputs lie in [−bound, bound]·step: the public clamp (output-bounds.ts), from σ, C and g. */
  readonly bound: number;
  /** E‖report − x‖² ≤ d(σ² + 1/4)g² (the discrete Gaussian's variance is below σ², as CKS 2020 show). */
  readonly expectedMse: number;
}

/** δ set aside for the residual of the fixed number of trials (≤ 2^−84 per release). */
export const TRIALS_DELTA_RESERVE = 2 ** -80;

const muCache = new Map<string, number>();

/**
 * μ = Δ/σ₁ of a Gaussian release at (ε, δ): the analytic Gaussian mechanism's (Balle & Wang 2018) at
 * ε less GAUSSIAN_SLACK and δ less TRIALS_DELTA_RESERVE. It depends on (ε, δ) alone.
 */
export function gaussianMu(epsilon: number, delta: number): number {
  if (epsilon <= 2 * GAUSSIAN_SLACK) throw invalidParameter('epsilon', `above ${2 * GAUSSIAN_SLACK}`, epsilon);
  if (!(delta > 2 * TRIALS_DELTA_RESERVE && delta < 1))
    throw invalidParameter('delta', 'a number in (2^-79, 1)', delta);
  const key = `${epsilon},${delta}`;
  let mu = muCache.get(key);
  if (mu === undefined) {
    mu = 1 / calibrateAnalyticGaussian(epsilon - GAUSSIAN_SLACK, delta - TRIALS_DELTA_RESERVE, 1);
    if (muCache.size > 256) muCache.clear();
    muCache.set(key, mu);
  }
  return mu;
}

/** ρ = μ²/2 of a Gaussian release at (ε, δ): what the ledger charges (μ² adds under composition). */
export function gaussianRho(epsilon: number, delta: number): number {
  const mu = gaussianMu(epsilon, delta);
  return (mu * mu) / 2;
}

/** The L2 distance in grid units that the calibration covers. */
export function gaussianSensitivityUnits(dims: number, clip: number, step: number): number {
  return (2 * clip + 2 * step * Math.sqrt(dims)) / step;
}

/** Grid, σ and ρ for a release at (ε, δ) of d coordinates clipped to norm C. */
export function calibrateDiscreteGaussian(
  epsilon: number,
  delta: number,
  dims: number,
  clip = 1,
): DiscreteGaussianParams {
  requirePositiveFinite('epsilon', epsilon);
  requireOpenUnit('delta', delta);
  requireInteger('dims', dims, 1, DIMS_MAX);
  requirePositiveFinite('clip', clip);
  const step = 2 ** Math.floor(Math.log2(clip / (SLACK_SHARE * Math.sqrt(dims))));
  const sensitivity = gaussianSensitivityUnits(dims, clip, step);
  const mu = gaussianMu(epsilon, delta);
  const sigmaUnits = Math.hypot(sensitivity / mu, SMOOTHING_SIGMA);
  if (sigmaUnits * (TAIL_SIGMAS + 1) > 2 ** 50)
    throw invalidParameter('epsilon', 'large enough that the noise fits the grid', epsilon);
  const bound = gaussianBoundUnits(sigmaUnits, clip, step);
  requireBoundedInfluence(epsilon, bound * step, sigmaUnits * step, clip, dims);
  return {
    epsilon,
    delta,
    dims,
    clip,
    step,
    sigmaUnits,
    sigma: sigmaUnits * step,
    bound,
    rho: (mu * mu) / 2,
    expectedMse: dims * (sigmaUnits * sigmaUnits + 0.25) * step * step,
  };
}

/** Draws Z; mechanisms use `into`, which writes it to `out[index]` (why: `DiscreteLaplaceSampler`). */
export type DiscreteGaussianSampler = GridSampler;

/** A sampler of N_ℤ(0, σ²) (σ ≥ 1) doing the same work for every draw. */
export function discreteGaussianSampler(sigma: number): DiscreteGaussianSampler {
  if (!(sigma >= 1 && sigma <= 2 ** 44)) throw invalidParameter('sigma', 'a number in [1, 2^44]', sigma);
  const t = sigma;
  const proposal = discreteLaplaceSampler(t, Math.ceil((TAIL_SIGMAS + 1) * sigma));
  const center = (sigma * sigma) / t;
  const twoVar = 2 * sigma * sigma;
  const proposed = new Float64Array(1);
  const into = (draws: RandomDraws, out: Float64Array, index: number): void => {
    let result = 0;
    let accepted = 0;
    for (let i = 0; i < TRIALS; i++) {
      proposal.into(draws, proposed, 0);
      const y = proposed[0]!;
      const gap = Math.abs(y) - center;
      // Below e^−200 the probability is 0 at fixedWordBernoulli's 2^−128 resolution anyway; the floor keeps
      // exp and the digit arithmetic away from subnormal numbers, which are slow on many processors.
      const accept = fixedWordBernoulli(Math.exp(Math.max(-200, -(gap * gap) / twoVar)), draws);
      // Keep drawing after acceptance so the work does not depend on when it happened; the first accepted
      // proposal is kept by arithmetic on 0/1 (exact for integers), not by a branch.
      result = (1 - accepted) * y + accepted * result + 0;
      accepted |= accept;
    }
    out[index] = result;
  };
  return gridSampler(into);
}

const samplers = new WeakMap<DiscreteGaussianParams, DiscreteGaussianSampler>();

/**
 * x (norm ≤ `params.clip`) rounded to the grid plus discrete Gaussian noise, clamped to the public
 * bound: every value a multiple of the step within ±bound steps.
 */
export function discreteGaussianNoise(
  x: Float64Array,
  params: DiscreteGaussianParams,
  draws: RandomDraws,
): Float64Array {
  if (x.length !== params.dims) throw new RangeError(`expected ${params.dims} values, got ${x.length}`);
  let sample = samplers.get(params);
  if (!sample) {
    sample = discreteGaussianSampler(params.sigmaUnits);
    samplers.set(params, sample);
  }
  return clampedGridNoise(x, params.step, params.bound, sample, draws);
}
