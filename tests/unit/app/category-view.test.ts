// What the result card shows of a category release: the assigned label, and the value or bits that left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoryShown } from '../../../src/app/category-view';
import type { CategoryReleaseOutcome } from '../../../src/release/index';

const labels = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress'];

function outcome(category: object, name: 'krr' | 'oue'): CategoryReleaseOutcome {
  return {
    kind: 'category',
    charged: true,
    assigned: { value: 1, label: 'Trouser' },
    codebook: { id: 'clothes', hash: 'sha256:' + '0'.repeat(64), labels },
    report: { mechanism: { name, epsilon: 2, delta: 0 }, category } as never,
    budget: {} as never,
  };
}

test('k-RR: the randomized value and its label', () => {
  assert.deepEqual(categoryShown(outcome({ codebook: 'clothes', k: 4, value: 3 }, 'krr')), {
    codebook: 'clothes',
    assigned: 'Trouser',
    mechanism: 'krr',
    value: 3,
    valueLabel: 'Dress',
  });
});

test('OUE: the bits and the labels whose bit is set', () => {
  const shown = categoryShown(outcome({ codebook: 'clothes', k: 4, bits: [1, 0, 0, 1] }, 'oue'));
  assert.deepEqual(shown.bits, [1, 0, 0, 1]);
  assert.deepEqual(shown.bitLabels, ['T-shirt/top', 'Dress']);
  assert.equal(shown.mechanism, 'oue');
});
