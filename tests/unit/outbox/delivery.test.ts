// The one delivery module of the outbox and `obscura send`: which answers end a delivery, which are
// worth another attempt, and how long to wait before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  attemptDelivery,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  outcomeOf,
  parseRetryAfter,
  retryWait,
} from '../../../src/outbox/delivery';
import type { RandomSource } from '../../../src/privacy/random/random-source';

/** A source whose every word is `word`: jitter `word / 2^32`. */
const fixed = (word: number): RandomSource => ({ fillUint32: (words) => void words.fill(word) });
const HALF = fixed(2 ** 31);
const policy = { baseMs: 500, capMs: 60_000 };

test('only network-like failures are retried: 5xx, 408, 429; every other 4xx is final', () => {
  for (const status of [500, 502, 503, 504, 408, 429]) assert.equal(isRetryableStatus(status), true, String(status));
  for (const status of [400, 401, 403, 404, 409, 413, 415, 422]) assert.equal(isRetryableStatus(status), false);
});

test('Retry-After as seconds or as an HTTP date; absent or unreadable gives undefined', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  assert.equal(parseRetryAfter('30', now), 30_000);
  assert.equal(parseRetryAfter('Mon, 23 Nov 2026 10:01:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter('soon', now), undefined);
  // A sign or a fraction is malformed, not a date that has passed (which would retry at once).
  for (const malformed of ['-1', '1.5', '+30', '', ' '])
    assert.equal(parseRetryAfter(malformed, now), undefined, malformed);
});

test("a refusal carries the collector's error name and message; a 429 and a 503 their Retry-After", async () => {
  const now = Date.now();
  const body = (status: number, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify({ error: { name: 'ReportConflictError', message: 'stored with another body' } }), {
      status,
      headers,
    });
  assert.deepEqual(await outcomeOf(body(409), now), {
    kind: 'rejected',
    reason: { name: 'ReportConflictError', message: 'stored with another body', status: 409 },
  });
  for (const status of [429, 503]) {
    const slow = await outcomeOf(body(status, { 'Retry-After': '12' }), now);
    assert.equal(slow.kind, 'retry');
    if (slow.kind === 'retry') assert.equal(slow.retryAfterMs, 12_000, String(status));
  }
  // Other 5xx have no say in when to come back: backoff decides.
  const other = await outcomeOf(body(502, { 'Retry-After': '12' }), now);
  assert.equal(other.kind === 'retry' && other.retryAfterMs, undefined);
  const plain = await outcomeOf(new Response('no json', { status: 413, statusText: 'Payload Too Large' }), now);
  assert.deepEqual(plain, {
    kind: 'rejected',
    reason: { name: 'HTTP 413', message: 'Payload Too Large', status: 413 },
  });
  assert.deepEqual(await outcomeOf(new Response('{"outcome":"stored"}', { status: 201 }), now), {
    kind: 'delivered',
    status: 201,
    body: { outcome: 'stored' },
  });
});

test('backoff grows exponentially with full jitter from the first failure, capped, never zero', () => {
  for (let failures = 1; failures < 14; failures++) {
    const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (failures - 1));
    assert.ok(retryWait(failures, undefined, policy, fixed(2 ** 32 - 1)) <= ceiling);
    assert.equal(retryWait(failures, undefined, policy, fixed(0)), policy.baseMs / 10);
    assert.equal(retryWait(failures, undefined, policy, HALF), Math.max(50, Math.floor(ceiling / 2)));
  }
  assert.equal(retryWait(1, undefined, policy, HALF), 250, 'the first retry waits up to the base');
  assert.equal(retryWait(40, undefined, policy, HALF), 30_000);
});

test('a Retry-After is waited as asked, within [0, cap]: huge or negative values cannot stall or hammer', () => {
  assert.equal(retryWait(1, 7000, policy, HALF), 7000);
  assert.equal(retryWait(1, 0, policy, HALF), 0);
  assert.equal(retryWait(1, -5000, policy, HALF), 0);
  const huge = parseRetryAfter('9'.repeat(400), Date.now());
  assert.equal(retryWait(1, huge, policy, HALF), policy.capMs);
  assert.equal(retryWait(1, 86_400_000, DEFAULT_RETRY_POLICY, HALF), DEFAULT_RETRY_POLICY.capMs);
});

test('an answer slower than the timeout is a retry named TimeoutError; no server is a NetworkError', async () => {
  const server = createServer(() => undefined); // never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reports`;
  try {
    const slow = await attemptDelivery(url, { method: 'POST', body: '{}' }, { now: Date.now, timeoutMs: 100 });
    assert.equal(slow.kind, 'retry');
    assert.equal(slow.kind === 'retry' && slow.reason.name, 'TimeoutError');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  const gone = await attemptDelivery(url, { method: 'POST', body: '{}' }, { now: Date.now, timeoutMs: 5000 });
  assert.deepEqual(gone.kind === 'retry' && [gone.reason.name, gone.retryAfterMs], ['NetworkError', undefined]);
});
