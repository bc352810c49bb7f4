import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sha256Hex } from '../../../src/ledger/sha256';

test('sha256Hex agrees with node:crypto on the standard vectors and on every length around a block edge', () => {
  assert.equal(sha256Hex(new Uint8Array()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(
    sha256Hex(new TextEncoder().encode('abc')),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  for (let n = 0; n < 200; n++) {
    const bytes = randomBytes(n);
    assert.equal(sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'), `${n} bytes`);
  }
  const share = randomBytes(33_000); // about a leader's input share
  assert.equal(sha256Hex(share), createHash('sha256').update(share).digest('hex'));
});
