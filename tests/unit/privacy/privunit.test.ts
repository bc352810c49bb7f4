// PrivUnit: exact cap sampling, unbiasedness, MSE as stated, optimal ε split, privacy condition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  calibratePrivUnit,
  capShare,
  paramsFor,
  privUnit,
  sampleCapCoordinate,
} from '../../../src/privacy/mechanisms/privunit';
import { RandomDraws } from '../../../src/privacy/random/draws';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { incompleteBeta } from '../../../src/privacy/math/special';
import { l2Normalize } from '../../../src/privacy/vector/prepare';
import { ALPHA, Z_CRIT, ksCritical, ksDistance, binomialZ, zFor } from '../../support/stats';
import { normalCdf } from '../../../src/privacy/math/special';
import { evenSplitParams } from '../../support/reference-math';

const draws = () => new RandomDraws(cryptoRandomSource);

test('the cap marginal matches the exact density ∝ (1−t²)^((d−3)/2) on each region (KS, n = 20 000 each)', () => {
  for (const [d, epsilon] of [
    [3, 1],
    [16, 2],
    [96, 4],
    [1280, 8],
  ] as const) {
    const params = calibratePrivUnit(epsilon, d);
    const a = (d - 1) / 2;
    const q = capShare(params.gamma, d);
    const cdfOfT = (t: number) => 1 - incompleteBeta((1 - t) / 2, a, a); // P(T ≤ t)
    for (const inCap of [true, false]) {
      const n = 20_000;
      const sample = new Float64Array(n);
      const r = draws();
      for (let i = 0; i < n; i++) sample[i] = sampleCapCoordinate(params, inCap, r);
      // Conditional CDFs: on [γ, 1] for the cap, on [−1, γ) for the rest.
      const cdf = inCap ? (t: number) => (cdfOfT(t) - (1 - q)) / q : (t: number) => cdfOfT(t) / (1 - q);
      for (const t of sample)
        assert.ok(inCap ? t >= params.gamma : t < params.gamma, `t = ${t} outside its region (γ = ${params.gamma})`);
      const D = ksDistance(sample, cdf);
      assert.ok(D < ksCritical(n), `d=${d} ε=${epsilon} ${inCap ? 'cap' : 'complement'}: KS ${D} ≥ ${ksCritical(n)}`);
    }
  }
});

test('the report lands in the cap with probability p', () => {
  const d = 16;
  const params = calibratePrivUnit(2, d);
  const u = l2Normalize(Array.from({ length: d }, (_, i) => i - 7.3));
  const n = 100_000;
  const r = draws();
  let inCap = 0;
  for (let i = 0; i < n; i++) {
    const out = privUnit(u, params, r);
    let dot = 0;
    for (let j = 0; j < d; j++) dot += out[j]! * u[j]!;
    if (dot / params.scale >= params.gamma) inCap++;
    // Every report has the same length: scale.
    if (i < 100) assert.ok(Math.abs(Math.hypot(...out) - params.scale) < 1e-9 * params.scale);
  }
  assert.ok(Math.abs(binomialZ(inCap, n, params.p)) < Z_CRIT, `${inCap} of ${n}, p = ${params.p}`);
});

test('reports are unbiased and their MSE is expectedMse (10^5 reports each at d = 16 and 96)', () => {
  for (const [d, epsilon, n] of [
    [16, 1, 100_000],
    [96, 4, 100_000],
  ] as const) {
    const params = calibratePrivUnit(epsilon, d);
    const u = l2Normalize(Array.from({ length: d }, (_, i) => Math.cos(3 * i + 1)));
    const r = draws();
    const sum = new Float64Array(d);
    const sumSq = new Float64Array(d);
    const sqErr = new Float64Array(n);
    const along = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const out = privUnit(u, params, r);
      let e = 0;
      let a = 0;
      for (let j = 0; j < d; j++) {
        sum[j]! += out[j]!;
        sumSq[j]! += out[j]! * out[j]!;
        e += (out[j]! - u[j]!) ** 2;
        a += out[j]! * u[j]!;
      }
      sqErr[i] = e;
      along[i] = a;
    }
    // Along u: E⟨r,u⟩ = 1. Per coordinate: E r_j = u_j. Standard errors from the sample.
    const meanAlong = along.reduce((s, x) => s + x, 0) / n;
    const varAlong = along.reduce((s, x) => s + (x - meanAlong) ** 2, 0) / (n - 1);
    assert.ok(Math.abs(meanAlong - 1) < Z_CRIT * Math.sqrt(varAlong / n), `d=${d}: mean ⟨r,u⟩ = ${meanAlong}`);
    // Every coordinate's mean is within z·se of u_j, z Bonferroni-corrected over the d coordinates.
    const z = zFor(ALPHA / d, normalCdf);
    for (let j = 0; j < d; j++) {
      const mean = sum[j]! / n;
      const se = Math.sqrt((sumSq[j]! / n - mean * mean) / (n - 1));
      assert.ok(Math.abs(mean - u[j]!) < z * se, `d=${d}: coordinate ${j} mean ${mean} vs ${u[j]} (se ${se})`);
    }
    const mse = sqErr.reduce((s, x) => s + x, 0) / n;
    const seMse = Math.sqrt(sqErr.reduce((s, x) => s + (x - mse) ** 2, 0) / (n - 1) / n);
    assert.ok(
      Math.abs(mse - params.expectedMse) < Z_CRIT * seMse,
      `d=${d}: MSE ${mse} vs expected ${params.expectedMse} (se ${seMse})`,
    );
    assert.ok(Math.abs(mse / params.expectedMse - 1) < 0.03, `d=${d}: MSE within 3 % of expectedMse`);
  }
});

test('the ε split is optimal: no γ on a fine grid does better, and the even split is never better', () => {
  for (const d of [3, 16, 96, 1280]) {
    for (const epsilon of [0.5, 1, 2, 4, 8]) {
      const best = calibratePrivUnit(epsilon, d);
      let gridBest = Infinity;
      for (let i = 1; i < 4000; i++) {
        const g = -1 + (2 * i) / 4000;
        const mse = paramsFor(epsilon, d, g).expectedMse;
        if (Number.isFinite(mse)) gridBest = Math.min(gridBest, mse);
      }
      assert.ok(
        best.expectedMse <= gridBest * (1 + 1e-9),
        `d=${d} ε=${epsilon}: ${best.expectedMse} vs grid ${gridBest}`,
      );
      assert.ok(best.expectedMse <= evenSplitParams(epsilon, d).expectedMse * (1 + 1e-12));
    }
  }
  // At d = 1280, ε = 8 the optimum is 23 % better than splitting ε evenly.
  assert.ok(calibratePrivUnit(8, 1280).expectedMse < 0.8 * evenSplitParams(8, 1280).expectedMse);
});

test('the privacy condition p(1−q)/((1−p)q) ≤ e^ε holds for the calibrated parameters', () => {
  for (const d of [2, 3, 16, 96, 1280]) {
    for (const epsilon of [0.1, 0.5, 1, 2, 4, 8, 16]) {
      const { p, gamma } = calibratePrivUnit(epsilon, d);
      const q = capShare(gamma, d);
      const loss = Math.log(p / (1 - p)) + Math.log((1 - q) / q);
      assert.ok(loss <= epsilon, `d=${d} ε=${epsilon}: loss ${loss}`);
      assert.ok(loss > epsilon * (1 - 1e-9), 'and spends all of ε');
    }
  }
});
