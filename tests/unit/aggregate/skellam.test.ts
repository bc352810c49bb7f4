// The Skellam sampler: its pmf (chi-square goodness of fit against the exact Skellam pmf),
// its integer lattice, its fixed number of words per draw, and the RDP bound against the
// exact Rényi divergence of two shifted Skellam distributions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomDraws } from '../../../src/privacy/random/draws';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { drawSkellam, poissonSampler, poissonWindow } from '../../../src/privacy/aggregate/poisson';
import { skellamLogTail, skellamRdp } from '../../../src/privacy/aggregate/skellam-rdp';
import { logGamma } from '../../../src/privacy/math/special';
import { ALPHA } from '../../support/stats';
import { chiSquareCritical, pearson } from './chi-square';

function poissonPmf(mu: number, k: number): number {
  return k < 0 ? 0 : Math.exp(k * Math.log(mu) - mu - logGamma(k + 1));
}

/** Exact Skellam pmf by summing the Poisson pairs (j + k, j), in double precision. */
function skellamPmf(mu: number, k: number): number {
  const spread = Math.ceil(mu + 40 * Math.sqrt(mu) + 40);
  let s = 0;
  for (let j = Math.max(0, -k); j <= spread; j++) s += poissonPmf(mu, j + k) * poissonPmf(mu, j);
  return s;
}

for (const [mu, n] of [
  [0.3, 200_000],
  [2.5, 200_000],
  [400, 200_000],
] as const) {
  test(`Skellam(${mu}): ${n} draws fit the exact pmf (chi-square, false failure < ${ALPHA})`, () => {
    const sampler = poissonSampler(mu);
    const draws = new RandomDraws(cryptoRandomSource);
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const z = drawSkellam(sampler, draws);
      assert.ok(Number.isInteger(z));
      counts.set(z, (counts.get(z) ?? 0) + 1);
    }
    // Bins: every value with expectation ≥ 5 on its own, the two tails pooled.
    let lo = 0;
    while (n * skellamPmf(mu, lo - 1) >= 5) lo--;
    const observed: number[] = [];
    const expected: number[] = [];
    let tailObserved = 0;
    let inner = 0;
    for (let k = lo; k <= -lo; k++) {
      const e = n * skellamPmf(mu, k);
      observed.push(counts.get(k) ?? 0);
      expected.push(e);
      inner += e;
    }
    for (const [k, c] of counts) if (k < lo || k > -lo) tailObserved += c;
    if (n - inner >= 5) {
      observed.push(tailObserved);
      expected.push(n - inner);
    }
    const df = observed.length - 1;
    const stat = pearson(observed, expected);
    assert.ok(stat < chiSquareCritical(df, ALPHA), `χ² = ${stat.toFixed(1)} on ${df} df`);
  });
}

test('every Skellam draw reads the same number of words, whatever the outcome', () => {
  const sampler = poissonSampler(50);
  const inner = new RandomDraws(cryptoRandomSource);
  const perDraw = new Set<number>();
  const outcomes = new Set<number>();
  for (let i = 0; i < 500; i++) {
    let pulled = 0;
    const counting = { word: () => (pulled++, inner.word()) } as RandomDraws;
    outcomes.add(drawSkellam(sampler, counting));
    perDraw.add(pulled);
  }
  assert.ok(outcomes.size > 20);
  assert.deepEqual([...perDraw], [72]);
});

test('the table window keeps P̃/P within a hair of 1 and leaves out less than 2^-960 of the mass', () => {
  for (const mu of [0.01, 1, 37.5, 43_884]) {
    const w = poissonWindow(mu);
    assert.ok(w.logUpper < 1e-10 && w.logLower < 1e-10, `${mu}: ${w.logUpper} ${w.logLower}`);
    assert.ok(w.tailMass < 2 ** -960, `${mu}: ${w.tailMass}`);
    assert.ok(w.first <= Math.floor(mu) && w.first + w.size > mu);
  }
});

test('the Skellam RDP bound is above the exact Rényi divergence of shifted Skellams', () => {
  for (const [mu, shift] of [
    [3, 1],
    [20, 4],
    [200, 10],
  ] as const) {
    const span = Math.ceil(mu + 30 * Math.sqrt(mu) + 30);
    const pmf = new Map<number, number>();
    for (let k = -span - shift; k <= span + shift; k++) pmf.set(k, skellamPmf(mu, k));
    for (const alpha of [2, 3, 8, 32]) {
      let s = 0;
      for (let k = -span; k <= span; k++) {
        const p = pmf.get(k)!;
        const q = pmf.get(k - shift)!;
        if (p > 0 && q > 0) s += Math.exp(alpha * Math.log(p) + (1 - alpha) * Math.log(q));
      }
      const exact = Math.log(s) / (alpha - 1);
      const bound = skellamRdp(alpha, mu, { l1: shift, l2: shift });
      assert.ok(exact <= bound * (1 + 1e-9), `μ=${mu} Δ=${shift} α=${alpha}: exact ${exact} > bound ${bound}`);
      assert.ok(exact > 0.3 * bound, `μ=${mu} Δ=${shift} α=${alpha}: the bound ${bound} should be near ${exact}`);
    }
  }
});

test('the Skellam tail bound is above the exact tail', () => {
  for (const mu of [2, 50, 1000]) {
    for (const t of [1, 5, 20, Math.ceil(6 * Math.sqrt(2 * mu))]) {
      let tail = 0;
      for (let k = t; k < t + 60 * Math.sqrt(mu) + 60; k++) tail += 2 * skellamPmf(mu, k);
      assert.ok(Math.log(tail) <= skellamLogTail(mu, t) + 1e-12, `μ=${mu} t=${t}`);
    }
  }
});
