// Which collector answers end a delivery and which are worth another attempt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRetryableStatus, outcomeOf, parseRetryAfter } from '../../../src/outbox/delivery-outcome';

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

test("a refusal carries the collector's error name and message; a 429 its Retry-After", async () => {
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
  const slow = await outcomeOf(body(429, { 'Retry-After': '12' }), now);
  assert.equal(slow.kind, 'retry');
  if (slow.kind === 'retry') assert.equal(slow.retryAfterMs, 12_000);
  const plain = await outcomeOf(new Response('no json', { status: 413, statusText: 'Payload Too Large' }), now);
  assert.deepEqual(plain, {
    kind: 'rejected',
    reason: { name: 'HTTP 413', message: 'Payload Too Large', status: 413 },
  });
  assert.deepEqual(await outcomeOf(new Response('{}', { status: 201 }), now), { kind: 'delivered' });
});
