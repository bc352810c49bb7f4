// The discrete Gaussian's σ against the analytic Gaussian mechanism (Balle & Wang 2018) computed here,
// independently of src/privacy (own normal CDF, own bisection), for the same (ε, δ, Δ): Δ the L2
// sensitivity in grid units that the calibration covers, (2C + 2g√d)/g for the step g it chose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrateDiscreteGaussian } from '../../../src/privacy/mechanisms/discrete-gaussian';
import { referenceAnalyticSigma, referenceGaussianDelta } from './reference-normal';

test('the reference meets its δ exactly and needs less σ than the classical √(2 ln(1.25/δ))·Δ/ε', () => {
  for (const [epsilon, delta] of [
    [1, 1e-5],
    [0.5, 1e-6],
    [0.1, 1e-10],
  ] as const) {
    const sigma = referenceAnalyticSigma(epsilon, delta, 1);
    assert.ok(Math.abs(referenceGaussianDelta(sigma, epsilon, 1) / delta - 1) < 1e-6);
    assert.ok(sigma < Math.sqrt(2 * Math.log(1.25 / delta)) / epsilon, `${sigma}`);
  }
});

test('calibrate’s σ is within 0.1 % of the analytic Gaussian mechanism’s for the same (ε, δ, Δ), never below', () => {
  let worst = 0;
  for (const epsilon of [0.01, 0.1, 0.5, 1, 2, 4, 8, 16])
    for (const delta of [1e-15, 1e-10, 1e-8, 1e-6])
      for (const dims of [1, 3, 64, 1280, 4096])
        for (const clip of [1, 2.5]) {
          const p = calibrateDiscreteGaussian(epsilon, delta, dims, clip);
          const sensitivity = (2 * clip + 2 * p.step * Math.sqrt(dims)) / p.step;
          const reference = referenceAnalyticSigma(epsilon, delta, sensitivity);
          const ratio = p.sigmaUnits / reference;
          const at = `ε ${epsilon}, δ ${delta}, d ${dims}, C ${clip}: σ ${p.sigmaUnits} vs ${reference}`;
          assert.ok(ratio >= 1 - 1e-9, `below the analytic σ: ${at}`);
          assert.ok(ratio <= 1.001, `more than 0.1 % above: ${at}`);
          assert.equal(p.sigma, p.sigmaUnits * p.step);
          // The ρ charged (μ²/2 of the continuous part) is at least the whole noise's Δ²/(2σ²).
          assert.ok(p.rho >= (sensitivity * sensitivity) / (2 * p.sigmaUnits ** 2), at);
          worst = Math.max(worst, ratio - 1);
        }
  assert.ok(worst < 1e-3, `worst excess ${worst}`);
});
