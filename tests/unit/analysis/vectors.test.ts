// The vector estimators of src/analysis against simulation: groups of reports released by the
// privacy core's Laplace and PrivUnit mechanisms from populations whose means are known exactly.
// Each assertion allows Z_CRIT (5.73) standard errors of the simulation, so a correct estimator
// fails one with probability below 1e-8 (tests/support/stats.ts); seeds fix the runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareMeans, cosine, dot, normSquared } from '../../../src/analysis/index';
import type { VectorMechanismParams } from '../../../src/privacy/index';
import { Z_CRIT } from '../../support/stats';
import { population, populationMean, seededSource, summary, vectorTotals } from './simulate';

const D = 8;

function truths(params: VectorMechanismParams) {
  const A = population(D, 0, params);
  const B = population(D, 1, params);
  const ma = populationMean(A);
  const mb = populationMean(B);
  const norm = (x: Float64Array) => x.reduce((s, v) => s + v * v, 0);
  const inner = ma.reduce((s, v, j) => s + v * mb[j]!, 0);
  return { A, B, ma, mb, normA: norm(ma), inner, cos: inner / Math.sqrt(norm(ma) * norm(mb)) };
}

/** The mean of R estimates is within Z_CRIT·sd/√R of the truth. */
function unbiased(estimates: number[], truth: number, what: string): { sd: number } {
  const { mean, sd } = summary(estimates);
  const tolerance = (Z_CRIT * sd) / Math.sqrt(estimates.length);
  assert.ok(Math.abs(mean - truth) <= tolerance, `${what}: mean ${mean} vs ${truth} ± ${tolerance}`);
  return { sd };
}

/** A proportion of R independent trials is within Z_CRIT binomial standard errors of p. */
function proportion(hits: number, trials: number, p: number, what: string): void {
  const tolerance = Z_CRIT * Math.sqrt((p * (1 - p)) / trials);
  assert.ok(Math.abs(hits / trials - p) <= tolerance, `${what}: ${hits}/${trials} vs ${p} ± ${tolerance}`);
}

test('Laplace: ‖mean‖² and μ_A·μ_B unbiased, standard errors match, intervals cover', () => {
  const params = { name: 'laplace', epsilon: 4 } as const;
  const t = truths(params);
  const source = seededSource(11);
  const R = 400;
  const n = 100;
  const norms: number[] = [];
  const normSe: number[] = [];
  const dots: number[] = [];
  const dotSe: number[] = [];
  let covered = 0;
  for (let r = 0; r < R; r++) {
    const a = vectorTotals(t.A, n, params, source);
    const b = vectorTotals(t.B, n, params, source);
    const ns = normSquared(a);
    norms.push(ns.estimate);
    normSe.push(ns.standardError);
    const dt = dot(a, b);
    dots.push(dt.estimate);
    dotSe.push(dt.standardError);
    compareMeans(a, b).ci95.forEach(
      ([lo, hi], j) => (covered += Number(lo <= t.ma[j]! - t.mb[j]! && t.ma[j]! - t.mb[j]! <= hi)),
    );
  }
  const normSpread = unbiased(norms, t.normA, '‖mean‖²').sd;
  const dotSpread = unbiased(dots, t.inner, 'μ_A·μ_B').sd;
  // The sd of R = 400 near-normal estimates is within ±20% of the truth at the 1e-8 level (χ²_399);
  // the stated standard error is checked against it with that margin and a little more.
  const ratio = (se: number[], sd: number) => summary(se).mean / sd;
  for (const [what, r] of [
    ['‖mean‖²', ratio(normSe, normSpread)],
    ['dot', ratio(dotSe, dotSpread)],
  ] as const)
    assert.ok(r > 0.75 && r < 1.33, `${what}: mean standard error / spread = ${r}`);
  // The D coordinates' intervals of one run are nearly independent (independent Laplace noise);
  // the bound below counts only the R runs as trials, which is conservative.
  const rate = covered / (R * D);
  const tolerance = Z_CRIT * Math.sqrt((0.95 * 0.05) / R);
  assert.ok(Math.abs(rate - 0.95) <= tolerance, `difference intervals cover ${rate}, expected 0.95 ± ${tolerance}`);
});

test('Laplace: the Wald test of equal means rejects at its level under H0', () => {
  const params = { name: 'laplace', epsilon: 4 } as const;
  const A = population(D, 0, params);
  const source = seededSource(12);
  const R = 2000;
  let rejected = 0;
  for (let r = 0; r < R; r++) {
    const c = compareMeans(vectorTotals(A, 30, params, source), vectorTotals(A, 30, params, source));
    assert.equal(c.test.df, D);
    rejected += Number(c.test.pValue < 0.05);
  }
  proportion(rejected, R, 0.05, 'size at α = 0.05');
});

test('PrivUnit: ‖mean‖² and μ_A·μ_B unbiased', () => {
  const params = { name: 'privunit', epsilon: 4 } as const;
  const t = truths(params);
  const source = seededSource(13);
  const R = 120;
  const n = 60;
  const norms: number[] = [];
  const dots: number[] = [];
  for (let r = 0; r < R; r++) {
    const a = vectorTotals(t.A, n, params, source);
    const b = vectorTotals(t.B, n, params, source);
    norms.push(normSquared(a).estimate);
    dots.push(dot(a, b).estimate);
  }
  unbiased(norms, t.normA, 'PrivUnit ‖mean‖²');
  unbiased(dots, t.inner, 'PrivUnit μ_A·μ_B');
});

test('Laplace: the naive cosine is pulled towards 0 by the noise, the corrected one is not', () => {
  // E‖r − x‖² = 32 per report at ε = 4, d = 8: at n = 300 the noise adds 0.11 to each ‖x̄‖²
  // against true squared norms near 0.26, so the naive cosine shrinks by about a third.
  const params = { name: 'laplace', epsilon: 4 } as const;
  const t = truths(params);
  const source = seededSource(14);
  const R = 150;
  const corrected: number[] = [];
  const naive: number[] = [];
  for (let r = 0; r < R; r++) {
    const c = cosine(vectorTotals(t.A, 300, params, source), vectorTotals(t.B, 300, params, source));
    // At this n an estimate of ‖mean‖² is ≤ 0 about once in a thousand groups (3 standard errors).
    if (c.corrected !== null) corrected.push(c.corrected);
    naive.push(c.naive!);
  }
  assert.ok(corrected.length >= R - 10, `${R - corrected.length} null corrected cosines of ${R}`);
  // The corrected cosine is consistent, not unbiased: its ratio bias at this n is far below its spread.
  unbiased(corrected, t.cos, 'corrected cosine');
  const n = summary(naive);
  const upper = n.mean + (Z_CRIT * n.sd) / Math.sqrt(R);
  assert.ok(upper < t.cos, `naive cosine ${n.mean} (at most ${upper}) should fall short of ${t.cos}`);
});

test('the corrected cosine is null with a reason when the noise outweighs the signal', () => {
  // Two reports each of opposite sign: the unbiased ‖mean‖² is negative.
  const a = { count: 2, sums: [0, 0], squares: [2, 2] };
  const b = { count: 2, sums: [2, 0], squares: [2, 0] };
  const c = cosine(a, b);
  assert.equal(c.corrected, null);
  assert.match(c.reason!, /group a/);
  assert.equal(c.naive, null, 'a zero mean has no direction');
  assert.equal(normSquared(a).estimate, -2);
  assert.equal(normSquared(b).estimate, 1);
  assert.throws(() => normSquared({ count: 1, sums: [1], squares: [1] }), { name: 'InvalidParameterError' });
});
