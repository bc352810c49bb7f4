// Reports built from releases: schema-valid, unbiased vector or category payload,
// mechanism parameters included, 128-bit ids, and invalid envelopes refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newReportId } from '../../../src/report/build-report';
import { buildReport } from '../../support/any-report';
import { prepareVector, privatizeCategory, privatizeVector } from '../../../src/privacy/mechanism';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { parseReport, type Report } from '../../../src/report/schema';
import { isReport } from '../../support/is-report';
import { verifyCalibration } from '../../../src/report/calibration-check';

const model = { id: 'mobilenet-v2', layer: 'block_12_add', dims: 4 };
const now = new Date('2026-11-22T12:34:56.789Z');

test('vector and category releases become schema-valid reports carrying their mechanism parameters', () => {
  const params = { name: 'privunit', epsilon: 2 } as const;
  const release = privatizeVector(prepareVector([1, 2, 3, 4], params), params, cryptoRandomSource);
  const report = buildReport({ scope: 'default', model, projection: null, source: cryptoRandomSource, now, release });
  assert.ok(isReport(report));
  assert.equal(report.createdAt, '2026-11-22T12:00:00.000Z', 'coarsened to the hour before it leaves');
  assert.deepEqual(Object.keys(report.mechanism).sort(), ['delta', 'epsilon', 'name', 'scale']);
  assert.deepEqual((report as { vector: number[] }).vector, Array.from(release.vector));

  const lap = { name: 'laplace', epsilon: 1 } as const;
  const lr = buildReport({
    scope: 'default',
    model,
    projection: null,
    source: cryptoRandomSource,
    release: privatizeVector(prepareVector([1, 0, 0, 0], lap), lap, cryptoRandomSource),
  });
  assert.deepEqual(Object.keys(lr.mechanism).sort(), ['bound', 'clip', 'delta', 'epsilon', 'name', 'step']);
  const gauss = { name: 'gaussian', epsilon: 1, delta: 1e-6 } as const;
  const gr = buildReport({
    scope: 'default',
    model,
    projection: null,
    source: cryptoRandomSource,
    release: privatizeVector(prepareVector([1, 0, 0, 0], gauss), gauss, cryptoRandomSource),
  });
  assert.deepEqual(Object.keys(gr.mechanism).sort(), ['clip', 'delta', 'epsilon', 'name', 'sigma', 'step']);
  for (const r of [report, lr, gr]) assert.doesNotThrow(() => verifyCalibration(r));

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

/** A valid report of each vector mechanism, as plain JSON (what a collector receives). */
function validReports(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const params of [
    { name: 'privunit', epsilon: 2 },
    { name: 'gaussian', epsilon: 1, delta: 1e-6 },
    { name: 'laplace', epsilon: 1 },
  ] as const) {
    const release = privatizeVector(prepareVector([1, 2, 3, 4], params), params, cryptoRandomSource);
    const report = buildReport({ scope: 'default', model, projection: null, source: cryptoRandomSource, now, release });
    out[params.name] = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
  }
  return out;
}

const withMechanism = (r: Record<string, unknown>, extra: Record<string, unknown>) => ({
  ...r,
  mechanism: { ...(r['mechanism'] as object), ...extra },
});

test('finding 5: an extra mechanism field (mechanism.clean) is refused by parseReport, for every mechanism', () => {
  for (const [name, report] of Object.entries(validReports())) {
    assert.doesNotThrow(() => parseReport(report), name);
    assert.throws(
      () => parseReport(withMechanism(report, { clean: [1, 2, 3, 4] })),
      { name: 'InvalidReportError' },
      name,
    );
    assert.throws(() => parseReport(withMechanism(report, { note: 'x' })), { name: 'InvalidReportError' }, name);
    assert.throws(() => parseReport({ ...report, extra: 1 }), { name: 'InvalidReportError' }, name);
  }
  const { privunit, laplace, gaussian } = validReports();
  // A field of another mechanism is as foreign as any other.
  assert.throws(() => parseReport(withMechanism(privunit!, { sigma: 1 })), { name: 'InvalidReportError' });
  // Missing public parameters, or ε/δ outside the release limits.
  const { scale: _drop, ...noScale } = privunit!['mechanism'] as Record<string, unknown>;
  assert.throws(() => parseReport({ ...privunit, mechanism: noScale }), { name: 'InvalidReportError' });
  assert.throws(() => parseReport(withMechanism(gaussian!, { delta: 0.9 })), { name: 'InvalidReportError' });
  assert.throws(() => parseReport(withMechanism(laplace!, { epsilon: 1e-9 })), { name: 'InvalidReportError' });
  assert.throws(() => parseReport(withMechanism(privunit!, { delta: 1e-6 })), { name: 'InvalidReportError' });
});

test('outputs must be in their mechanism’s range, and the parameters must be the calibration for (ε, δ, d, C)', () => {
  const { privunit, laplace, gaussian } = validReports();
  const vec = (r: Record<string, unknown>) => r['vector'] as number[];
  // PrivUnit: norm = scale. Grid mechanisms: multiples of the step; Laplace within ±bound steps.
  assert.throws(() => parseReport({ ...privunit, vector: vec(privunit!).map((v) => v * 2) }), /PrivUnit scale/);
  const off = (r: Record<string, unknown>) => {
    const step = (r['mechanism'] as { step: number }).step;
    return { ...r, vector: vec(r).map((v, i) => (i === 0 ? v + step / 2 : v)) };
  };
  assert.throws(() => parseReport(off(gaussian!)), /multiple of the grid step/);
  assert.throws(() => parseReport(off(laplace!)), /multiple of the grid step/);
  const m = laplace!['mechanism'] as { step: number; bound: number };
  assert.throws(
    () => parseReport({ ...laplace, vector: [(m.bound + 1) * m.step, 0, 0, 0] }),
    /beyond the Laplace bound/,
  );
  // Parameters that are not the calibration: a σ ten times too large, a PrivUnit scale for another ε.
  const sigma = (gaussian!['mechanism'] as { sigma: number }).sigma;
  const lying = parseReport(withMechanism(gaussian!, { sigma: sigma * 10 })) as Report;
  assert.throws(() => verifyCalibration(lying), { name: 'InvalidReportError', message: /sigma/ });
  // A σ far too small narrows the Gaussian's bound below the honest values: refused by the range already.
  const { step } = gaussian!['mechanism'] as { step: number };
  const oneSigma = Math.ceil(sigma / step) * step;
  const narrow = { ...withMechanism(gaussian!, { sigma: sigma / 1000 }), vector: vec(gaussian!).map(() => oneSigma) };
  assert.throws(() => parseReport(narrow), /beyond the Gaussian bound/);
  const scale = (privunit!['mechanism'] as { scale: number }).scale;
  const rescaled = parseReport({
    ...withMechanism(privunit!, { scale: scale * 2 }),
    vector: vec(privunit!).map((v) => v * 2),
  }) as Report;
  assert.throws(() => verifyCalibration(rescaled), { name: 'InvalidReportError', message: /scale/ });
});

test('finding 6: createdAt must be on the hour; model.layer is a closed pattern; sizes are bounded', () => {
  const { privunit } = validReports();
  for (const createdAt of ['2026-11-22T12:34:00.000Z', '2026-11-22T12:00:01.000Z', '2026-11-22T12:00:00.001Z'])
    assert.throws(() => parseReport({ ...privunit, createdAt }), { name: 'InvalidReportError' }, createdAt);
  assert.doesNotThrow(() => parseReport({ ...privunit, createdAt: '2026-11-22T12:00:00.000Z' }));
  for (const layer of ['', 'a b', 'x'.repeat(129), 'layer\n', 'ü'])
    assert.throws(
      () => parseReport({ ...privunit, model: { ...model, layer } }),
      { name: 'InvalidReportError' },
      JSON.stringify(layer),
    );
  assert.doesNotThrow(() => parseReport({ ...privunit, model: { ...model, layer: 'block_12/add.0-x' } }));
  assert.throws(() => parseReport({ ...privunit, model: { ...model, dims: 4097 } }), { name: 'InvalidReportError' });
});
