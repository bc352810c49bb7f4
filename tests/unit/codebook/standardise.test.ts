// Training in standardised coordinates: the published plain head scores every vector as the standardised
// head scores its standardised features, the two maps are inverse, and a device's step taken there and
// published plain goes down its examples' loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../../eval/seeded-random';
import { headScores, type LinearHead } from '../../../src/codebook/linear-head';
import { l2Normalize } from '../../../src/privacy/vector/prepare';
import { localUpdate } from '../../../src/codebook/local-update';
import { featureStats, toPlain, toStandardised } from '../../../src/codebook/standardise';

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

test('a device step in standardised coordinates, published plain, lowers the loss of its examples', () => {
  const plain = toPlain(head(), stats);
  const vectors = Array.from({ length: 6 }, vector);
  const labels = vectors.map((_, i) => i % K);
  const loss = (h: LinearHead) =>
    vectors.reduce((total, v, s) => {
      const scores = headScores(h, l2Normalize(v), new Float64Array(K));
      const max = Math.max(...scores);
      return total + max + Math.log(scores.reduce((t, a) => t + Math.exp(a - max), 0)) - scores[labels[s]!]!;
    }, 0);
  const { update } = localUpdate(plain, { vectors, labels }, { steps: 1, learningRate: 0.01 }, 100, stats);
  const z = toStandardised(plain, stats);
  const stepped = toPlain({ ...z, params: z.params.map((p, i) => p + update[i]!) }, stats);
  assert.ok(loss(stepped) < loss(plain), `${loss(stepped)} vs ${loss(plain)}`);
});
