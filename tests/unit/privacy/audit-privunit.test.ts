// Privacy audit of PrivUnit, in its own file so that it runs beside the other audits
// (each takes tens of seconds on two cores). Method: audit.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareVector, privatizeVector } from '../../../src/privacy/mechanism';
import { calibratePrivUnit } from '../../../src/privacy/mechanisms/privunit';
import { pooledCryptoSource } from '../../support/pooled-random';
import { frequency, lossBounds } from './audit-support';

/** Web Crypto words, fetched in large blocks (millions of releases below). */
const random = pooledCryptoSource();

test('PrivUnit: inputs u and −u, event "the report is in u\'s cap"', () => {
  const epsilon = 1;
  const d = 3;
  const params = { name: 'privunit', epsilon } as const;
  const u = prepareVector([1, 0, 0], params);
  const minusU = prepareVector([-1, 0, 0], params);
  const { gamma, scale } = calibratePrivUnit(epsilon, d);
  const inCap = (r: Float64Array) => r[0]! / scale >= gamma;
  const k1 = frequency(() => inCap(privatizeVector(u, params, random).vector));
  const k2 = frequency(() => inCap(privatizeVector(minusU, params, random).vector));
  const { lower, point } = lossBounds(k1, k2);
  assert.ok(lower <= epsilon, `lower bound ${lower} > ε ${epsilon}`);
  assert.ok(point > epsilon - 0.05, `the event is nearly tight: estimated loss ${point}`);
});
