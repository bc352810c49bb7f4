// The collector's verification of received reports (no HTTP): every real report of every
// mechanism passes; forged ones fail with the field and the reason, whichever layer
// (schema, calibration check, collector bounds) catches them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CATEGORIES, MAX_DIMS, verifyReport } from '../../../collector/verify-report';
import type { Report, VectorReport } from '../../../src/report/schema';
import { calibrateDiscreteGaussian } from '../../../src/privacy/mechanisms/discrete-gaussian';
import { releasedReport } from './support';

const refusal = (report: unknown, pattern: RegExp) =>
  assert.throws(
    () => verifyReport(report),
    (err: Error) => err.name === 'InvalidReportError' && pattern.test(err.message),
    String(pattern),
  );

test('real reports of all five mechanisms pass, at several ε and sizes', () => {
  const settings = [
    { name: 'privunit', epsilon: 4 },
    { name: 'privunit', epsilon: 0.5 },
    { name: 'gaussian', epsilon: 1, delta: 1e-6, clip: 1 },
    { name: 'laplace', epsilon: 2, clip: 1 },
    { name: 'krr', epsilon: 1, k: 10 },
    { name: 'oue', epsilon: 1, k: 7 },
  ] as const;
  for (const params of settings)
    for (const dims of [16, 96]) {
      for (let i = 0; i < 20; i++) {
        const report = releasedReport('ok', params, dims);
        const v = verifyReport(JSON.parse(JSON.stringify(report)));
        assert.deepEqual(v.mechanism, report.mechanism);
        assert.equal(v.size, 'vector' in report ? dims : params.name === 'krr' || params.name === 'oue' ? params.k : 0);
      }
    }
});

test('declared parameters that differ from the calibration are refused, naming the field', () => {
  const r = releasedReport('forged') as VectorReport & { mechanism: { scale: number } };
  const m = r.mechanism;
  const doubled = { ...r, mechanism: { ...m, scale: m.scale * 2 }, vector: r.vector.map((x) => x * 2) };
  refusal(doubled, /mechanism\.scale: expected .*, got/);
  refusal({ ...r, mechanism: { ...m, epsilon: 8 } }, /mechanism\.scale: expected .*, got/);
  refusal({ ...r, mechanism: { ...m, extra: 1 } }, /mechanism: .*extra/i);
  refusal({ ...r, mechanism: { ...m, delta: 0.1 } }, /^invalid report: /);
  const g = releasedReport('forged', { name: 'gaussian', epsilon: 1, delta: 1e-6, clip: 1 }) as VectorReport;
  const gm = g.mechanism as Extract<VectorReport['mechanism'], { name: 'gaussian' }>;
  refusal({ ...g, mechanism: { ...gm, sigma: 1e3 } }, /mechanism\.sigma: expected .*, got 1000/);
  // A σ too small to have produced the values: its own bound already refuses them.
  refusal({ ...g, mechanism: { ...gm, sigma: 1e-3 } }, /vector: .* is beyond the Gaussian bound/);
  // A σ whose grid units overflow has no bound to compute: a report error still, not a crash.
  refusal({ ...g, mechanism: { ...gm, sigma: 1e308 } }, /vector: .* is beyond the Gaussian bound ±0 steps/);
  refusal({ ...g, mechanism: { ...gm, step: gm.step * 2 }, vector: g.vector.map(() => 0) }, /mechanism\.step: /);
  const { clip: _clip, ...noClip } = gm;
  refusal({ ...g, mechanism: noClip }, /^invalid report: /);
  const one = releasedReport('forged', { name: 'laplace', epsilon: 1, clip: 1 }, 8) as VectorReport;
  const lm = one.mechanism as Extract<VectorReport['mechanism'], { name: 'laplace' }>;
  refusal({ ...one, mechanism: { ...lm, bound: lm.bound + 1 } }, /mechanism\.bound: expected .*, got/);
});

test('outputs a mechanism cannot produce are refused: ±1e308, wrong norm, off-grid, out of range', () => {
  const r = releasedReport('range') as VectorReport;
  const huge = r.vector.map((_, i) => (i % 2 ? 1e308 : -1e308));
  refusal({ ...r, vector: huge }, /vector: norm Infinity is not the PrivUnit scale/);
  refusal({ ...r, vector: r.vector.map((x) => x * 1.001) }, /vector: norm .* is not the PrivUnit scale/);
  const l = releasedReport('range', { name: 'laplace', epsilon: 2, clip: 1 }) as VectorReport;
  const { step, bound } = l.mechanism as Extract<VectorReport['mechanism'], { name: 'laplace' }>;
  refusal({ ...l, vector: [step / 3, ...l.vector.slice(1)] }, /vector: .* is not a multiple of the grid step/);
  refusal({ ...l, vector: [(bound + 1) * step, ...l.vector.slice(1)] }, /vector: .* beyond the Laplace bound/);
  refusal({ ...l, vector: [1e308, ...l.vector.slice(1)] }, /vector: /);
  const g = releasedReport('range', { name: 'gaussian', epsilon: 1, delta: 1e-6, clip: 1 }) as VectorReport;
  refusal({ ...g, vector: [-1e308, ...g.vector.slice(1)] }, /vector: -1e\+308 is not a multiple of the grid step/);
  // On the grid but one step beyond the public bound the device clamps to.
  const gm = g.mechanism as Extract<VectorReport['mechanism'], { name: 'gaussian' }>;
  const { bound: gBound } = calibrateDiscreteGaussian(gm.epsilon, gm.delta, g.vector.length, gm.clip);
  const far = -(gBound + 1) * gm.step;
  refusal(
    { ...g, vector: [...g.vector.slice(0, 3), far, ...g.vector.slice(4)] },
    /vector: .* beyond the Gaussian bound/,
  );
  assert.doesNotThrow(() =>
    verifyReport({ ...g, vector: [...g.vector.slice(0, 3), far + gm.step, ...g.vector.slice(4)] }),
  );
});

test('k and dimensions are bounded, category values and bits checked', () => {
  const k = releasedReport('big', { name: 'krr', epsilon: 1, k: 10 }) as Report & { category: object };
  refusal({ ...k, category: { ...k.category, k: 2 ** 21, value: 3 } }, /category\.k: /);
  refusal({ ...k, category: { ...k.category, value: 10 } }, /category\.value: expected a value below 10, got 10/);
  refusal({ ...k, mechanism: { ...k.mechanism, name: 'oue' } }, /category: krr releases a value, oue releases bits/);
  const o = releasedReport('big', { name: 'oue', epsilon: 1, k: 7 }) as Report & { category: { bits: number[] } };
  refusal({ ...o, category: { ...o.category, bits: o.category.bits.slice(1) } }, /category\.bits: expected 7 bits/);
  assert.equal(MAX_CATEGORIES, 65536);
  const wide = releasedReport('big', { name: 'laplace', epsilon: 1, clip: 1 }, 8) as VectorReport;
  refusal({ ...wide, model: { ...wide.model, dims: MAX_DIMS + 1 } }, /model\.dims: /);
  refusal({ ...wide, vector: new Array(MAX_DIMS + 1).fill(0) }, /^invalid report: /);
});

test('a PrivUnit report of one dimension is refused as a report, not as a server error', () => {
  const r = releasedReport('one', { name: 'laplace', epsilon: 1, clip: 1 }, 2) as VectorReport;
  const single = {
    ...r,
    model: { ...r.model, dims: 1 },
    mechanism: { name: 'privunit', epsilon: 1, delta: 0, scale: 2 },
  };
  refusal({ ...single, vector: [2] }, /^invalid report: mechanism: /);
});
