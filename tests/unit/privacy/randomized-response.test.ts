import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  estimateFrequencies,
  frequencyVariance,
  krr,
  krrProbabilities,
  oue,
  oueProbabilities,
} from '../../../src/privacy/mechanisms/randomized-response';
import { RandomDraws } from '../../../src/privacy/random/draws';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { normalCdf } from '../../../src/privacy/math/special';
import { ALPHA, binomialZ, zFor } from '../../support/stats';

const draws = () => new RandomDraws(cryptoRandomSource);
const k = 10;
const epsilon = 1.5;
/** A skewed population over the k categories. */
const truth = Array.from({ length: k }, (_, i) => (i + 1) ** 2);
const total = truth.reduce((s, x) => s + x, 0);
const freq = truth.map((x) => x / total);

test('k-RR reports the true category with p and each other one with q', () => {
  const { p, q } = krrProbabilities(epsilon, k);
  const n = 200_000;
  const counts = new Array<number>(k).fill(0);
  const dr = draws();
  for (let i = 0; i < n; i++) counts[krr(3, epsilon, k, dr)]!++;
  const z = zFor(ALPHA / k, normalCdf);
  counts.forEach((c, v) => assert.ok(Math.abs(binomialZ(c, n, v === 3 ? p : q)) < z, `category ${v}: ${c}`));
});

test('k-RR at the first and last category, and OUE bit by bit, each with its probability (n = 100 000 each)', () => {
  const { p, q } = krrProbabilities(epsilon, k);
  const oueQ = oueProbabilities(epsilon).q;
  const n = 100_000;
  const dr = draws();
  // 2 values × (k k-RR cells + k OUE bits) assertions share ALPHA.
  const z = zFor(ALPHA / (4 * k), normalCdf);
  for (const value of [0, k - 1]) {
    const krrCounts = new Array<number>(k).fill(0);
    const bitCounts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      krrCounts[krr(value, epsilon, k, dr)]!++;
      oue(value, epsilon, k, dr).forEach((b, j) => (bitCounts[j]! += b));
    }
    krrCounts.forEach((c, v) =>
      assert.ok(Math.abs(binomialZ(c, n, v === value ? p : q)) < z, `k-RR ${value} → ${v}: ${c}`),
    );
    bitCounts.forEach((c, j) =>
      assert.ok(Math.abs(binomialZ(c, n, j === value ? 0.5 : oueQ)) < z, `OUE ${value}, bit ${j}: ${c}`),
    );
  }
});

test('k-RR and OUE frequency estimators are unbiased on a skewed population (n = 200 000)', () => {
  const n = 200_000;
  const dr = draws();
  const krrCounts = new Array<number>(k).fill(0);
  const oueCounts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    // Deterministic population: user i holds the category at its quantile.
    let v = 0;
    let acc = freq[0]!;
    while ((i + 0.5) / n > acc) acc += freq[++v]!;
    krrCounts[krr(v, epsilon, k, dr)]!++;
    oue(v, epsilon, k, dr).forEach((b, j) => (oueCounts[j]! += b));
  }
  const z = zFor(ALPHA / (2 * k), normalCdf);
  for (const [name, counts, { p, q }] of [
    ['k-RR', krrCounts, krrProbabilities(epsilon, k)],
    ['OUE', oueCounts, oueProbabilities(epsilon)],
  ] as const) {
    const est = estimateFrequencies(counts, n, p, q);
    est.forEach((f, v) => {
      const sd = Math.sqrt(frequencyVariance(freq[v]!, n, p, q));
      assert.ok(Math.abs(f - freq[v]!) < z * sd, `${name} category ${v}: ${f} vs ${freq[v]} (sd ${sd})`);
    });
    assert.ok(Math.abs(est.reduce((s, x) => s + x, 0) - 1) < 0.05, `${name} estimates sum to about 1`);
  }
});

test('bad parameters are typed errors', () => {
  const dr = draws();
  assert.throws(() => krr(10, 1, 10, dr), { name: 'InvalidParameterError' });
  assert.throws(() => krr(0, 0, 10, dr), { name: 'InvalidParameterError' });
  assert.throws(() => krr(0, 1, 1, dr), { name: 'InvalidParameterError' });
  assert.throws(() => oue(-1, 1, 4, dr), { name: 'InvalidParameterError' });
  assert.throws(() => oue(0, Number.NaN, 4, dr), { name: 'InvalidParameterError' });
});
