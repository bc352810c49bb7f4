// Every figure docs/privacy.md states that the code determines, recomputed here from the code's constants
// and functions: the test fails when a stated number is wrong. (Measured figures — timings, balanced
// accuracies, the cosine of the flood — come from benchmarks and are not recomputed here.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  composedEpsilonUnits,
  costOf,
  DELTA_GRID,
  deltaUnitsUp,
  EPSILON_GRID,
  epsilonUnitsUp,
  RHO_GRID,
  totalsOf,
  type ChargeTotals,
  type ChargeUnits,
} from '../../../src/privacy/accountant';
import {
  APPROX_DELTA_CAP,
  APPROX_DELTA_MAX,
  CATEGORIES_MAX,
  DELTA_MIN,
  DELTA_TARGET,
  DIMS_MAX,
  EPSILON_MAX,
  EPSILON_MIN,
} from '../../../src/privacy/limits';
import {
  calibrateDiscreteGaussian,
  GAUSSIAN_PMF_LOG_FACTOR,
  GAUSSIAN_SLACK,
  SMOOTHING_SIGMA,
  TRIALS,
  TRIALS_DELTA_RESERVE,
} from '../../../src/privacy/mechanisms/discrete-gaussian';
import { calibratePrivUnit, evenSplitParams } from '../../../src/privacy/mechanisms/privunit';
import { calibrateLaplace } from '../../../src/privacy/mechanisms/laplace';
import { calibrateAnalyticGaussian } from '../../../src/privacy/mechanisms/gaussian';
import { DEFAULT_DEVICE_BUDGET, MAX_TOTAL_EPSILON } from '../../../src/ledger/budget-policy';
import { exactEpsilon, type Release } from './reference-pld';

const doc = readFileSync(new URL('../../../docs/privacy.md', import.meta.url), 'utf8');
const flat = doc.replace(/\s+/g, ' ');

/** The doc states `text` (whitespace-insensitive). */
function states(text: string): void {
  assert.ok(flat.includes(text.replace(/\s+/g, ' ')), `docs/privacy.md does not state "${text}"`);
}

/** An integer with a space between thousands, as the doc writes them. */
const int = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
const sup = (n: number) =>
  String(n)
    .split('')
    .map(
      (c) =>
        ({
          '-': '⁻',
          '0': '⁰',
          '1': '¹',
          '2': '²',
          '3': '³',
          '4': '⁴',
          '5': '⁵',
          '6': '⁶',
          '7': '⁷',
          '8': '⁸',
          '9': '⁹',
        })[c],
    )
    .join('');

/** The value of a doc number ("32 217", "8 098.8", "5.25e7") and half a unit of its last printed digit. */
function parseFigure(text: string): { value: number; tolerance: number } {
  const clean = text.replace(/ /g, '');
  const [mantissa, exponent] = clean.split('e');
  const decimals = mantissa!.includes('.') ? mantissa!.split('.')[1]!.length : 0;
  const scale = 10 ** Number(exponent ?? 0);
  return { value: Number(clean), tolerance: 0.5 * 10 ** -decimals * scale };
}

test('the Figures table: PrivUnit, even split, Gaussian σ and MSE, their ratio and Laplace, as calibrated', () => {
  const rows = doc.split('\n').filter((l) => /^\| (1280|64)\s+\|/.test(l));
  assert.equal(rows.length, 10);
  for (const row of rows) {
    const cells = row
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const [d, epsilon] = [Number(cells[0]), Number(cells[1])];
    const gaussian = calibrateDiscreteGaussian(epsilon, DELTA_TARGET, d, 1);
    const privunit = calibratePrivUnit(epsilon, d).expectedMse;
    const computed = [
      privunit,
      evenSplitParams(epsilon, d).expectedMse,
      gaussian.sigma,
      gaussian.expectedMse,
      gaussian.expectedMse / privunit,
      calibrateLaplace(epsilon, d, 1).expectedMse,
    ];
    computed.forEach((value, k) => {
      const { value: stated, tolerance } = parseFigure(cells[k + 2]!);
      assert.ok(
        Math.abs(stated - value) <= tolerance * (1 + 1e-9),
        `d ${d}, ε ${epsilon}, column ${k + 3}: ${stated} vs ${value}`,
      );
    });
  }
});

test('limits, grids and reserves as the code has them', () => {
  states(`ε outside [${EPSILON_MIN}, ${EPSILON_MAX}]`);
  assert.equal(DELTA_MIN, 1e-15);
  assert.equal(DELTA_TARGET, 1e-6);
  states('Gaussian δ outside [10⁻¹⁵, 10⁻⁶]');
  states(`d above ${int(DIMS_MAX)}, codebooks above 2${sup(Math.log2(CATEGORIES_MAX))} categories`);
  assert.equal(EPSILON_GRID, 2 ** -20);
  assert.equal(RHO_GRID, 2 ** -40);
  assert.equal(DELTA_GRID, 2 ** -60);
  states(`ε in units of 2${sup(Math.log2(EPSILON_GRID))}, ρ in units of 2${sup(Math.log2(RHO_GRID))}`);
  states(`on a grid of 2${sup(Math.log2(DELTA_GRID))}`);
  states(`Totals lie in [0, ${MAX_TOTAL_EPSILON}]`);
  states(`ε = ${DEFAULT_DEVICE_BUDGET.totalEpsilon} over the device's lifetime`);
  states(`(\`APPROX_DELTA_CAP\` = ${APPROX_DELTA_CAP / 1e-7}·10⁻⁷`);
  states(`states δ ≤ 10${sup(Math.log10(APPROX_DELTA_MAX))}`);
  const fit = Math.floor(APPROX_DELTA_CAP / (deltaUnitsUp(APPROX_DELTA_MAX) * DELTA_GRID));
  states(`exactly ${fit} at 10⁻⁸`);
  states(`exactly ${TRIALS} proposals`);
  states(
    `0.25${sup(TRIALS)} = 2${sup(TRIALS * -2)} per coordinate, 2${sup(TRIALS * -2 + Math.log2(DIMS_MAX))} per release`,
  );
  states(`reserves 2${sup(Math.log2(TRIALS_DELTA_RESERVE))} of δ`);
  states(`slack 2${sup(Math.log2(GAUSSIAN_SLACK))}`);
  states(`divided by e^(2${sup(Math.log2(GAUSSIAN_PMF_LOG_FACTOR))}) per Gaussian release`);
  states(`s = ${SMOOTHING_SIGMA} grid units`);
  // e^(−2π²s²) < 10⁻⁵⁴⁸: in log10.
  assert.ok((-2 * Math.PI ** 2 * SMOOTHING_SIGMA ** 2) / Math.LN10 < -548);
  states(`e^(−2π²·${SMOOTHING_SIGMA ** 2}) < 10⁻⁵⁴⁸`);
});

test('the Gaussian calibration figures: within 0.01 % of the analytic σ, σ₁ ≥ 755 grid units', () => {
  let worst = 0;
  let smallest = Infinity;
  for (const epsilon of [EPSILON_MIN, 0.1, 1, 4, EPSILON_MAX])
    for (const delta of [DELTA_MIN, 1e-10, DELTA_TARGET])
      for (const dims of [1, 2, 3, 64, 1280, DIMS_MAX])
        for (const clip of [0.7, 1, 3]) {
          const p = calibrateDiscreteGaussian(epsilon, delta, dims, clip);
          const sensitivity = (2 * clip + 2 * p.step * Math.sqrt(dims)) / p.step;
          worst = Math.max(worst, p.sigmaUnits / calibrateAnalyticGaussian(epsilon, delta, sensitivity) - 1);
          smallest = Math.min(smallest, Math.sqrt(p.sigmaUnits ** 2 - SMOOTHING_SIGMA ** 2));
        }
  assert.ok(worst < 1e-4, `${worst}`);
  states('σ is within 0.01 % of the analytic σ');
  assert.ok(smallest >= 755, `${smallest}`);
  states('σ₁ ≥ 755 grid units');
  assert.ok(SMOOTHING_SIGMA ** 2 / (2 * 755 ** 2) < 0.006 / 100);
  states('s²/(2σ₁²) < 0.006 %');
});

test('the budget figures: releases per window, releases per budget, the composed examples', () => {
  const units = (total: number) => Math.floor(total / EPSILON_GRID);
  const gaussians = (c: ChargeUnits, n: number): ChargeTotals => ({
    pure: new Map(),
    pureUnits: 0,
    rhoUnits: n * c.rhoUnits,
    gaussians: n,
    slackUnits: n * c.epsilonUnits,
    deltaUnits: 0,
  });
  const most = (fits: (n: number) => boolean) => {
    let lo = 0;
    let hi = 2 ** 40;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (fits(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  const gaussianAt1 = costOf({ name: 'gaussian', epsilon: 1, delta: DELTA_TARGET });
  const n1 = most((n) => composedEpsilonUnits(gaussians(gaussianAt1, n)) <= units(10));
  states(`${n1} Gaussian releases at ε = 1, δ = 10⁻⁶ fit a budget of 10`);
  const pure = costOf({ name: 'laplace', epsilon: 0.01 });
  const pureTotals = (n: number): ChargeTotals => ({
    pure: totalsOf([pure]).pure.set([...totalsOf([pure]).pure.keys()][0]!, n),
    pureUnits: n * pure.epsilonUnits,
    rhoUnits: 0,
    gaussians: 0,
    slackUnits: 0,
    deltaUnits: 0,
  });
  const n2 = most((n) => n < 200_000 && composedEpsilonUnits(pureTotals(n)) <= units(10));
  states(
    `${int(n2)} pure releases at ε = 0.01 fit a budget of 10 (${Math.floor(units(10) / pure.epsilonUnits)} under basic`,
  );
  // Ten at ε = 1: charged 10, as the PLD bound saves less than 1/4096 of it; the exact composition (reference).
  const tenReleases: Release[] = Array(10).fill({ kind: 'pure', epsilon: 1, name: 'laplace' });
  const ten = composedEpsilonUnits(totalsOf(Array(10).fill(costOf({ name: 'laplace', epsilon: 1 })))) * EPSILON_GRID;
  assert.equal(ten, 10);
  const tenExact = exactEpsilon(tenReleases, DELTA_TARGET);
  assert.ok(tenExact > 10 * (1 - 2 ** -12));
  states(`ten pure releases at ε = 1 are charged ${ten}: they compose to ${tenExact.toFixed(5)}`);
  states(`probability ${(Math.E / (1 + Math.E)).toFixed(2)}¹⁰`);
  const cheapest = costOf({ name: 'gaussian', epsilon: EPSILON_MIN, delta: DELTA_MIN });
  states(`ρ ≈ ${(cheapest.rho * 1e6).toFixed(2)}·10⁻⁶`);
  // The mixed sequence of tests/unit/privacy/pld-composition.test.ts: charged as the ledger does.
  const sequence: Release[] = [
    ...[0.3, 0.7, 1.1, 0.5, 0.9, 1.3].map((epsilon): Release => ({ kind: 'pure', epsilon, name: 'laplace' })),
    { kind: 'gaussian', epsilon: 1, delta: 1e-6 },
    { kind: 'gaussian', epsilon: 0.5, delta: 1e-7 },
    { kind: 'pure', epsilon: 2, name: 'privunit' },
    { kind: 'approx', epsilon: 1.5, delta: 1e-8 },
  ];
  const charges: ChargeUnits[] = sequence.map((r) =>
    r.kind === 'gaussian'
      ? costOf({ name: 'gaussian', epsilon: r.epsilon, delta: r.delta })
      : r.kind === 'approx'
        ? { epsilonUnits: epsilonUnitsUp(r.epsilon), rhoUnits: 0, deltaUnits: deltaUnitsUp(r.delta) }
        : costOf({ name: 'laplace', epsilon: r.epsilon }),
  );
  const totals = totalsOf(charges);
  const charged = composedEpsilonUnits(totals, DELTA_TARGET - totals.deltaUnits * DELTA_GRID) * EPSILON_GRID;
  states(`${charged.toFixed(4)} charged, ${exactEpsilon(sequence, DELTA_TARGET).toFixed(4)} exact`);
});
