/**
 * The public per-coordinate bound that Gaussian and Laplace outputs are clamped to on the
 * device, and that a collector refuses anything beyond. The clamp is applied to the noisy
 * output alone (x + Z → min(B, max(−B, x + Z))), a function of the released value and public
 * numbers: post-processing, so the release keeps its (ε, δ) and costs nothing more.
 *
 * Two requirements fix B, and both are derived here, not chosen:
 *
 * 1. Bias. For an input coordinate x on the grid with |x| ≤ L = ⌈C/g⌉ (every rounded coordinate
 *    of an input of norm ≤ C) and B = L + a, the clamp moves the mean by at most E[(Z − a)₊]
 *    (the two sides pull in opposite directions, so the larger side bounds it). That must stay
 *    below CLAMP_BIAS_SHARE of the noise's standard deviation: 1 % of the standard error of a
 *    mean of 10^8 reports, 0.01·sd/√(10^8) = 10^−6·sd. Each noise needs its own tail:
 *    - discrete Laplace, P(k) = (1−r)/(1+r)·r^|k|, r = e^(−1/t): exactly
 *      E[(Z − a)₊] = r^(a+1)/((1+r)(1−r)) and sd = √(2r)/(1−r), so the smallest a with
 *      r^(a+1) ≤ 10^−6·(1+r)√(2r) (about 12.8 t, 9.0 sd);
 *    - discrete Gaussian N_ℤ(0, s²) in grid units: for integer a, E[(Z − a)₊] = Σ_{j>a} P(Z ≥ j);
 *      e^(−k²/(2s²)) falls for k ≥ 0, so Σ_{k≥j} e^(−k²/(2s²)) ≤ ∫_{j−1}^∞ = s√(2π)·Q((j−1)/s), and
 *      the normaliser is at least s√(2π) (Poisson summation), so P(Z ≥ j) ≤ Q((j−1)/s) and
 *      E[(Z − a)₊] ≤ Σ_{i≥a} Q(i/s) ≤ Q(κ) + s(φ(κ) − κQ(κ)) with κ = a/s. The smallest integer a
 *      with that bound ≤ 10^−6·s (about 4.4 s). The variance of N_ℤ(0, s²) equals s² to double
 *      precision at s ≥ 100 grid units, which every calibration gives.
 *
 * 2. Influence. A report r moves the mean of n reports with clean mean x̄ (‖x̄‖ ≤ C) and noise
 *    mean ē by ‖r − x̄ − ē‖/(n + 1) in L2. At the bound, ‖r − x̄‖ ≤ √d·B + C, while the honest
 *    noise's standard error is sd·√(d/n). So one report moves the mean by at most
 *    ((B + C/√d)·√n + ‖ē‖/SE)/((n + 1)·sd) standard errors, and ‖ē‖/SE ≤ 6 except with
 *    probability below 10^−8 (a χ² with d degrees of freedom, over d). At n = 500 that must be
 *    at most one half: B + C/√d ≤ 10.9 sd. With the bias margin above, the Gaussian meets it
 *    when C/σ ≤ 6.5/(1 + 1/√d), which every allowed (ε ≤ 16, δ ≤ 10^−6) gives; Laplace needs
 *    9.0 sd of the 10.9 for the tail, so small d at large ε cannot have both, and the
 *    calibration refuses those (requireBoundedInfluence).
 */
import { invalidParameter } from './errors';
import { normalCdf } from './math/special';
import { memoize } from './memo';

/** The clamp's largest bias per coordinate, as a share of the noise's standard deviation: 1 % of SE at 10^8. */
export const CLAMP_BIAS_SHARE = 0.01 / Math.sqrt(1e8);
/** The number of honest reports at which one report's influence is bounded. */
export const INFLUENCE_REPORTS = 500;
/** One report moves a mean of INFLUENCE_REPORTS reports by at most this many standard errors of its noise. */
export const INFLUENCE_SHARE = 0.5;
/** The honest noise mean's own norm, in standard errors, allowed for (exceeded with probability < 10^−8). */
const HONEST_NOISE_SES = 6;

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** The bound on E[(Z − a)₊]/s for N_ℤ(0, s²) at a = κs: Q(κ)/s + φ(κ) − κQ(κ). */
function gaussianTailBias(kappa: number, s: number): number {
  const q = normalCdf(-kappa);
  return q / s + Math.exp(-(kappa * kappa) / 2) / SQRT_2PI - kappa * q;
}

/**
 * The margin a (grid units) beyond the largest rounded input at which clamping N_ℤ(0, s²) noise
 * biases a coordinate by at most CLAMP_BIAS_SHARE·s.
 */
export const gaussianTailUnits = memoize((sigmaUnits: number): number => {
  if (!(sigmaUnits > 0 && Number.isFinite(sigmaUnits)))
    throw invalidParameter('sigmaUnits', 'a finite number > 0', sigmaUnits);
  // The bound falls as κ grows: bisect for the κ where it meets the target, then round a up.
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (gaussianTailBias(mid, sigmaUnits) > CLAMP_BIAS_SHARE) lo = mid;
    else hi = mid;
  }
  let a = Math.ceil(hi * sigmaUnits);
  while (gaussianTailBias(a / sigmaUnits, sigmaUnits) > CLAMP_BIAS_SHARE) a++;
  return a;
});

/**
 * The margin a (grid units) beyond the largest rounded input at which clamping discrete Laplace
 * noise of parameter t biases a coordinate by at most CLAMP_BIAS_SHARE·sd, exactly.
 */
export function laplaceTailUnits(t: number): number {
  if (!(t > 0 && Number.isFinite(t))) throw invalidParameter('t', 'a finite number > 0', t);
  const r = Math.exp(-1 / t);
  // r^(a+1) ≤ β(1+r)√(2r)  ⇔  (a + 1)/t ≥ ln(1/(β(1+r)√(2r))).
  const need = -Math.log(CLAMP_BIAS_SHARE * (1 + r) * Math.sqrt(2 * r));
  let a = Math.max(0, Math.ceil(need * t) - 1);
  while ((a + 1) / t < need) a++;
  return a;
}

/** The standard deviation of discrete Laplace noise of parameter t, in grid units: √(2r)/(1 − r). */
export function laplaceSdUnits(t: number): number {
  const r = Math.exp(-1 / t);
  return Math.sqrt(2 * r) / -Math.expm1(-1 / t);
}

/** The largest rounded input coordinate in grid units, ⌈C/g⌉: where the tail margin starts. */
export function largestInputUnits(clip: number, step: number): number {
  return Math.ceil(clip / step);
}

/** The Gaussian's public clamp in grid units: ⌈C/g⌉ + the tail margin for σ (grid units). */
export function gaussianBoundUnits(sigmaUnits: number, clip: number, step: number): number {
  return largestInputUnits(clip, step) + gaussianTailUnits(sigmaUnits);
}

/** The Laplace mechanism's public clamp in grid units: ⌈C/g⌉ + the tail margin for t. */
export function laplaceBoundUnits(t: number, clip: number, step: number): number {
  return largestInputUnits(clip, step) + laplaceTailUnits(t);
}

/**
 * The most one report clamped to ±bound (vector units) can move a mean of n honest reports of
 * noise sd (vector units), inputs clipped to norm C, d coordinates: in standard errors of the mean.
 */
export function influenceInStandardErrors(
  bound: number,
  sd: number,
  clip: number,
  dims: number,
  n = INFLUENCE_REPORTS,
): number {
  return ((bound + clip / Math.sqrt(dims)) * Math.sqrt(n) + HONEST_NOISE_SES * sd) / ((n + 1) * sd);
}

/** Refuses a calibration whose clamp lets one report move a 500-report mean by more than half an SE. */
export function requireBoundedInfluence(epsilon: number, bound: number, sd: number, clip: number, dims: number): void {
  const influence = influenceInStandardErrors(bound, sd, clip, dims);
  if (!(influence <= INFLUENCE_SHARE))
    throw invalidParameter(
      'epsilon',
      `small enough for ${dims} dimensions that one report moves a mean of ${INFLUENCE_REPORTS} by at most ` +
        `${INFLUENCE_SHARE} standard errors with an unbiased clamp (it would move it by ${influence.toFixed(3)})`,
      epsilon,
    );
}
