// Server-side verification of reports (no HTTP): every real report of every mechanism
// passes; forged ones fail with the field and the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CATEGORIES, MAX_DIMS, verifyReport } from '../../../collector/verify-report';
import type { Report, VectorReport } from '../../../src/report/schema';
import { releasedReport } from './support';

const refusal = (report: unknown, pattern: RegExp) =>
  assert.throws(
    () => verifyReport(report as Report),
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
        const v = verifyReport(releasedReport('ok', params, dims));
        assert.equal(v.mechanism.name, params.name);
      }
    }
});

test('declared parameters that differ from the calibration are refused, naming the field', () => {
  const r = releasedReport('forged') as VectorReport;
  const m = r.mechanism as Record<string, unknown>;
  refusal({ ...r, mechanism: { ...m, scale: (m['scale'] as number) * 2 } }, /mechanism\.scale: declared .* differs/);
  refusal({ ...r, mechanism: { ...m, epsilon: 8 } }, /mechanism\.(p|gamma|scale): declared .* differs/);
  refusal({ ...r, mechanism: { ...m, gamma: undefined } }, /mechanism\.gamma: declared undefined differs/);
  refusal({ ...r, mechanism: { ...m, extra: 1 } }, /mechanism\.extra: not a parameter of privunit/);
  refusal({ ...r, mechanism: { ...m, delta: 0.1 } }, /mechanism\.delta: declared 0\.1 differs/);
  const g = releasedReport('forged', { name: 'gaussian', epsilon: 1, delta: 1e-6, clip: 1 }) as VectorReport;
  const gm = g.mechanism as Record<string, unknown>;
  refusal({ ...g, mechanism: { ...gm, sigma: 1e-3 } }, /mechanism\.sigma: declared 0\.001 differs/);
  const { clip: _clip, ...noClip } = gm;
  refusal({ ...g, mechanism: noClip }, /mechanism\.clip: a Gaussian report states its clip norm/);
});

test('outputs a mechanism cannot produce are refused: ±1e308, wrong norm, off-grid, out of range', () => {
  const r = releasedReport('range') as VectorReport;
  const huge = r.vector.map((_, i) => (i % 2 ? 1e308 : -1e308));
  refusal({ ...r, vector: huge }, /vector: a PrivUnit report has norm .*, got Infinity/);
  refusal({ ...r, vector: r.vector.map((x) => x * 1.001) }, /vector: a PrivUnit report has norm/);
  const l = releasedReport('range', { name: 'laplace', epsilon: 2, clip: 1 }) as VectorReport;
  const step = (l.mechanism as Record<string, number>)['step']!;
  const bound = (l.mechanism as Record<string, number>)['bound']!;
  refusal({ ...l, vector: [step / 3, ...l.vector.slice(1)] }, /vector\.0: .* is not on the Laplace grid/);
  refusal({ ...l, vector: [(bound + 1) * step, ...l.vector.slice(1)] }, /vector\.0: .* beyond the Laplace clamp/);
  refusal({ ...l, vector: [1e308, ...l.vector.slice(1)] }, /vector\.0: /);
  const g = releasedReport('range', { name: 'gaussian', epsilon: 1, delta: 1e-6, clip: 1 }) as VectorReport;
  refusal({ ...g, vector: [-1e308, ...g.vector.slice(1)] }, /vector\.0: -1e\+308 lies beyond clip \+ 64σ/);
});

test('the collector bounds k and dimensions itself, whatever the schema allows', () => {
  const k = releasedReport('big', { name: 'krr', epsilon: 1, k: 10 }) as Report & { category: object };
  refusal({ ...k, category: { ...k.category, k: 2 ** 21, value: 3 } }, /category\.k: an integer from 2 to 65536/);
  refusal({ ...k, category: { ...k.category, value: 10 } }, /category\.value: an integer from 0 to 9, got 10/);
  refusal({ ...k, mechanism: { ...k.mechanism, name: 'oue' } }, /mechanism\.name: a single category value comes/);
  const o = releasedReport('big', { name: 'oue', epsilon: 1, k: 7 }) as Report & { category: { bits: number[] } };
  refusal({ ...o, category: { ...o.category, bits: o.category.bits.slice(1) } }, /category\.bits: expected 7 bits/);
  assert.equal(MAX_CATEGORIES, 65536);
  const wide = releasedReport('big', { name: 'laplace', epsilon: 1, clip: 1 }, 8) as VectorReport;
  refusal({ ...wide, model: { ...wide.model, dims: MAX_DIMS + 1 } }, /model\.dims: at most 4096 dimensions, got 4097/);
  refusal({ ...wide, vector: new Array(MAX_DIMS + 1).fill(0) }, /vector: at most 4096 values, got 4097/);
});
