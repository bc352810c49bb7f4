// Shared check: the mean of n reports is the input (per coordinate, Bonferroni over
// the coordinates) and the mean squared error is expectedMse (z-test on the sample's
// own standard error, plus within 3 %).
import assert from 'node:assert/strict';
import {
  expectedMse,
  prepareVector,
  privatizeVector,
  type VectorMechanismParams,
} from '../../../src/privacy/mechanism';
import { pooledCryptoSource } from '../../support/pooled-random';
import { normalCdf } from '../../../src/privacy/math/special';
import { ALPHA, Z_CRIT, zFor } from '../../support/stats';

/** Web Crypto words, fetched in large blocks (tens of thousands of reports per check). */
const random = pooledCryptoSource();

export function checkUnbiasedWithMse(
  params: VectorMechanismParams,
  d: number,
  n: number,
  input: readonly number[] = Array.from({ length: d }, (_, i) => Math.sin(i + 0.5)),
): void {
  const x = prepareVector(input, params);
  const sum = new Float64Array(d);
  const sumSq = new Float64Array(d);
  let mse = 0;
  let mseSq = 0;
  for (let i = 0; i < n; i++) {
    const r = privatizeVector(x, params, random).vector;
    let e = 0;
    for (let j = 0; j < d; j++) {
      sum[j]! += r[j]!;
      sumSq[j]! += r[j]! * r[j]!;
      e += (r[j]! - x[j]!) ** 2;
    }
    mse += e / n;
    mseSq += (e * e) / n;
  }
  const z = zFor(ALPHA / d, normalCdf);
  for (let j = 0; j < d; j++) {
    const mean = sum[j]! / n;
    const se = Math.sqrt((sumSq[j]! / n - mean * mean) / (n - 1));
    assert.ok(Math.abs(mean - x[j]!) < z * se, `${params.name} coordinate ${j}: mean ${mean} vs ${x[j]} (se ${se})`);
  }
  const expected = expectedMse(params, d);
  const seMse = Math.sqrt((mseSq - mse * mse) / (n - 1));
  assert.ok(Math.abs(mse - expected) < Z_CRIT * seMse, `${params.name}: MSE ${mse} vs ${expected} (se ${seMse})`);
  assert.ok(Math.abs(mse / expected - 1) < 0.03, `${params.name}: MSE within 3 % of expectedMse`);
}
