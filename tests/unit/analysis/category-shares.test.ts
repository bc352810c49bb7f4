// Category shares as GET /aggregates gives them: the simplex projection against its definition,
// the Clopper–Pearson bounds against closed forms, and the estimate and interval against k-RR and
// OUE reports released by the privacy core. Each statistical assertion allows Z_CRIT (5.73)
// standard errors, so a correct implementation fails one with probability below 1e-8; seeds fix the runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoryShares, clopperPearson, projectOntoSimplex } from '../../../src/analysis/index';
import {
  krrProbabilities,
  oueProbabilities,
  privatizeCategory,
  type CategoryMechanismParams,
} from '../../../src/privacy/index';
import { Z_CRIT } from '../../support/stats';
import { categoryCounts, seededSource, uniform } from './simulate';

const SHARES = [0.4, 0.3, 0.2, 0.1];

function probabilities(params: CategoryMechanismParams) {
  return params.name === 'krr' ? krrProbabilities(params.epsilon, params.k) : oueProbabilities(params.epsilon);
}

test('the projection onto the simplex: known points, and no simplex point is closer', () => {
  assert.deepEqual(projectOntoSimplex([0.5, 0.5]), [0.5, 0.5]);
  assert.deepEqual(projectOntoSimplex([0.6, 0.6]), [0.5, 0.5]);
  assert.deepEqual(projectOntoSimplex([2.409, -0.5, -0.909]), [1, 0, 0]);
  assert.deepEqual(projectOntoSimplex([0, 0, 0, 0]), [0.25, 0.25, 0.25, 0.25]);
  const near = projectOntoSimplex([1.047, 0.1, -0.147]);
  assert.ok(Math.abs(near[0]! - 0.9735) < 1e-12 && Math.abs(near[1]! - 0.0265) < 1e-12 && near[2] === 0, `${near}`);
  const u = uniform(seededSource(41));
  const distance = (x: number[], y: number[]) => x.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0);
  for (let trial = 0; trial < 200; trial++) {
    const k = 2 + (trial % 7);
    const x = Array.from({ length: k }, () => 3 * u() - 1);
    const y = projectOntoSimplex(x);
    assert.ok(y.every((v) => v >= 0) && Math.abs(y.reduce((s, v) => s + v, 0) - 1) < 1e-12, `${y}`);
    // Optimality: moving mass ε from any coordinate to any other never brings it closer to x.
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++) {
        if (a === b || y[a]! === 0) continue;
        const step = Math.min(y[a]!, 1e-3);
        const z = y.map((v, i) => (i === a ? v - step : i === b ? v + step : v));
        assert.ok(distance(x, y) <= distance(x, z) + 1e-15, `trial ${trial}: ${a} → ${b} is closer`);
      }
  }
});

test('Clopper–Pearson bounds match their closed forms and a tabulated value', () => {
  for (const n of [1, 10, 250]) {
    const none = clopperPearson(0, n, 0.05);
    assert.equal(none.lower, 0);
    assert.ok(Math.abs(none.upper - (1 - 0.025 ** (1 / n))) < 1e-12, `c = 0, n = ${n}: ${none.upper}`);
    const all = clopperPearson(n, n, 0.05);
    assert.equal(all.upper, 1);
    assert.ok(Math.abs(all.lower - 0.025 ** (1 / n)) < 1e-12, `c = n = ${n}: ${all.lower}`);
  }
  // 5 of 10 at 95%: 0.187086, 0.812914 (the interval is symmetric about 1/2).
  const half = clopperPearson(5, 10, 0.05);
  assert.ok(Math.abs(half.lower - 0.187086) < 1e-6 && Math.abs(half.upper - 0.812914) < 1e-6, JSON.stringify(half));
  assert.deepEqual(clopperPearson(0, 0, 0.05), { lower: 0, upper: 1 });
});

test('one k-RR report: an unbiased estimate outside 0–1, a projection inside, an interval in 0–1, a warning', () => {
  const params = { name: 'krr', epsilon: 1, k: 10 } as const;
  const { p, q } = probabilities(params);
  const counts = new Array<number>(10).fill(0);
  counts[3] = 1;
  const s = categoryShares({ count: 1, counts, p, q });
  assert.ok(Math.abs(s.shares[3]!.estimate - (1 - q) / (p - q)) < 1e-12);
  assert.ok(s.shares[3]!.estimate > 1 && s.shares[0]!.estimate < 0, 'the unbiased estimate leaves [0, 1] at n = 1');
  assert.deepEqual(
    s.shares.map((x) => x.projected),
    counts,
  );
  for (const x of s.shares) assert.ok(0 <= x.interval[0] && x.interval[0] < x.interval[1] && x.interval[1] <= 1);
  assert.equal(s.smallSample, true);
  assert.ok(s.minimumCount > 100, `minimumCount ${s.minimumCount}`);
  const each = Math.ceil(s.minimumCount / 10);
  const large = categoryShares({ count: 10 * each, counts: counts.map(() => each), p, q });
  assert.equal(large.smallSample, false);
  for (const x of large.shares)
    assert.ok(x.interval[1] - x.interval[0] < 2 * 0.1 * 1.1, `width ${x.interval[1] - x.interval[0]} at minimumCount`);
});

test('bad totals are refused by name', () => {
  assert.throws(() => categoryShares({ count: 2, counts: [3, 0], p: 0.7, q: 0.3 }), { name: 'InvalidParameterError' });
  assert.throws(() => categoryShares({ count: 2, counts: [1, 1], p: 0.3, q: 0.7 }), { name: 'InvalidParameterError' });
  assert.throws(() => categoryShares({ count: 2, counts: [0.5, 1], p: 0.7, q: 0.3 }), {
    name: 'InvalidParameterError',
  });
});

/**
 * Runs of n people drawn from SHARES (random population) or fixed in those proportions (fixed):
 * how often each share's interval held the truth, and the mean of each estimate.
 */
function simulate(params: CategoryMechanismParams, n: number, runs: number, seed: number, fixed: boolean) {
  const { p, q } = probabilities(params);
  const source = seededSource(seed);
  const people = Array.from({ length: n }, (_, i) => SHARES.findIndex((_, v) => i < n * sum(SHARES.slice(0, v + 1))));
  const truth = fixed ? SHARES.map((_, v) => people.filter((x) => x === v).length / n) : SHARES;
  let covered = 0;
  const means = new Array<number>(params.k).fill(0);
  for (let r = 0; r < runs; r++) {
    const counts = fixed ? fixedCounts(people, params, source) : categoryCounts(SHARES, n, params, source);
    const s = categoryShares({ count: n, counts, p, q });
    s.shares.forEach((x, v) => {
      covered += Number(x.interval[0] <= truth[v]! && truth[v]! <= x.interval[1]);
      means[v]! += x.estimate / runs;
      assert.ok(x.projected >= 0 && x.projected <= 1);
    });
    assert.ok(Math.abs(sum(s.shares.map((x) => x.projected)) - 1) < 1e-12);
  }
  return { covered, means, truth, p, q };
}

function fixedCounts(
  people: readonly number[],
  params: CategoryMechanismParams,
  source: ReturnType<typeof seededSource>,
) {
  const counts = new Array<number>(params.k).fill(0);
  for (const x of people) {
    const { category } = privatizeCategory(x, params, source);
    if ('value' in category) counts[category.value]!++;
    else category.bits.forEach((b, v) => (counts[v]! += b));
  }
  return counts;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}

/**
 * Coverage of at least 95%: the pooled rate over k categories averages k rates of `runs` trials
 * each, so its standard error is at most √(0.95·0.05/runs) (conservative, as only runs count).
 */
function coversAtLeast95(covered: number, k: number, runs: number, what: string): void {
  const floor = 0.95 - Z_CRIT * Math.sqrt((0.95 * 0.05) / runs);
  assert.ok(covered / (k * runs) >= floor, `${what}: coverage ${covered / (k * runs)} < ${floor}`);
}

for (const [params, n, runs, seed] of [
  [{ name: 'krr', epsilon: 1, k: 4 }, 30, 2000, 51],
  [{ name: 'oue', epsilon: 1, k: 4 }, 20, 2000, 52],
] as const)
  test(`${params.name}, n = ${n}: intervals cover ≥ 95% (drawn and fixed people); estimates are unbiased`, () => {
    const drawn = simulate(params, n, runs, seed, false);
    coversAtLeast95(drawn.covered, params.k, runs, 'people drawn from the population');
    const fixed = simulate(params, n, runs, seed + 100, true);
    coversAtLeast95(fixed.covered, params.k, runs, 'a fixed set of people');
    // Var f̂_v = π_v(1 − π_v)/(n(p − q)²) for drawn people; the mean of `runs` estimates is within Z_CRIT of it.
    drawn.means.forEach((m, v) => {
      const pi = drawn.q + SHARES[v]! * (drawn.p - drawn.q);
      const se = Math.sqrt((pi * (1 - pi)) / (n * (drawn.p - drawn.q) ** 2) / runs);
      assert.ok(Math.abs(m - SHARES[v]!) <= Z_CRIT * se, `category ${v}: mean estimate ${m} vs ${SHARES[v]} ± ${se}`);
    });
  });

test('the interval is as narrow as its level allows: at n = 2000 within 10% of the normal interval', () => {
  const params = { name: 'krr', epsilon: 1, k: 4 } as const;
  const { p, q } = probabilities(params);
  const n = 2000;
  const counts = categoryCounts(SHARES, n, params, seededSource(53));
  const s = categoryShares({ count: n, counts, p, q });
  s.shares.forEach((x, v) => {
    const pi = counts[v]! / n;
    const normal = (2 * 1.959964 * Math.sqrt((pi * (1 - pi)) / n)) / (p - q);
    const width = x.interval[1] - x.interval[0];
    assert.ok(width >= normal * 0.99 && width <= normal * 1.1, `category ${v}: width ${width} vs normal ${normal}`);
  });
  assert.equal(s.smallSample, false);
});
