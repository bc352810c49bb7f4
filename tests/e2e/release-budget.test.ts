// The release path in a real browser: real IndexedDB, real workers, a real collector.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { createScopes, openEnginePage, startedEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import { startCollector, type TestCollector as Collector } from '../support/collector';
import type { ReleaseOptions } from '../../src/release/release-api';

let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let collector: Collector;
let browser: Browser;
let context: BrowserContext;
let fixtures: string;
let photos: string[];

before(async () => {
  fixtures = await makeGeneratedFixtures();
  photos = await makeDistinctPhotos(fixtures, 60);
  server = await startEnginePageServer();
  collector = await startCollector({
    allowedOrigins: [server.url],
    tasks: ['memo', 'race', 'faults'].map((scope) => ({ scope, mechanism: 'privunit', epsilon: [0.1, 0.5] })),
  });
  browser = await launchChromium();
  context = await browser.newContext();
  // The race's scope has room for all 60: the device-wide budget is the limit it races for.
  await createScopes(context, server.url, fixtures, [
    { name: 'memo', totalEpsilon: 10 },
    { name: 'race', totalEpsilon: 100 },
    { name: 'faults', totalEpsilon: 10 },
  ]);
});
after(async () => {
  await browser?.close();
  await collector?.close();
  await server?.close();
});

const enginePage = (): Promise<Page> => startedEnginePage(context, server.url, fixtures);

/**
 * Moves the page's release clock a minute at a time (each step runs the retries that
 * fall due) until the outbox is empty and every entry of the scope is delivered.
 * With nothing left to send, nothing else can arrive: no wait on the wall clock.
 */
async function settle(page: Page, scope: string): Promise<void> {
  const done = await page.evaluate(async (s) => {
    const ob = (window as unknown as PageWindow).obscura;
    for (let step = 0; step < 100; step++) {
      const flushed = await ob.releases().flushOutbox();
      const states = (await ob.releases().ledger(s)).map((e) => e.state);
      if (flushed.waiting === 0 && states.every((x) => x === 'delivered')) return true;
      await ob.releaseTest().advance(60_000);
    }
    return false;
  }, scope);
  assert.ok(done, `every "${scope}" report delivered`);
}

const options = (scope: string, epsilon = 0.5): ReleaseOptions => ({
  scope,
  mechanism: { name: 'privunit', epsilon },
  destination: `${collector.url}/reports`,
});

async function collectorIds(scope: string): Promise<string[]> {
  return (await collector.store.list(scope, 10_000)).map((r) => r.id);
}

test('releasing the same image twice costs once and sends one report id', async () => {
  const page = await enginePage();
  const results = await page.evaluate(
    ([p, o]) => (window as unknown as PageWindow).obscura.releaseFixtures([p, p], o as ReleaseOptions),
    [photos[0]!, options('memo')] as const,
  );
  // Two concurrent calls are queued by the bridge: the one whose file is fetched and extracted first charges,
  // the other finds the memo (which comes first is the fetches' and the decoder's race, not a promise).
  assert.ok(results[0]!.ok && results[1]!.ok, JSON.stringify(results));
  if (results[0]!.ok && results[1]!.ok) {
    assert.deepEqual(results.map((r) => r.ok && r.charged).sort(), [false, true], JSON.stringify(results));
    assert.equal(results[1]!.id, results[0]!.id);
    assert.equal(results[1]!.remaining, results[0]!.remaining);
  }
  await settle(page, 'memo');
  assert.deepEqual(await collectorIds('memo'), [results[0]!.ok ? results[0]!.id : '']);
  await page.close();
});

test('3 pages x 20 concurrent releases against a budget for exactly 17: 17 charges, entries and reports', async () => {
  const pages = await Promise.all([enginePage(), enginePage(), enginePage()]);
  // The device-wide budget is set to leave room for exactly 17 releases of ε = 0.5, whatever earlier
  // tests spent; the scope has room for all 60, so the pages race for the device's last ε.
  const device = await pages[0]!.evaluate(async () => {
    const engine = (window as unknown as PageWindow).obscura.releases();
    const before = await engine.budget('race');
    await engine.configureDevice({ totalEpsilon: before.device.spent + 17 * 0.5, window: { kind: 'lifetime' } });
    return (await engine.budget('race')).device;
  });
  assert.ok(Math.abs(device.remaining - 8.5) < 1e-9, `the device has ε 8.5 left (${device.remaining})`);
  const started = performance.now();
  const all = (
    await Promise.all(
      pages.map((page, i) =>
        page.evaluate(
          ([paths, o]) =>
            (window as unknown as PageWindow).obscura.releaseFixtures(paths as string[], o as ReleaseOptions),
          [photos.slice(i * 20, i * 20 + 20), options('race')] as const,
        ),
      ),
    )
  ).flat();
  const seconds = (performance.now() - started) / 1000;
  const charged = all.filter((r) => r.ok && r.charged);
  const refused = all.filter((r) => !r.ok);
  assert.equal(charged.length, 17, JSON.stringify(all.filter((r) => !r.ok).slice(0, 2)));
  assert.equal(refused.length, 43);
  for (const r of refused) if (!r.ok) assert.equal(r.name, 'BudgetExhaustedError', r.message);
  const ledger = await pages[1]!.evaluate(async () =>
    (await (window as unknown as PageWindow).obscura.releases().ledger('race')).map((e) => e.id),
  );
  assert.equal(ledger.length, 17);
  const budget = await pages[2]!.evaluate(async () =>
    (window as unknown as PageWindow).obscura.releases().budget('race'),
  );
  // Composed by privacy-loss distributions, 17 releases of ε 0.5 may cost a little less than their sum
  // (8.5), so what is left is less than one more release, not necessarily 0.
  assert.ok(budget.remaining < 0.5, `no room for an 18th release (${budget.remaining} left)`);
  assert.ok(budget.device.remaining < 0.5, 'the device-wide budget is what ran out');
  assert.ok(budget.scopeRemaining >= 100 - 8.5 - 1e-9, `the scope still had room (${budget.scopeRemaining})`);
  await collector.waitForStored(17, 'race');
  assert.deepEqual((await collectorIds('race')).sort(), [...ledger].sort());
  console.log(`# 60 concurrent releases over 3 pages took ${seconds.toFixed(1)} s`);
  await Promise.all(pages.map((p) => p.close()));
});

test(
  'collector faults (500s, dropped connections, down for 30 s) and a page ' +
    'closed mid-flush: every charged report arrives once',
  async () => {
    let page = await enginePage();
    // Grant the device-wide budget room for these ten releases of ε 0.1 (a ledger entry; the race spent it all).
    // Each charge is rounded up to the ledger's grid, so ten of them cost a little more than ε 1: grant 2.
    await page.evaluate(async () => {
      const engine = (window as unknown as PageWindow).obscura.releases();
      const { device } = await engine.budget('faults');
      await engine.configureDevice({ totalEpsilon: device.total + 2, window: device.window });
    });
    collector.faults.failNext = 3;
    collector.faults.dropNext = 2;
    const first = await page.evaluate(
      ([paths, o]) => (window as unknown as PageWindow).obscura.releaseFixtures(paths as string[], o as ReleaseOptions),
      [photos.slice(40, 45), options('faults', 0.1)] as const,
    );
    assert.ok(
      first.every((r) => r.ok && r.charged),
      JSON.stringify(first),
    );
    await settle(page, 'faults');
    assert.equal((await collectorIds('faults')).length, 5);

    // Down for 30 s of the release worker's clock: releases still charge and queue (the task read before serves),
    // and the page is closed while they wait.
    await collector.pause();
    const second = await page.evaluate(
      ([paths, o]) => (window as unknown as PageWindow).obscura.releaseFixtures(paths as string[], o as ReleaseOptions),
      [photos.slice(45, 50), options('faults', 0.1)] as const,
    );
    assert.ok(
      second.every((r) => r.ok && r.charged),
      JSON.stringify(second),
    );
    const during = await page.evaluate(async () => {
      const ob = (window as unknown as PageWindow).obscura;
      for (let s = 0; s < 30; s++) await ob.releaseTest().advance(1000);
      return (await ob.releases().ledger('faults')).map((e) => e.state);
    });
    // While the collector is down its task cannot be confirmed either: they wait unsent, still queued.
    assert.equal(during.filter((s) => s === 'queued').length, 5, during.join(', '));
    await page.close();
    await collector.resume();

    // A new page that never extracts delivers what the closed one left queued.
    page = await openEnginePage(context, server.url, fixtures);
    await page.evaluate(() => (window as unknown as PageWindow).obscura.releases().budget('faults'));
    await settle(page, 'faults');
    const ledger = await page.evaluate(async () =>
      (await (window as unknown as PageWindow).obscura.releases().ledger('faults')).map((e) => e.id),
    );
    const ids = await collectorIds('faults');
    assert.equal(new Set(ids).size, ids.length, 'no duplicate ids');
    assert.equal(ids.length, 10);
    assert.deepEqual([...ids].sort(), [...ledger].sort());
    await page.close();
  },
);
