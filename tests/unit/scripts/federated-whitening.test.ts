// The standardised server's change of coordinates: the published plain head scores every vector as the
// standardised head scores its standardised features, the two maps are inverse, and the pull-back of a
// change is the transpose of the map (so a gradient step pulled back is the standardised step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../../eval/seeded-random';
import { headScores, type LinearHead } from '../../../src/codebook/linear-head';
import { l2Normalize } from '../../../src/privacy/vector/prepare';
import { featureStats, pullBack, toPlain, toStandardised } from '../../../scripts/federated/whitening';

const K = 4;
const DIMS = 6;
const rng = new SeededRandom(9);
const vector = () => Float64Array.from({ length: DIMS }, () => 1 + 0.2 * (rng.next() - 0.5));
const head = (): LinearHead => ({
  k: K,
  dims: DIMS,
  params: Float64Array.from({ length: K * (DIMS + 1) }, () => rng.next() - 0.5),
});
const stats = featureStats(Array.from({ length: 50 }, vector));

function close(a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tolerance, `at ${i}: ${a[i]} vs ${b[i]}`);
}

test('the plain head scores x as the standardised head scores (x − m)/σ', () => {
  const z = head();
  const plain = toPlain(z, stats);
  for (let t = 0; t < 20; t++) {
    const x = l2Normalize(vector());
    const standardised = x.map((v, j) => (v - stats.mean[j]!) / stats.sd[j]!);
    close(headScores(plain, x, new Float64Array(K)), headScores(z, standardised, new Float64Array(K)), 1e-9);
  }
});

test('standardising and publishing are inverse', () => {
  const x = head();
  close(toPlain(toStandardised(x, stats), stats).params, x.params, 1e-9);
});

test('the pull-back is the transpose of publishing: ⟨J·a, b⟩ = ⟨a, Jᵀ·b⟩', () => {
  for (let t = 0; t < 10; t++) {
    const a = head();
    const b = head().params;
    const left = toPlain(a, stats).params.reduce((s, v, i) => s + v * b[i]!, 0);
    const right = pullBack(b, K, DIMS, stats).reduce((s, v, i) => s + v * a.params[i]!, 0);
    assert.ok(Math.abs(left - right) <= 1e-9 * Math.max(1, Math.abs(left)), `${left} vs ${right}`);
  }
});
