// Gaussian mechanism: the analytic calibration (reference), then the exact discrete Gaussian the
// releases use: pmf goodness of fit, no cut tail, fixed work, output lattice, a loss audit, unbiasedness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyticGaussianDelta, calibrateAnalyticGaussian } from '../../../src/privacy/mechanisms/gaussian';
import {
  calibrateDiscreteGaussian,
  discreteGaussianNoise,
  discreteGaussianSampler,
  gaussianRho,
  gaussianSensitivityUnits,
  SMOOTHING_SIGMA,
  TRIALS,
} from '../../../src/privacy/mechanisms/discrete-gaussian';
import { RandomDraws } from '../../../src/privacy/random/draws';
import { pooledCryptoSource } from '../../support/pooled-random';
import { incompleteBeta, normalCdf } from '../../../src/privacy/math/special';
import { ALPHA, binomialZ, clopperPearson, ksCritical, ksDistance, zFor } from '../../support/stats';
import { checkUnbiasedWithMse } from './unbiased';

/** Web Crypto words, fetched in large blocks (millions of releases below). */
const random = pooledCryptoSource();

const draws = () => new RandomDraws(random);

test('analytic Gaussian σ matches the published value and is the smallest σ meeting δ', () => {
  const sigma = calibrateAnalyticGaussian(1, 1e-5, 1);
  assert.ok(Math.abs(sigma - 3.73) < 0.005, `σ(ε=1, δ=1e-5, Δ=1) = ${sigma}`);
  for (const [e, d, s] of [
    [0.5, 1e-6, 2],
    [1, 1e-5, 1],
    [4, 1e-6, 2],
    [8, 1e-9, 2],
    [20, 1e-6, 2],
  ] as const) {
    const sg = calibrateAnalyticGaussian(e, d, s);
    assert.ok(analyticGaussianDelta(sg, e, s) <= d, `δ at σ for ε=${e}`);
    assert.ok(analyticGaussianDelta(sg * (1 - 1e-9), e, s) > d * (1 - 1e-6), `σ for ε=${e} is not larger than needed`);
    // The classical bound σ = Δ√(2 ln(1.25/δ))/ε (valid for ε < 1) always needs more noise.
    if (e < 1) assert.ok(sg < (s * Math.sqrt(2 * Math.log(1.25 / d))) / e);
  }
});

test('the privacy condition holds at the calibrated σ, checked by integrating the privacy loss', () => {
  // δ(σ) = E_Y~N(0,σ²)[(1 − e^(ε − L(Y)))₊] with L(y) = (Δ² + 2Δy)/(2σ²) for the shift Δ:
  // the definition of the hockey-stick divergence, integrated numerically (Simpson),
  // independently of the closed form used by the calibration.
  for (const [epsilon, delta, sensitivity] of [
    [1, 1e-5, 1],
    [0.5, 1e-6, 2],
    [4, 1e-6, 2],
  ] as const) {
    const sigma = calibrateAnalyticGaussian(epsilon, delta, sensitivity);
    const f = (y: number) => {
      const loss = (sensitivity * sensitivity + 2 * sensitivity * y) / (2 * sigma * sigma);
      const density = Math.exp(-(y * y) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
      return loss > epsilon ? density * -Math.expm1(epsilon - loss) : 0;
    };
    const lo = (epsilon * sigma * sigma) / sensitivity - sensitivity / 2; // where the loss reaches ε
    const hi = lo + 40 * sigma;
    const n = 200_000;
    const h = (hi - lo) / n;
    let s = f(lo) + f(hi);
    for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(lo + i * h);
    const integral = (s * h) / 3;
    assert.ok(integral <= delta * (1 + 1e-6), `ε=${epsilon}: δ by integration ${integral} > ${delta}`);
    assert.ok(integral > delta * (1 - 1e-4), `ε=${epsilon}: σ spends δ (${integral})`);
  }
});

/** Draws that count every word read, to show the work per draw is fixed. */
class CountingDraws extends RandomDraws {
  count = 0;
  override word(): number {
    this.count++;
    return super.word();
  }
}

/** The exact pmf of N_ℤ(0, σ²), normalised over |k| ≤ 60σ (the rest is below e^-1800). */
function discreteGaussianPmf(sigma: number): (k: number) => number {
  const limit = Math.ceil(60 * sigma);
  let total = 0;
  for (let k = -limit; k <= limit; k++) total += Math.exp(-(k * k) / (2 * sigma * sigma));
  return (k) => Math.exp(-(k * k) / (2 * sigma * sigma)) / total;
}

test('discrete Gaussian: P(k) ∝ e^(−k²/(2σ²)) for every k, and the tails (n = 250 000, σ = 1 and 2.5)', () => {
  for (const sigma of [1, 2.5]) {
    const n = 250_000;
    const sample = discreteGaussianSampler(sigma);
    const pmf = discreteGaussianPmf(sigma);
    const edge = Math.ceil(4 * sigma);
    const counts = new Map<number, number>();
    const dr = draws();
    for (let i = 0; i < n; i++) {
      const k = sample(dr);
      assert.ok(Number.isInteger(k));
      const key = Math.abs(k) > edge ? Math.sign(k) * (edge + 1) : k;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let tail = 0;
    for (let k = edge + 1; k <= 60 * sigma; k++) tail += pmf(k);
    const cases: [number, number][] = [];
    for (let k = -edge; k <= edge; k++) cases.push([k, pmf(k)]);
    cases.push([edge + 1, tail], [-(edge + 1), tail]);
    const z = zFor(ALPHA / cases.length, normalCdf);
    for (const [k, p] of cases)
      assert.ok(Math.abs(binomialZ(counts.get(k) ?? 0, n, p)) < z, `σ=${sigma} k=${k}: ${counts.get(k)} vs ${n * p}`);
  }
});

test('discrete Gaussian: no tail cut off at large σ (KS against Φ, n = 100 000, σ = 1000; |z| > 3.5 occurs)', () => {
  const sigma = 1000;
  const n = 100_000;
  const sample = discreteGaussianSampler(sigma);
  const dr = draws();
  // Continuity-corrected: the discrete Gaussian's CDF at k + 1/2 is within 1e-9 of Φ((k + 1/2)/σ) at this σ.
  const z = Float64Array.from({ length: n }, () => (sample(dr) + dr.uniform() - 0.5) / sigma);
  const D = ksDistance(z, normalCdf);
  assert.ok(D < ksCritical(n), `KS ${D}`);
  // The largest |z| of 10^5 standard normals is above 3.5 except with probability e^−46.
  assert.ok(z.reduce((m, v) => Math.max(m, Math.abs(v)), 0) > 3.5);
});

test('discrete Gaussian: the same number of words for every draw; acceptance ≥ 75% per trial at release scales', () => {
  for (const sigma of [1, 3.7, 1000, 123456.7]) {
    const sample = discreteGaussianSampler(sigma);
    const dr = new CountingDraws(random);
    sample(dr);
    const per = dr.count;
    for (let i = 0; i < 300; i++) {
      const before = dr.count;
      sample(dr);
      assert.equal(dr.count - before, per, `σ = ${sigma}: words per draw`);
    }
    // Acceptance probability of one trial, summed exactly: Σ_y q(y)·a(y) with t = σ.
    const r = Math.exp(-1 / sigma);
    let accept = 0;
    for (let y = -Math.ceil(60 * sigma); y <= 60 * sigma; y++)
      accept += ((1 - r) / (1 + r)) * r ** Math.abs(y) * Math.exp(-((Math.abs(y) - sigma) ** 2) / (2 * sigma * sigma));
    // Releases have σ ≥ 100 grid units (Δ ≥ 2048, ρ ≤ 16): there the residual is below 2^−96 per coordinate.
    if (sigma >= 100) {
      assert.ok(accept >= 0.75, `σ = ${sigma}: acceptance ${accept}`);
      assert.ok((1 - accept) ** TRIALS <= 2 ** -96, 'the residual of the fixed trial count');
    } else assert.ok(accept >= 0.7, `σ = ${sigma}: acceptance ${accept}`);
  }
});

test('Gaussian outputs lie exactly on the power-of-two grid whatever the input; Δ covers any rounding', () => {
  const dr = draws();
  for (const [epsilon, d, clip] of [
    [1, 8, 1],
    [0.5, 96, 1],
    [16, 1, 2],
  ] as const) {
    const params = calibrateDiscreteGaussian(epsilon, 1e-6, d, clip);
    assert.ok(Number.isInteger(Math.log2(params.step)), 'the step is a power of two');
    assert.ok(params.sigmaUnits >= 100, 'σ in grid units is where acceptance is ≥ 75%');
    for (let trial = 0; trial < 50; trial++) {
      const raw = Float64Array.from({ length: d }, () => (dr.uniform() - 0.5) * 10 ** (dr.int(5) - 3));
      let n = 0;
      for (const v of raw) n += v * v;
      const x = n > clip * clip ? raw.map((v) => (v * clip) / Math.sqrt(n)) : raw;
      for (const v of discreteGaussianNoise(x, params, dr)) {
        const k = v / params.step;
        assert.ok(Number.isInteger(k), `${v} is not a multiple of ${params.step}`);
        assert.equal(k * params.step, v, 'and the multiple is exact');
      }
    }
    // Opposite corners of the ball, rounded apart: the L2 distance stays inside the covered Δ.
    const covered = gaussianSensitivityUnits(d, clip, params.step);
    const x = Float64Array.from({ length: d }, () => (clip / Math.sqrt(d)) * (1 - 1e-9) + params.step * 0.01);
    let worst = 0;
    for (const v of x) worst += (Math.ceil(v / params.step) - Math.floor(-v / params.step)) ** 2;
    assert.ok(Math.sqrt(worst) <= covered, `rounded distance ${Math.sqrt(worst)} > ${covered}`);
    // σ² = σ₁² + s² with σ₁ = Δ/μ, ρ = μ²/2, and the analytic Gaussian's δ at σ₁ is within the release's.
    const sigma1 = Math.sqrt(params.sigmaUnits ** 2 - SMOOTHING_SIGMA ** 2);
    assert.ok(Math.abs(params.rho - (covered * covered) / (2 * sigma1 * sigma1)) < 1e-9 * params.rho);
    assert.ok(analyticGaussianDelta(sigma1, epsilon - 2 ** -20, covered) <= 1e-6 - 2 ** -80);
  }
});

test('privacy loss audit at the worst integer shift: inputs 0 and Δ = 2, event "Z ≥ τ" (2·10^5 draws each)', () => {
  // Grid units: a shift of Δ = 2 with σ for ε = 1 at δ = 1e-6, through ρ. P(Z + 2 ≥ τ) ≤ e^ε P(Z ≥ τ) + δ
  // must hold within Clopper–Pearson confidence; τ where the pointwise loss reaches ε/2 keeps both counts large.
  const epsilon = 1;
  const rho = gaussianRho(epsilon, 1e-6);
  const sigma = 2 / Math.sqrt(2 * rho);
  const tau = Math.round(((epsilon / 2) * sigma * sigma) / 2);
  const sample = discreteGaussianSampler(sigma);
  const n = 200_000;
  const dr = draws();
  let k1 = 0;
  let k2 = 0;
  for (let i = 0; i < n; i++) {
    if (sample(dr) + 2 >= tau) k1++;
    if (sample(dr) >= tau) k2++;
  }
  const a = clopperPearson(k1, n, ALPHA, incompleteBeta);
  const b = clopperPearson(k2, n, ALPHA, incompleteBeta);
  assert.ok(
    a.lower <= Math.exp(epsilon) * b.upper + 1e-6,
    `P1 ≥ ${a.lower} vs e^ε·P2 ≤ ${Math.exp(epsilon) * b.upper}`,
  );
  // The exact ratio of the tails, from the pmf, is what the counts estimate (power).
  const pmf = discreteGaussianPmf(sigma);
  let p1 = 0;
  let p2 = 0;
  for (let k = tau; k <= 60 * sigma; k++) {
    p2 += pmf(k);
    p1 += pmf(k - 2);
  }
  assert.ok(a.lower <= p1 && p1 <= a.upper, 'the count matches the exact tail');
  assert.ok(b.lower <= p2 && p2 <= b.upper);
});

test('Gaussian reports are unbiased (20 000 reports) and their MSE is expectedMse', () => {
  checkUnbiasedWithMse({ name: 'gaussian', epsilon: 2, delta: 1e-6 }, 4, 20_000);
});

test('Gaussian reports stay unbiased where the public clamp is nearest: all the norm on one coordinate, ε = 16', () => {
  checkUnbiasedWithMse({ name: 'gaussian', epsilon: 16, delta: 1e-6 }, 4, 20_000, [1, 0, 0, 0]);
});
