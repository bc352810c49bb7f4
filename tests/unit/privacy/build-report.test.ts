// Reports built from releases: schema-valid, unbiased vector or category payload,
// mechanism parameters included, 128-bit ids, and invalid envelopes refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, newReportId } from '../../../src/report/build-report';
import { prepareVector, privatizeCategory, privatizeVector } from '../../../src/privacy/mechanism';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { isReport } from '../../../src/report/schema';

const model = { id: 'mobilenet-v2', layer: 'block_12_add', dims: 4 };
const now = new Date('2026-11-22T12:00:00Z');

test('vector and category releases become schema-valid reports carrying their mechanism parameters', () => {
  const params = { name: 'privunit', epsilon: 2 } as const;
  const release = privatizeVector(prepareVector([1, 2, 3, 4], params), params, cryptoRandomSource);
  const report = buildReport({ scope: 'default', model, projection: null, source: cryptoRandomSource, now, release });
  assert.ok(isReport(report));
  assert.equal(report.createdAt, '2026-11-22T12:00:00.000Z');
  assert.deepEqual(Object.keys(report.mechanism).sort(), ['delta', 'epsilon', 'gamma', 'name', 'p', 'scale']);
  assert.deepEqual((report as { vector: number[] }).vector, Array.from(release.vector));

  const lap = { name: 'laplace', epsilon: 1 } as const;
  const lr = buildReport({
    scope: 'default',
    model,
    projection: null,
    source: cryptoRandomSource,
    release: privatizeVector(prepareVector([1, 0, 0, 0], lap), lap, cryptoRandomSource),
  });
  assert.ok(['step', 'b', 't', 'bound', 'clip'].every((k) => k in lr.mechanism));

  const krr = buildReport({
    scope: 'default',
    model,
    projection: null,
    source: cryptoRandomSource,
    codebook: 'centroids-v1',
    release: privatizeCategory(2, { name: 'krr', epsilon: 1, k: 5 }, cryptoRandomSource),
  });
  assert.equal((krr as { category: { codebook: string } }).category.codebook, 'centroids-v1');
  const oue = buildReport({
    scope: 'default',
    model,
    projection: null,
    source: cryptoRandomSource,
    codebook: 'centroids-v1',
    release: privatizeCategory(2, { name: 'oue', epsilon: 1, k: 5 }, cryptoRandomSource),
  });
  assert.equal((oue as { category: { bits: number[] } }).category.bits.length, 5);
});

test('ids are 128 random bits; a bad envelope is an InvalidReportError', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newReportId(cryptoRandomSource)));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  const params = { name: 'gaussian', epsilon: 1, delta: 1e-6 } as const;
  const release = privatizeVector(prepareVector([1, 2, 3, 4], params), params, cryptoRandomSource);
  assert.throws(
    () => buildReport({ scope: 'no spaces', model, projection: null, source: cryptoRandomSource, release }),
    { name: 'InvalidReportError' },
  );
  assert.throws(
    () =>
      buildReport({
        scope: 'default',
        model: { ...model, dims: 5 },
        projection: null,
        source: cryptoRandomSource,
        release,
      }),
    { name: 'InvalidReportError', message: /expected 5 values, got 4/ },
  );
});
