// The one memo-key function names every kind of release exactly as the keys already stored on devices do,
// so an upgrade finds each memo again (a second, fresh report of one image would let its noise be averaged).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoKey, type MemoRelease } from '../../../src/ledger/memo-key';
import type { LedgerDb } from '../../../src/ledger/ledger-schema';

const model = { id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 };

async function keyedDevice(): Promise<{ db: LedgerDb; key: CryptoKey }> {
  const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
  // The device's key as the ledger database hands it out; Node has no IndexedDB to hold it.
  return { db: { get: async () => key } as unknown as LedgerDb, key };
}

async function hmac(key: CryptoKey, message: unknown): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(JSON.stringify(message)));
  return Buffer.from(mac).toString('base64url');
}

test('vector, category and aggregate releases keep the memo message they were stored under', async () => {
  const { db, key } = await keyedDevice();
  const mechanism = { name: 'privunit', epsilon: 4 };
  const local: MemoRelease = {
    kind: 'local',
    model,
    scope: 'faces',
    grant: undefined,
    mechanism,
    dims: undefined,
    destination: 'https://c.example/reports',
  };
  const expected = [model.id, model.layer, 'faces', null, mechanism, null, 'https://c.example/reports'];
  assert.equal(
    await memoKey(db, { contentHash: 'abc', release: local, host: undefined }),
    await hmac(key, ['abc', expected, null]),
  );
  const category = { ...local, mechanism: { name: 'krr', epsilon: 2 }, grant: 'g', dims: 8, codebookHash: 'h1' };
  assert.equal(
    await memoKey(db, { contentHash: 'abc', release: category, host: 'https://host.example' }),
    await hmac(key, [
      'abc',
      [model.id, model.layer, 'faces', 'g', { name: 'krr', epsilon: 2 }, 8, 'https://c.example/reports', 'h1'],
      'https://host.example',
    ]),
  );
  const config = { leader: 'https://l.example', helper: 'https://h.example', nMin: 100 };
  const aggregate: MemoRelease = { kind: 'aggregate', model, scope: 'sums', config };
  assert.equal(
    await memoKey(db, { contentHash: 'abc', release: aggregate, host: undefined }),
    await hmac(key, ['abc', [model.id, model.layer, 'sums', config], null]),
  );
  // Any change of what shapes the report is another key.
  assert.notEqual(
    await memoKey(db, { contentHash: 'abc', release: { ...local, dims: 32 }, host: undefined }),
    await memoKey(db, { contentHash: 'abc', release: local, host: undefined }),
  );
});
