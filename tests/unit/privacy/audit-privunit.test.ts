// Privacy audit of PrivUnit, in its own file so that it runs beside the other audits
// (each takes tens of seconds on two cores). Method: audit.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareVector, privatizeVector } from '../../../src/privacy/mechanism';
import { calibratePrivUnit } from '../../../src/privacy/mechanisms/privunit';
import { pooledCryptoSource } from '../../support/pooled-random';
import { frequency, lossBounds } from './audit-support';

/** Web Crypto words, fetched in large blocks (half a million releases below). */
const random = pooledCryptoSource();

/**
 * Releases per input. Here P₁ = p = 0.6225 and P₂ = (1 − p)·q/(1 − q) = 0.2290, whose ratio is e^ε exactly,
 * so ln(k₁/k₂) has standard deviation √((1 − P₁)/(nP₁) + (1 − P₂)/(nP₂)) = 0.0040 at this n: the tightness
 * margin of 0.05 is 12.5 of them (a correct PrivUnit fails it far less than once in 10⁸), and the
 * Clopper–Pearson bound still catches a loss about 0.03 above ε. A PrivUnit release costs some 50 µs, so
 * 10⁶ per input took 90 s of CPU for no assertion that needs them.
 */
const n = 250_000;

test('PrivUnit: inputs u and −u, event "the report is in u\'s cap"', () => {
  const epsilon = 1;
  const d = 3;
  const params = { name: 'privunit', epsilon } as const;
  const u = prepareVector([1, 0, 0], params);
  const minusU = prepareVector([-1, 0, 0], params);
  const { gamma, scale } = calibratePrivUnit(epsilon, d);
  const inCap = (r: Float64Array) => r[0]! / scale >= gamma;
  const k1 = frequency(() => inCap(privatizeVector(u, params, random).vector), n);
  const k2 = frequency(() => inCap(privatizeVector(minusU, params, random).vector), n);
  const { lower, point } = lossBounds(k1, k2, n);
  assert.ok(lower <= epsilon, `lower bound ${lower} > ε ${epsilon}`);
  assert.ok(point > epsilon - 0.05, `the event is nearly tight: estimated loss ${point}`);
});
