// Every number docs/privacy.md writes is accounted for here: either recomputed from the code's constants and
// functions at the precision printed (`states`), or listed in NOT_RECOMPUTED with its reason (a measurement and
// the bench or test that makes it, a citation, an example input, a formula's own constants). The last test
// tokenizes the whole doc and fails on any number neither recomputed nor listed, so no figure enters untested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CLAMP_BIAS_SHARE,
  gaussianTailUnits,
  INFLUENCE_REPORTS,
  INFLUENCE_SHARE,
  influenceInStandardErrors,
  laplaceSdUnits,
  laplaceTailUnits,
} from '../../../src/privacy/output-bounds';
import { SAMPLER_SLACK } from '../../../src/privacy/mechanisms/discrete-laplace';
import { FIXED_WORDS } from '../../../src/privacy/random/fixed-bernoulli';
import { fixedBetaSteps } from '../../../src/privacy/math/special';
import { rhoForEpsilon } from '../../../src/privacy/zcdp';
import {
  PLD_GROUPS_MAX,
  composedEpsilonUnits,
  epsilonBucket,
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
import { calibratePrivUnit } from '../../../src/privacy/mechanisms/privunit';
import { NEWTON_STEPS } from '../../../src/privacy/math/symmetric-beta-quantile';
import { calibrateLaplace } from '../../../src/privacy/mechanisms/laplace';
import { calibrateAnalyticGaussian } from '../../../src/privacy/mechanisms/gaussian';
import { DEFAULT_DEVICE_BUDGET, DEFAULT_SCOPE, MAX_TOTAL_EPSILON } from '../../../src/ledger/budget-policy';
import { TASK_EPSILONS_MAX } from '../../../src/report/task';
import { exactEpsilon, type Release } from './reference-pld';
import { evenSplitParams } from '../../support/reference-math';

const doc = readFileSync(new URL('../../../docs/privacy.md', import.meta.url), 'utf8');
/** Which characters of the doc a check has accounted for. */
const accounted = new Uint8Array(doc.length);

function mark(text: string): number {
  const escaped = text
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  let found = 0;
  for (const m of doc.matchAll(new RegExp(escaped.join('\\s+'), 'gu'))) {
    accounted.fill(1, m.index, m.index + m[0].length);
    found++;
  }
  return found;
}

/** The doc states `text` (whitespace-insensitive), which the caller has just recomputed. */
function states(text: string): void {
  assert.ok(mark(text) > 0, `docs/privacy.md does not state "${text}"`);
}

/** The doc states `passage` about a test or bench whose source says `pattern`: the doc follows its parameters. */
function cites(passage: string, file: string, pattern: RegExp): void {
  assert.match(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8'), pattern, file);
  states(passage);
}

/** A named constant of a source file that is not exported, read from its text (a plain arithmetic literal). */
function sourceConstant(file: string, name: string): number {
  const source = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
  const expression = new RegExp(`const ${name} = ([-0-9e.*/+ ()]+);`).exec(source)?.[1];
  assert.ok(expression, `${file} has no constant ${name}`);
  return Number(new Function(`return ${expression}`)());
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

/** A power of ten as the doc writes it (10⁻⁶), for an x that is one exactly. */
function pow10(x: number): string {
  const k = Math.round(Math.log10(x));
  assert.equal(Number(`1e${k}`), x);
  return `10${sup(k)}`;
}

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
  assert.equal(DELTA_TARGET, 1e-6);
  states('(expectedMse, unit vectors; Gaussian at δ = 10⁻⁶, C = 1)');
  for (const row of rows) {
    const at = doc.indexOf(row);
    accounted.fill(1, at, at + row.length);
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
  states(`its reserve 2${sup(Math.log2(TRIALS_DELTA_RESERVE))}`);
  assert.equal(calibrateLaplace(1, 4).clip, 1);
  assert.equal(calibrateDiscreteGaussian(1, DELTA_TARGET, 4).clip, 1);
  states('C = 1 by default');
  states(`slack 2${sup(Math.log2(GAUSSIAN_SLACK))}`);
  states(`divided by e^(2${sup(Math.log2(GAUSSIAN_PMF_LOG_FACTOR))}) per Gaussian release`);
  states(`s = ${SMOOTHING_SIGMA} grid units`);
  // e^(−2π²s²) < 10⁻⁵⁴⁸: in log10.
  assert.ok((-2 * Math.PI ** 2 * SMOOTHING_SIGMA ** 2) / Math.LN10 < -548);
  states(`e^(−2π²·${SMOOTHING_SIGMA ** 2}) < 10⁻⁵⁴⁸`);
  assert.equal(Math.exp(-2 * Math.PI ** 2 * SMOOTHING_SIGMA ** 2), 0);
  states('a factor that is 0 in any arithmetic');
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
  // The most of the cheapest Gaussian releases one window of the largest total holds, and the residual over them.
  const window = most((n) => composedEpsilonUnits(gaussians(cheapest, n)) <= units(MAX_TOTAL_EPSILON));
  states(`holds at most ${int(window)} Gaussian releases`);
  const residual = TRIALS * Math.log2(0.25) + Math.log2(DIMS_MAX);
  assert.ok(Math.log2(window) + residual < -59 && Math.log2(window) + residual > -60);
  states(`${int(window)} · 2${sup(residual)} < 2⁻⁵⁹`);
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

test('the public output bounds: tail margins, the influence bound and the Laplace frontier', () => {
  assert.ok(Math.abs(CLAMP_BIAS_SHARE * Math.sqrt(1e8) - 0.01) < 1e-15);
  assert.ok(Math.abs(CLAMP_BIAS_SHARE / 1e-6 - 1) < 1e-12);
  states('is at most 1 % of the standard error of a mean of 10⁸ reports, 10⁻⁶ of the noise');
  states('at most 10⁻⁶σ');
  // Laplace margin over every t a calibration gives (ε ∈ [0.01, 16], d ∈ [15, 4096]): a/t and a/sd.
  const ts = [EPSILON_MIN, 0.1, 1, 4, EPSILON_MAX].flatMap((e) =>
    [15, 96, 1280, DIMS_MAX].map((d) => calibrateLaplace(e, d, 1).t),
  );
  const perT = new Set(ts.map((t) => (laplaceTailUnits(t) / t).toFixed(1)));
  const perSd = new Set(ts.map((t) => (laplaceTailUnits(t) / laplaceSdUnits(t)).toFixed(1)));
  assert.deepEqual([...perT, ...perSd], ['12.8', '9.0']);
  states('a ≈ 12.8t');
  states('about 12.8t (9.0 sd)');
  const sigmas = [EPSILON_MIN, 1, EPSILON_MAX].flatMap((e) =>
    [1, 96, DIMS_MAX].map((d) => calibrateDiscreteGaussian(e, DELTA_TARGET, d, 1).sigmaUnits),
  );
  assert.deepEqual([...new Set(sigmas.map((s) => (gaussianTailUnits(s) / s).toFixed(1)))], ['4.4']);
  states('about 4.4σ');
  // One report at ±B moves a mean of n by ((B + C/√d)√n + 6 SE)/((n + 1)·sd): the 6 is the formula at B = C = 0.
  const honestSes = influenceInStandardErrors(0, 1, 0, 1) * (INFLUENCE_REPORTS + 1);
  assert.ok(Math.abs(honestSes - 6) < 1e-12);
  states(`of n = ${INFLUENCE_REPORTS} honest reports by at most ((B + C/√d)√n + ${honestSes} SE)/((n + 1)·sd)`);
  states(`the ${honestSes} SE allow`);
  assert.equal(INFLUENCE_SHARE, 0.5);
  states('keep that at most ½');
  let worst = { influence: 0, at: '' };
  for (const epsilon of [EPSILON_MIN, 1, 8, EPSILON_MAX])
    for (const delta of [DELTA_MIN, DELTA_TARGET])
      for (const dims of [1, 2, 96, DIMS_MAX]) {
        const p = calibrateDiscreteGaussian(epsilon, delta, dims, 1);
        const influence = influenceInStandardErrors(p.bound * p.step, p.sigma, 1, dims);
        if (influence > worst.influence) worst = { influence, at: `${epsilon} ${dims}` };
      }
  assert.ok(worst.influence > 0.3 && worst.influence < 0.36 && worst.at === `${EPSILON_MAX} 1`, JSON.stringify(worst));
  states(
    `Every allowed Gaussian (ε ≤ ${EPSILON_MAX}, δ ≤ 10⁻⁶) does ` +
      `(at most about a third, at ε = ${EPSILON_MAX} and d = 1)`,
  );
  const room = ((INFLUENCE_REPORTS + 1) * INFLUENCE_SHARE - honestSes) / Math.sqrt(INFLUENCE_REPORTS);
  states(`Laplace needs ${Math.floor(laplaceTailUnits(1e4) / laplaceSdUnits(1e4))} of the ${room.toFixed(1)} sd`);
  // The largest ε the Laplace calibration allows at each d (truncated to the printed digits), by bisection.
  const allows = (epsilon: number, dims: number) => {
    try {
      calibrateLaplace(epsilon, dims, 1);
      return true;
    } catch {
      return false;
    }
  };
  const frontier = (dims: number) => {
    let [lo, hi] = [EPSILON_MIN, EPSILON_MAX];
    for (let i = 0; i < 40; i++) [lo, hi] = allows((lo + hi) / 2, dims) ? [(lo + hi) / 2, hi] : [lo, (lo + hi) / 2];
    return (Math.floor(lo * 100) / 100).toFixed(2);
  };
  const [f1, f4, f8] = [frontier(1), frontier(4), frontier(8)];
  assert.ok(allows(EPSILON_MAX, 15) && !allows(EPSILON_MAX, 14));
  states(`d = 1 allows ε ≤ ${f1}, d = 4 ε ≤ ${f4}, d = 8 ε ≤ ${f8}, d ≥ 15 every ε`);
  states(`(d = 1 above ε = ${f1}, d = 4 above ${f4}, none from d = 15)`);
  states(`a mean of ${INFLUENCE_REPORTS} by at most half a standard error`);
  // The old range, clip + 64σ (64 was GAUSSIAN_TAIL_SIGMAS), at ε = 1, d = 96.
  const old = calibrateDiscreteGaussian(1, DELTA_TARGET, 96, 1);
  const oldInfluence = influenceInStandardErrors(1 + 64 * old.sigma, old.sigma, 1, 96);
  states(
    `clip + 64σ, let one report move a mean of ${INFLUENCE_REPORTS} by ${oldInfluence.toFixed(1)} standard errors`,
  );
});

test('the samplers: acceptance, tails, precision budgets, PrivUnit steps', () => {
  // CKS acceptance with a discrete Laplace proposal of t = σ: Σ_y P(y)·exp(−(|y| − σ)²/(2σ²)).
  const sigma = 1000;
  const r = Math.exp(-1 / sigma);
  let accept = 0;
  for (let y = -60 * sigma; y <= 60 * sigma; y++)
    accept += ((1 - r) / (1 + r)) * r ** Math.abs(y) * Math.exp(-((Math.abs(y) - sigma) ** 2) / (2 * sigma ** 2));
  states(`about ${Math.round(accept * 100)} % of proposals are accepted`);
  assert.ok((1 - accept) ** TRIALS < 0.25 ** TRIALS);
  const tailSigmas = sourceConstant('src/privacy/mechanisms/discrete-gaussian.ts', 'TAIL_SIGMAS') + 1;
  assert.equal(Math.exp(-((tailSigmas - 1) ** 2) / 2), 0);
  states(
    `exact up to ${tailSigmas}σ, where acceptance is e${sup(-((tailSigmas - 1) ** 2) / 2)} (0 in double precision)`,
  );
  // The discrete Laplace: probabilities within 2⁻⁵⁰, at most J + 3 of them, J ≤ 60: loss below 2⁻⁴⁰.
  assert.equal(SAMPLER_SLACK, 2 ** -40);
  assert.ok(2 * (60 + 3) * 2 ** -49 < SAMPLER_SLACK);
  assert.ok(Math.ceil(Math.log2(2 ** 52 + 2 ** 52)) <= 60);
  states('a double within 2⁻⁵⁰ (relative)');
  states('at most J + 3 of them (J ≤ 60), so the privacy loss exceeds the ideal by less than 2⁻⁴⁰');
  // The Gaussian's pmf: (J + 4)·2⁻⁴⁹ per coordinate, 2^J ≥ 41σ at most 2⁵⁰ (σ is largest at the lowest ε, δ).
  const largest = calibrateDiscreteGaussian(EPSILON_MIN, DELTA_MIN, DIMS_MAX, 1).sigmaUnits;
  assert.ok(Math.ceil(Math.log2(tailSigmas * largest)) <= 50);
  const perRelease = DIMS_MAX * (50 + 4) * 2 ** -49;
  assert.ok(perRelease < 2 ** -31 && 2 * perRelease < GAUSSIAN_SLACK && 2 * perRelease < GAUSSIAN_PMF_LOG_FACTOR);
  states(
    `e^(±(J+4)·2⁻⁴⁹) of the ideal per coordinate, less than 2⁻²⁰ of privacy loss over ${int(DIMS_MAX)} coordinates`,
  );
  states('e^(±2⁻³¹) at most');
  // The acceptance exponent's floor: e⁻²⁰⁰ is below the 2⁻¹²⁸ the fixed-word Bernoulli resolves.
  assert.equal(FIXED_WORDS * 32, 128);
  assert.ok(-200 / Math.LN2 < -128);
  assert.match(
    readFileSync(new URL('../../../src/privacy/mechanisms/discrete-gaussian.ts', import.meta.url), 'utf8'),
    /Math\.max\(-200,/,
  );
  states('floored at −200, since anything below 2⁻¹²⁸ is 0');
  states('(p to within 2⁻¹²⁸)');
  // PrivUnit: Newton steps, the table's bound and the continued fraction's length.
  assert.equal(NEWTON_STEPS, 3);
  assert.match(
    readFileSync(new URL('../../../src/privacy/math/symmetric-beta-quantile.ts', import.meta.url), 'utf8'),
    /const TOLERANCE = 2 \*\* -56;/,
  );
  states('and 3 Newton steps on ln I against ln x finish it');
  states('is at most 2⁻⁵⁶ (relative, in x or, in');
  states('and 3 Newton steps each, every step one');
  states('ln I is concave in ln x (convex for d = 2)');
  cites('from d = 2 to d = 4 096', 'tests/unit/privacy/privunit-inverse.test.ts', /\[2, 3, 16, 96, 1280, 4096\]/);
  cites('they agree to\n5·10⁻¹⁴ in t', 'tests/unit/privacy/privunit-inverse.test.ts', /const TOLERANCE = 5e-14;/);
  cites('against a 64-step bisection', 'tests/unit/privacy/cap-bisection.ts', /i < 64;/);
  assert.equal(fixedBetaSteps(49) - 2 * 7, 32);
  states('(2⌈√((d−1)/2)⌉ + 32 steps');
  const worse = evenSplitParams(8, 1280).expectedMse / calibratePrivUnit(8, 1280).expectedMse - 1;
  states(`(${Math.round(worse * 100)} % worse at d = 1 280, ε = 8)`);
  // zCDP calibration σ over the analytic σ at δ = 10⁻⁶.
  const zcdp = (epsilon: number) =>
    1 / Math.sqrt(2 * rhoForEpsilon(epsilon, DELTA_TARGET)) / calibrateAnalyticGaussian(epsilon, DELTA_TARGET, 1);
  const ratios = [0.5, 1, 2, 4, 8, EPSILON_MAX].map(zcdp);
  states(`would need ${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)}× this σ at δ = 10⁻⁶`);
  states(`and ε from 0.5 to ${EPSILON_MAX} (${zcdp(EPSILON_MIN).toFixed(1)}× at ε = ${EPSILON_MIN})`);
  // Laplace grid: 2dg at most 1/1024 of 2C√d.
  const share = sourceConstant('src/privacy/mechanisms/laplace.ts', 'SLACK_SHARE');
  assert.equal(calibrateLaplace(1, 1, 1).step, 2 ** -Math.log2(share));
  states(`2dg is at most 1/${share} of 2C√d`);
  states(`grid g = 2^⌊log₂(C/(${share}√d))⌋`);
  states(`g = 2^⌊log₂(C/(${sourceConstant('src/privacy/mechanisms/discrete-gaussian.ts', 'SLACK_SHARE')}√d))⌋`);
  states('t = Δ₁/(g(ε − 2⁻⁴⁰))');
  states(`σ² = (Δ₂/μ)² + ${SMOOTHING_SIGMA}²`);
});

test('the accountant: rounding shares, tails, the exact ε of one release, the δ cap', () => {
  // epsilonBucket keeps 8 significant bits: the worst rise is just above a power of two.
  const rise = Math.max(...[257, 1025, 2 ** 20 + 1].map((u) => epsilonBucket(u) / u - 1));
  assert.ok(rise < 1 / 128 && rise > 1 / 129);
  states(`rounded up to 8 significant bits (at most 1/128 more, under ${Math.ceil(100 * (1 / 128) * 10) / 10} %)`);
  const lattice = (sourceConstant('src/privacy/pld.ts', 'ROUNDING_SHARE') * 3) / 2;
  states(`(at most ${(lattice * 100).toFixed(1)} % in all`);
  // Both roundings, and the basic sum charged where it is within SAVING_NOT_TAKEN of the PLD bound.
  const saving = sourceConstant('src/privacy/accountant.ts', 'SAVING_NOT_TAKEN');
  const overall = ((1 + 1 / 128) * (1 + lattice)) / (1 - saving) - 1;
  states(`refused against is within ${(overall * 100).toFixed(1)} % of the exact`);
  states(`far tails below 10${sup(Math.log10(sourceConstant('src/privacy/pld.ts', 'TAIL')))}`);
  assert.equal(sourceConstant('src/privacy/pld.ts', 'FLOAT_FACTOR'), 1 + 2 ** -20);
  states('relative margin of 2⁻²⁰');
  assert.equal(saving, 1 / 4096);
  states('less than 1/4096 below it');
  const one = exactEpsilon([{ kind: 'pure', epsilon: 1, name: 'laplace' }], DELTA_TARGET);
  const charged = composedEpsilonUnits(totalsOf([costOf({ name: 'laplace', epsilon: 1 })])) * EPSILON_GRID;
  states(`one release at ε = 1 costs ${charged} (not ${one.toFixed(7)}, its exact ε at δ = 10⁻⁶)`);
  const fit = Math.floor(APPROX_DELTA_CAP / (deltaUnitsUp(APPROX_DELTA_MAX) * DELTA_GRID));
  assert.ok((fit + 1) * deltaUnitsUp(APPROX_DELTA_MAX) * DELTA_GRID > APPROX_DELTA_CAP);
  states(`at least ${fit} such releases fit per window`);
  states(`which takes ${fit + 1} of them just past the cap`);
  const target = pow10(DELTA_TARGET);
  states(`(ε, ${target}) whatever the mix`);
  const device = DEFAULT_DEVICE_BUDGET.totalEpsilon;
  states(`fresh device budget of ε = ${device}`);
  states(`at δ = ${target}) that every`);
  states(`creates \`default\`, ε = ${DEFAULT_SCOPE.totalEpsilon}`);
  states(`five scopes of ε = ${DEFAULT_SCOPE.totalEpsilon} release ε = ${device} in all`);
  states(`fit the largest total a budget may have, ε = ${MAX_TOTAL_EPSILON}`);
  states(`composed at δ = ${target} (below)`);
  states(`the limits allow (ε = ${EPSILON_MIN}, δ = ${pow10(DELTA_MIN)}:`);
  states(`(ε, δ)-DP at the device's δ = ${target}`);
  states(`smallest with δ(ε) ≤ ${target} less`);
  states(`device-wide target δ = ${target}`);
  states(`less 2${sup(Math.log2(TRIALS_DELTA_RESERVE))} per Gaussian release`);
  states(`takes 2${sup(Math.log2(TRIALS_DELTA_RESERVE))} off its δ`);
  states(
    `charged one grid unit (2${sup(Math.log2(EPSILON_GRID))}) of pure ε ` +
      `plus its ρ = μ²/2 rounded up to 2${sup(Math.log2(RHO_GRID))}`,
  );
  states(`the floor is ${EPSILON_MIN}`);
  states(`ε ∈ [${EPSILON_MIN}, ${EPSILON_MAX}], δ ∈ [${pow10(DELTA_MIN)}, ${target}], d ≤ ${int(DIMS_MAX)}`);
  states(`per release (d ≤ ${int(DIMS_MAX)})`);
  states(`δ by e^(2${sup(Math.log2(GAUSSIAN_PMF_LOG_FACTOR))}) per Gaussian`);
  // Under basic composition the Gaussians' stated ε are summed.
  const basic = Math.floor(10 / EPSILON_GRID / epsilonUnitsUp(1));
  states(`fit a budget of 10 (each carries the analytic Gaussian's noise; ${basic} under basic`);
  states(`| name, epsilon, delta ≤ ${target}, clip, sigma, step |`);
  states(`d ≤ ${int(DIMS_MAX)}, k ≤ 2${sup(Math.log2(CATEGORIES_MAX))}`);
  assert.equal(sourceConstant('src/ledger/ledger-schema.ts', 'VERSION'), 5);
  states("The ledger's upgrade to version 4");
});

test('the tests and benches the doc cites run with the parameters it states', () => {
  const timing = 'tests/unit/privacy/privunit-timing.test.ts';
  assert.match(readFileSync(new URL(`../../../${timing}`, import.meta.url), 'utf8'), /const DIMS = 96;/);
  assert.match(readFileSync(new URL(`../../../${timing}`, import.meta.url), 'utf8'), /epsilons = \[2, 8\]/);
  cites('A test times 20 000 releases at each of ε = 2 and ε = 8 (d = 96,', timing, /const RELEASES = 20_000;/);
  cites('the test fails above 0.56', timing, /accuracy <= 0\.56/);
  cites('times 20 000 releases of each', 'bench/sampler-timing.ts', /releases = 20_000/);
  cites('below what 20 000 releases resolve', 'bench/sampler-timing.ts', /releases = 20_000/);
  cites('on a 4 000-point grid', 'tests/unit/privacy/privunit.test.ts', /i < 4000;/);
  cites('a 10 % smaller margin', 'tests/unit/privacy/output-bounds.test.ts', /Math\.floor\(0\.9 \*/);
  cites('10⁶ times on a worst-case pair', 'tests/unit/privacy/audit-support.ts', /const N = 1_000_000;/);
  cites('5·10⁴ times', 'tests/unit/privacy/audit.test.ts', /const n = 50_000;/);
  cites('PrivUnit 2.5·10⁵ times', 'tests/unit/privacy/audit-privunit.test.ts', /const n = 250_000;/);
  cites('exits with status 2', 'src/cli/main.ts', /\$\{errName\}: \$\{message\}\\n`\);\s*return 2;/);
});

test('the composition convolves at most PLD_GROUPS_MAX distinct ε; a task allows at most TASK_EPSILONS_MAX', () => {
  states(`so it convolves at most ${PLD_GROUPS_MAX} (\`PLD_GROUPS_MAX\`)`);
  states(`until ${PLD_GROUPS_MAX} are left`);
  states(`that bound holds for ledgers of at most ${PLD_GROUPS_MAX} distinct ε`);
  states(`(at most ${TASK_EPSILONS_MAX} values a task)`);
});

/**
 * Numbers the doc writes that no code determines, each with why. Every entry is a short passage of the doc; the
 * numbers in it are accounted for. Keep each passage as small as its reason.
 */
const NOT_RECOMPUTED: readonly (readonly [passage: string, reason: string])[] = [
  // Citations: paper years and theorem numbers, names.
  ['Bhowmick et al. 2018', 'citation'],
  ['Canonne, Kamath, Steinke 2020', 'citation'],
  ['Balle & Wang 2018', 'citation'],
  ['Theorem 8', 'citation: Balle & Wang, analytic Gaussian'],
  ['Bun & Steinke 2016', 'citation'],
  ['their Theorem 7', 'citation: Canonne, Kamath & Steinke'],
  ['Mironov 2012; Tumult Labs 2022', 'citation'],
  ['Gopi, Lee & Wutschitz 2021', 'citation'],
  ['HMAC-SHA-256', 'the name of the algorithm'],
  // Measurements.
  [
    'Cost: 14 ms per release at d = 96, 316 ms at d = 1 280 on this kind of machine (2 cores)',
    'measured once on a 2-core machine; no bench part times a Gaussian release',
  ],
  [
    'spread 2 000 charges over 128 distinct ε made one decision take 50 s before the cap and\nunder 0.2 s',
    'measured by `npm run bench -- budget` (bench/budget-decision.ts), before and after the cap',
  ],
  ['1.5 % slower, a balanced accuracy of 0.94', 'measured on the earlier PrivUnit sampler (one region inverted)'],
  ['0.505–0.512 over three runs', 'measured: tests/unit/privacy/privunit-timing.test.ts, three runs'],
  ['against 0.73–0.80 and 0.95–0.97', 'measured: the same test on the PrivUnit sampler before constant time'],
  ['balanced accuracy 0.79–0.84', 'measured: a boolean-returning Bernoulli, timed as bench/sampler-timing.ts times'],
  [
    '0.50–0.53 everywhere, against up to 0.66 (discrete Laplace), 0.59 (Laplace mechanism) and 0.56 (k-RR)',
    'measured: npm run bench -- timing (bench/sampler-timing.ts), now and before the samplers were constant time',
  ],
  [
    'after at most 21 steps at d = 96 and 72 at d = 4 096',
    'measured: the continued fraction’s convergence, noted at fixedBetaSteps (src/privacy/math/special.ts)',
  ],
  [
    '1 000 Gaussian releases of one image at ε = 10⁻⁹ and δ close to 1 averaged back to cosine 0.98',
    'measured before the ε floor existed; the floor now refuses these releases',
  ],
  // A convention of the statistical tests, each computing its own threshold from it.
  [
    'false-failure probability at 10⁻⁸',
    'the statistical tests’ threshold, so a correct mechanism fails under once in a million runs',
  ],
  // Example inputs.
  ['ε = 10⁻¹⁶ cannot even be priced', 'an example input below the floor'],
  ['δ close to 1', 'an example input'],
  // Definitions: the format of a double, the 32-bit words the samplers read, V8's small integers.
  ['uniform doubles k/2⁵³ with k uniform in 1..2⁵³−1 (strictly inside (0, 1)', 'the format of a double'],
  ["p's base-2³² digits", 'a random word is 32 bits'],
  ['a 53-bit comparison', 'the format of a double'],
  ['beyond 2³⁰ is boxed', 'V8’s small integers'],
  ['below k·2⁻³²', 'rejection sampling from 32-bit words'],
  ['and `uniform` (2⁻⁵³)', 'the format of a double'],
  ['as the numbers 0 and 1', 'definition: a Bernoulli outcome'],
  ['Z is 0 with probability', 'definition: the value zero'],
  ['Totals lie in [0,', 'definition: a total is not negative'],
  ['delta = 0', 'definition: a pure mechanism'],
];

/** The passages that are formulas: their constants (the 2 of 2C, the 1 of 1 − q) are the mathematics, not figures. */
const FORMULAS: readonly string[] = [
  'diameter of the input set (2C',
  'p = e^ε q/(e^ε q + 1 − q)',
  '1/m² − 1',
  'd (σ² + g²/4)',
  'Δ₁ = 2C√d + 2dg',
  'd g² (2r/(1−r)² + ¼), r = e^(−1/t)',
  'p = e^ε/(e^ε+k−1)',
  'p = ½, q = 1/(e^ε+1)',
  'p(1−q)/((1−p)q)',
  '(1−t²)^((d−3)/2)',
  't = 1 − 2x, x ~ Beta((d−1)/2, (d−1)/2)',
  'Δ₂ = (2C + 2g√d)/g',
  'e^(−k²/(2σ²))',
  'ρ + 2√(ρ ln(1/δ))',
  'N(0, σ₁²)',
  'e^(−(k−y)²/(2s²))',
  'e^(−(j−y)²/(2s²))',
  '√(2π) s Σₙ e^(−2π²s²n²) cos(2πny), which is √(2π) s within a factor 1 ± 3e^(−2π²s²)',
  'N(0, σ₁² + s²)',
  "N_ℤ(0, σ²)'s",
  'pmf is that density times √(2π)σ/S_σ(0), again within 1 ± 3e^(−2π²σ²)',
  'e^(±7e^(−2π²s²))',
  'e^(−2π²·64)',
  'S has period 1',
  'e^(±d·7e^(−2π²s²))',
  'x + N(0, σ₁² I)',
  'N(0, 1), N(μ, 1) (privacy loss N(μ²/2, μ²))',
  '(ε + 2a, e^a δ)',
  '2C√d + 2dg apart in L1',
  'of 2C√d',
  'r^(a+1)/((1+r)(1−r))',
  'sd = √(2r)/(1−r)',
  'r^(a+1) ≤ 10⁻⁶(1+r)√(2r)',
  'from j − 1',
  'σ√(2π)',
  'tanh(1/(2t)), otherwise ±(1 + G)',
  '(r^(2ʲ))',
  '1/(1 + e^(2ʲ/t))',
  'r^(2ᴶ)',
  'exp(−(|Y| − σ²/t)²/(2σ²))',
  'N_ℤ(0, σ²); about',
  '√(1−t²)',
  'ρ = μ²/2 (μ',
  'e^ε/(1 + e^ε) and 1/(1 + e^ε)',
  'N(μ²/2, μ²)',
  'μ² = 2ρ',
  'δ_G(x, 0) = (1 − eˣ)₊',
  '1 − ∏(1 − δⱼ)(1 − δ′)',
];

/** A number as the doc writes one: 4 096, 0.25, 5.25e7, 10⁻⁶, e⁻⁸⁰⁰, 2^−20, 5·10⁻⁷, 23 %, 1.3×, ½. */
const NUMBER = new RegExp(
  String.raw`[½¼¾]|(?<![A-Za-z])e[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+|` +
    String.raw`(?:\d{1,3}(?:[ \u2009\u202f\u00a0]\d{3})+|\d+)(?:\.\d+)?(?:e[−-]?\d+)?` +
    String.raw`(?:·10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+|[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+|\^[−-]?\d+)?(?:\s?%|×)?`,
  'gu',
);

test('every number docs/privacy.md writes is recomputed above or listed with its reason', () => {
  for (const [passage, reason] of NOT_RECOMPUTED)
    assert.ok(mark(passage) > 0, `not in the doc: "${passage}" (${reason})`);
  for (const formula of FORMULAS) assert.ok(mark(formula) > 0, `not in the doc: "${formula}" (formula)`);
  // Code spans are names or literal inputs (paths, identifiers, `0x10`), and a digit right after a letter is part
  // of a name (L2, V8). A check above that fails stops its test, which leaves its later figures unaccounted here
  // too: read the first failure first.
  const blank = (s: string) => ' '.repeat(s.length);
  const text = doc.replace(/`[^`\n]*`/g, blank).replace(/\]\([^)]*\)/g, blank);
  const unaccounted: string[] = [];
  for (const m of text.matchAll(NUMBER)) {
    if (/^\d/.test(m[0]) && /[A-Za-z]$/.test(text.slice(0, m.index))) continue;
    if (accounted.subarray(m.index, m.index + m[0].length).every((c) => c === 1)) continue;
    const line = doc.slice(0, m.index).split('\n').length;
    unaccounted.push(
      `line ${line}: "${m[0]}" in …${doc.slice(Math.max(0, m.index - 40), m.index + 30).replace(/\s+/g, ' ')}…`,
    );
  }
  assert.deepEqual(unaccounted, [], 'numbers in docs/privacy.md neither recomputed nor listed');
});
