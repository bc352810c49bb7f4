// The release path at its limits, in a real browser with real IndexedDB: a rolling
// window that refills and a full outbox. Each refusal is a named error
// with its data, spends nothing, and loses nothing already queued.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { openEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import { startCollector, type TestCollector as Collector } from '../support/collector';
import type { ReleaseOptions } from '../../src/release/release-api';
import { OUTBOX_LIMIT } from '../../src/ledger/commit-release';
import { LEDGER_DB } from '../../src/ledger/ledger-schema';

let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let collector: Collector;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let photos: string[];

before(async () => {
  const fixtures = await makeGeneratedFixtures();
  photos = await makeDistinctPhotos(fixtures, 12);
  server = await startEnginePageServer();
  collector = await startCollector({
    allowedOrigins: [server.url],
    tasks: ['window', 'outbox'].map((scope) => ({ scope, mechanism: 'privunit', epsilon: 0.5 })),
  });
  browser = await launchChromium();
  context = await browser.newContext();
  page = await openEnginePage(context, server.url, fixtures);
  await page.evaluate(() => (window as unknown as PageWindow).obscura.start({ backend: 'wasm' }));
});
after(async () => {
  await browser?.close();
  await collector?.close();
  await server?.close();
});

const options = (scope: string, epsilon = 0.5): ReleaseOptions => ({
  scope,
  mechanism: { name: 'privunit', epsilon },
  destination: `${collector.url}/reports`,
});

type Attempt =
  | { ok: true; id: string; charged: boolean; remaining: number }
  | { ok: false; name: string; message: string; details: Record<string, unknown> | null };

/** One release of a fixture; a refusal comes back with its name, message and details. */
function release(path: string, o: ReleaseOptions): Promise<Attempt> {
  return page.evaluate(
    async ([p, opts]) => {
      const ob = (window as unknown as PageWindow).obscura;
      try {
        const { outcome } = await ob.release(await ob.fixture(p as string), opts as ReleaseOptions);
        return {
          ok: true as const,
          id: outcome.report.id,
          charged: outcome.charged,
          remaining: outcome.budget.remaining,
        };
      } catch (err) {
        const e = err as Error & { details?: Record<string, unknown> };
        return { ok: false as const, name: e.name, message: e.message, details: e.details ?? null };
      }
    },
    [path, o] as const,
  );
}

function engineCall<T>(fn: 'budget' | 'ledger', scope: string): Promise<T> {
  return page.evaluate(
    async ([f, s]) => {
      const engine = (window as unknown as PageWindow).obscura.releases();
      return (f === 'budget' ? engine.budget(s as string) : engine.ledger(s as string)) as unknown;
    },
    [fn, scope] as const,
  ) as Promise<T>;
}

async function configure(
  name: string,
  totalEpsilon: number,
  policy: { kind: 'lifetime' } | { kind: 'rolling'; ms: number },
): Promise<void> {
  await page.evaluate(
    async ([n, t, w]) =>
      (window as unknown as PageWindow).obscura.releases().createScope({
        name: n as string,
        totalEpsilon: t as number,
        window: w as { kind: 'lifetime' },
      }),
    [name, totalEpsilon, policy] as const,
  );
}

test(
  'a rolling window refuses with the remaining ε and the refill time, then ' +
    'refills when that time comes; cumulative ε keeps counting',
  async () => {
    // A day, as the budget allows at least; the release worker's clock crosses it without waiting.
    const WINDOW_MS = 86_400_000;
    await configure('window', 1, { kind: 'rolling', ms: WINDOW_MS });
    const clockNow = () => page.evaluate(() => (window as unknown as PageWindow).obscura.releaseTest().now());
    const first = await release(photos[0]!, options('window'));
    const firstAt = await clockNow();
    const second = await release(photos[1]!, options('window'));
    assert.ok(first.ok && first.charged && second.ok && second.charged, JSON.stringify([first, second]));
    const refused = await release(photos[2]!, options('window'));
    assert.ok(!refused.ok, 'the third release is refused');
    if (refused.ok) return;
    assert.equal(refused.name, 'BudgetExhaustedError');
    assert.match(refused.message, /refills from/);
    // The refusal's data crosses the worker boundary, not only its message.
    assert.ok(refused.details, 'details survive the worker boundary');
    assert.equal(refused.details!['scope'], 'window');
    assert.ok(Math.abs(refused.details!['remaining'] as number) < 1e-9);
    const refillsAt = refused.details!['refillsAt'] as number;
    assert.ok(
      Math.abs(refillsAt - (firstAt + WINDOW_MS)) < 3000,
      `refills one window after the first charge (${refillsAt - firstAt} ms)`,
    );

    const held = await engineCall<{ remaining: number; cumulativeEpsilon: number; releases: number }>(
      'budget',
      'window',
    );
    assert.deepEqual([held.remaining, held.releases], [0, 2], 'the refusal spent nothing');

    const tooEarly = await release(photos[2]!, options('window'));
    assert.ok(!tooEarly.ok, 'still refused before the refill time');
    const wait = refillsAt - (await clockNow()) + 1;
    await page.evaluate((ms) => (window as unknown as PageWindow).obscura.releaseTest().advance(ms), wait);
    const refilled = await release(photos[2]!, options('window'));
    assert.ok(refilled.ok && refilled.charged, JSON.stringify(refilled));
    const status = await engineCall<{
      total: number;
      remaining: number;
      cumulativeEpsilon: number;
      refillsAt: number | null;
    }>('budget', 'window');
    assert.equal(status.total, 1);
    assert.ok(
      status.cumulativeEpsilon > status.total,
      `cumulative ε since first use (${status.cumulativeEpsilon}) is shown beside the window`,
    );
    assert.ok(Math.abs(status.cumulativeEpsilon - 1.5) < 1e-9);
    assert.equal((await engineCall<unknown[]>('ledger', 'window')).length, 3);
  },
);

test('a full outbox refuses new releases with OutboxFullError: nothing charged, nothing dropped', async () => {
  await configure('outbox', 100, { kind: 'lifetime' });
  const warm = await release(photos[3]!, options('outbox'));
  assert.ok(warm.ok && warm.charged);
  // Fill the outbox to its limit with entries not due for a day, so the reporter leaves them alone.
  await page.evaluate(
    ([db, limit, dest]) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open(db as string);
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction('outbox', 'readwrite');
          for (let i = 0; i < (limit as number); i++)
            tx.objectStore('outbox').put({
              id: `filler-${i}`,
              destination: dest,
              report: null,
              attempts: 0,
              nextAttemptAt: Date.now() + 86_400_000,
            });
          tx.oncomplete = () => {
            req.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    [LEDGER_DB, OUTBOX_LIMIT, `${collector.url}/reports`] as const,
  );
  const before = await engineCall<{ spent: number; releases: number }>('budget', 'outbox');
  const refused = await release(photos[4]!, options('outbox'));
  assert.ok(!refused.ok && refused.name === 'OutboxFullError', JSON.stringify(refused));
  const after = await engineCall<{ spent: number; releases: number }>('budget', 'outbox');
  assert.deepEqual(after, before, 'nothing was charged');
  assert.equal((await engineCall<unknown[]>('ledger', 'outbox')).length, 1);
  const left = await page.evaluate(
    ([db]) =>
      new Promise<number>((resolve, reject) => {
        const req = indexedDB.open(db as string);
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction('outbox', 'readwrite');
          const store = tx.objectStore('outbox');
          const count = store.count();
          // Leave the outbox as it was, minus the fillers.
          store.delete(IDBKeyRange.bound('filler-', 'filler-\uffff'));
          tx.oncomplete = () => {
            req.result.close();
            resolve(count.result);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    [LEDGER_DB] as const,
  );
  assert.equal(left, OUTBOX_LIMIT, 'no queued report was dropped to make room');
  const after2 = await release(photos[4]!, options('outbox'));
  assert.ok(after2.ok && after2.charged, 'with room again, the release goes through');
});
