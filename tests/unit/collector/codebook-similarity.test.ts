// A vector group's mean read against the codebooks of its model: exact on known vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimatesOf } from './recompute';
import { withSimilarity } from '../../../collector/codebook-similarity';
import type { CodebookRegistry } from '../../../collector/codebooks';
import { vectorReport } from './support';

const unit = (j: number) => Array.from({ length: 4 }, (_, i) => (i === j ? 1 : 0));
const registry = (dims: number): CodebookRegistry =>
  new Map([
    [
      'axes',
      {
        id: 'axes',
        hash: 'sha256:x',
        labels: ['a', 'b', 'c', 'd'],
        model: { id: 'mobilenet_v2', layer: 'global_average_pooling2d', dims },
        directions: [0, 1, 2, 3].map(unit),
        file: 'axes.json',
      },
    ],
  ]);

test('five equal vectors: the projections on each label direction and the cosines are exact', () => {
  const {
    vectors: [g],
  } = estimatesOf(Array.from({ length: 5 }, () => vectorReport([0.75, 0.5, 0, 0], 'similar')));
  const [view] = withSimilarity(g!, registry(4)).similarity ?? [];
  assert.ok(view, 'a codebook of the model reads the group');
  assert.deepEqual(view.labels, ['a', 'b', 'c', 'd']);
  const mean = [0.75, 0.5, 0, 0];
  view.projections.forEach((p, i) => assert.ok(Math.abs(p - mean[i]!) < 1e-12, `projection ${i}: ${p}`));
  // No spread, so the unbiased ‖mean‖² is exactly 0.8125 and each cosine is the projection over its root.
  view.cosines.forEach((c, i) => assert.ok(Math.abs(c! - mean[i]! / Math.sqrt(0.8125)) < 1e-12, `cosine ${i}: ${c}`));
});

test('noise that outweighs the mean leaves no cosine; another model or one report gives what it can', () => {
  const spread = estimatesOf([vectorReport([1, 0, 0, 0], 'noisy'), vectorReport([-1, 0, 0, 0], 'noisy')]).vectors[0]!;
  const [noisy] = withSimilarity(spread, registry(4)).similarity!;
  assert.deepEqual(noisy!.cosines, [null, null, null, null], 'the unbiased ‖mean‖² is not positive');
  assert.equal(withSimilarity(spread, registry(8)).similarity, undefined, 'a codebook of another model reads nothing');
  const one = estimatesOf([vectorReport([0, 1, 0, 0], 'one')]).vectors[0]!;
  const [single] = withSimilarity(one, registry(4)).similarity!;
  assert.deepEqual([single!.projections[1], single!.cosines[1]], [1, null]);
});
