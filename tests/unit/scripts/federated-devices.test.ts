// The federated evaluation's devices: every example dealt at most once, 2–10 a device, and labels
// far from IID under Dirichlet(0.5), as the evaluation states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dealDevices, dirichlet } from '../../../scripts/federated/devices';
import { SeededRandom } from '../../../eval/seeded-random';

test('Dirichlet draws are distributions with the stated mean', () => {
  const rng = new SeededRandom(3);
  const mean = new Float64Array(4);
  const draws = 4000;
  for (let i = 0; i < draws; i++) {
    const p = dirichlet(0.5, 4, rng);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    p.forEach((x, j) => (mean[j]! += x / draws));
  }
  // Each coordinate has mean 1/4 and variance (1/4)(3/4)/(2 + 1) = 1/16: the mean of 4000 is within 6 sd.
  for (const m of mean) assert.ok(Math.abs(m - 0.25) < 6 * Math.sqrt(1 / 16 / draws), `${m}`);
});

test('devices hold 2–10 distinct examples, none dealt twice, with few labels each', () => {
  const labels = Uint8Array.from({ length: 6000 }, (_, i) => i % 10);
  const options = { devices: 800, alpha: 0.5, minExamples: 2, maxExamples: 10 };
  const devices = dealDevices(labels, 10, options, new SeededRandom(5));
  const seen = new Set<number>();
  let distinct = 0;
  let examples = 0;
  for (const d of devices) {
    assert.ok(d.examples.length >= 2 && d.examples.length <= 10, `${d.examples.length}`);
    for (const i of d.examples) {
      assert.ok(!seen.has(i), `example ${i} dealt twice`);
      seen.add(i);
    }
    distinct += new Set(d.examples.map((i) => labels[i])).size;
    examples += d.examples.length;
  }
  // IID devices of 6 examples over 10 labels would show about 4.7 distinct labels; Dirichlet(0.5) far fewer.
  assert.ok(distinct / devices.length < 3.5, `${distinct / devices.length} labels a device`);
  assert.ok(examples / devices.length > 5 && examples / devices.length < 7);
});
