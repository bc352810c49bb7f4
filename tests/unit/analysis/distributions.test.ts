// The tails behind every p-value and interval, against values computed with mpmath (30 digits)
// and SciPy's ncx2 (noncentral χ²).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chiSquareQuantileUpper,
  chiSquareUpper,
  gammaP,
  noncentralChiSquareUpper,
  normalCdf,
  normalQuantile,
  twoSidedP,
} from '../../../src/analysis/index';
import { chiSquareCdf } from '../../support/reference-math';

function close(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

test('the normal CDF keeps its relative precision far into the tail', () => {
  close(normalCdf(-1.96), 0.0249978951482204362, 1e-14, 'Φ(−1.96)');
  close(normalCdf(1.5), 0.933192798731141934, 1e-14, 'Φ(1.5)');
  close(normalCdf(-10), 7.6198530241605260659e-24, 1e-12, 'Φ(−10)');
  close(normalCdf(-37), 5.7255712225245768227e-300, 1e-10, 'Φ(−37)');
  close(twoSidedP(-1.96), 2 * 0.0249978951482204362, 1e-14, 'two-sided p at 1.96');
  assert.equal(twoSidedP(0), 1);
});

test('the normal quantile inverts Φ to about 1e-15', () => {
  close(normalQuantile(0.975), 1.9599639845400538556, 1e-14, 'z 0.975');
  close(normalQuantile(0.8), 0.841621233572914363803, 1e-14, 'z 0.8');
  close(normalQuantile(1e-10), -6.3613409024040561991, 1e-14, 'z 1e-10');
  close(normalQuantile(0.5 + 1e-9), 2.50662820373871143764e-9, 1e-7, 'z just above 0.5');
  assert.throws(() => normalQuantile(1), { name: 'InvalidParameterError' });
});

test('χ² tails from the regularized incomplete gamma, both sides and the far tail', () => {
  const upper: [number, number, number][] = [
    [3.841458820694124, 1, 0.0500000000000000574],
    [18.307038053275146, 10, 0.0500000000000000067],
    [100, 50, 3.45493138298486394e-5],
    [0.5, 3, 0.918891411654675859],
    [1000, 900, 0.0109946089421358481],
    [2, 1, 0.157299207050285131],
    [1e-3, 4, 0.999999875041658855],
    [300, 10, 1.55467475438031811e-58],
  ];
  for (const [x, df, q] of upper) close(chiSquareUpper(x, df), q, 1e-12, `Q(χ²_${df} > ${x})`);
  close(chiSquareCdf(0.5, 3), 0.0811085883453241406, 1e-12, 'P(χ²_3 ≤ 0.5)');
  close(gammaP(1.5, 0.25), 0.0811085883453241406, 1e-12, 'P(1.5, 0.25)');
  close(chiSquareQuantileUpper(0.05, 16), 26.296227604864242, 1e-10, 'χ²_16 critical value');
  assert.equal(chiSquareUpper(0, 3), 1);
});

test('the noncentral χ² tail as a Poisson mixture matches SciPy', () => {
  const cases: [number, number, number, number][] = [
    [18.307038053275146, 10, 5, 0.2678039589903245],
    [9.487729036781154, 4, 12, 0.8024260628362555],
    [50, 20, 30, 0.47101282529646915],
  ];
  for (const [x, df, lambda, q] of cases)
    close(noncentralChiSquareUpper(x, df, lambda), q, 1e-9, `ncx2(${df}, ${lambda})`);
});
