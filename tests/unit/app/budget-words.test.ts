// The budget's plain words: how many releases a remainder allows, as the person reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { releasesLeft } from '../../../src/app/components/budget-words';

test('releases left are counted on the ledger grid, never rounded up into a release that would be refused', () => {
  assert.equal(releasesLeft(4, 0.5), 'about 8 more releases at ε 0.5 each');
  assert.equal(releasesLeft(4, 0.5, false), 'about 8 releases at ε 0.5 each');
  assert.equal(releasesLeft(3.9999999, 1), 'about 4 more releases at ε 1 each', 'float residue is not a lost release');
  assert.equal(releasesLeft(1.99, 1), 'about 1 more release at ε 1 each');
  assert.equal(releasesLeft(0.2, 0.5), 'not enough for another release at ε 0.5');
  assert.equal(releasesLeft(4, 0), '');
});
