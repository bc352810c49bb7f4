// The test runner's rule for starting one more job: the cores first, then one more only where the running
// jobs leave a core idle by their measured utilisation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayStart, utilisation } from '../../../scripts/test-admission.mjs';

test('a busy file keeps a core, a file that waits keeps its share, an unknown one counts as busy', () => {
  assert.equal(utilisation({ cpu: 100, wall: 90 }), 1);
  assert.equal(utilisation({ cpu: 30, wall: 120 }), 0.25);
  assert.equal(utilisation({ cpu: 0, wall: 10 }), 0.1);
  assert.equal(utilisation(undefined), 1);
  assert.equal(utilisation({ cpu: 5, wall: 0 }), 1);
});

test('jobs start up to the cores whatever they keep busy', () => {
  assert.equal(mayStart({ active: 0, busy: 0, cores: 2, share: 1 }), true);
  assert.equal(mayStart({ active: 1, busy: 1, cores: 2, share: 1 }), true);
});

test('beyond the cores, one more starts only while the running jobs leave room for it', () => {
  // Two CPU-bound files: the cores are full.
  assert.equal(mayStart({ active: 2, busy: 2, cores: 2, share: 0.3 }), false);
  // Two files that mostly wait: a third fits beside them.
  assert.equal(mayStart({ active: 2, busy: 0.9, cores: 2, share: 1 }), true);
  assert.equal(mayStart({ active: 2, busy: 1.2, cores: 2, share: 0.9 }), false);
  // Never a fourth on two cores, however idle.
  assert.equal(mayStart({ active: 3, busy: 0.6, cores: 2, share: 0.2 }), false);
  // One core runs one job at a time.
  assert.equal(mayStart({ active: 1, busy: 0.2, cores: 1, share: 0.2 }), false);
});

test('extra slots let browser files past the cores whatever the utilisation', () => {
  assert.equal(mayStart({ active: 2, busy: 2, cores: 2, share: 1, extraSlots: 1 }), true);
  assert.equal(mayStart({ active: 3, busy: 3, cores: 2, share: 1, extraSlots: 1 }), false);
});
