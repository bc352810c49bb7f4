// The release path in a real browser: real IndexedDB, real workers, a real collector.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startDevServer } from './support/dev-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { startedEnginePage, waitFor } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import { startCollector, type TestCollector as Collector } from '../support/collector';
import type { ReleaseOptions } from '../../src/engine/worker/engine-api';

let server: Awaited<ReturnType<typeof startDevServer>>;
let collector: Collector;
let browser: Browser;
let context: BrowserContext;
let fixtures: string;
let photos: string[];

before(async () => {
  fixtures = await makeGeneratedFixtures();
  photos = await makeDistinctPhotos(fixtures, 60);
  server = await startDevServer();
  collector = await startCollector({ allowedOrigins: [server.url] });
  browser = await launchChromium();
  context = await browser.newContext();
});
after(async () => {
  await browser?.close();
  await collector?.close();
  await server?.close();
});

const enginePage = (): Promise<Page> => startedEnginePage(context, server.url, fixtures);

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
  // Two concurrent calls are queued by the bridge: the first charges, the second finds the memo.
  assert.ok(results[0]!.ok && results[1]!.ok, JSON.stringify(results));
  if (results[0]!.ok && results[1]!.ok) {
    assert.equal(results[0]!.charged, true);
    assert.equal(results[1]!.charged, false);
    assert.equal(results[1]!.id, results[0]!.id);
    assert.equal(results[1]!.remaining, results[0]!.remaining);
  }
  await waitFor('the memo report at the collector', async () => (await collectorIds('memo')).length === 1);
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(await collectorIds('memo'), [results[0]!.ok ? results[0]!.id : '']);
  await page.close();
});

test('3 pages x 20 concurrent releases against a budget for exactly 17: 17 charges, entries and reports', async () => {
  const pages = await Promise.all([enginePage(), enginePage(), enginePage()]);
  await pages[0]!.evaluate(async () => {
    const engine = await (window as unknown as PageWindow).obscura.bridge().engine();
    await engine.configureScope({ name: 'race', totalEpsilon: 17 * 0.5, window: { kind: 'lifetime' } });
  });
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
    (await (await (window as unknown as PageWindow).obscura.bridge().engine()).ledger('race')).map((e) => e.id),
  );
  assert.equal(ledger.length, 17);
  await waitFor('17 reports at the collector', async () => (await collectorIds('race')).length === 17);
  assert.deepEqual((await collectorIds('race')).sort(), [...ledger].sort());
  const budget = await pages[2]!.evaluate(async () =>
    (await (window as unknown as PageWindow).obscura.bridge().engine()).budget('race'),
  );
  assert.ok(budget.remaining < 1e-9);
  console.log(`# 60 concurrent releases over 3 pages took ${seconds.toFixed(1)} s`);
  await Promise.all(pages.map((p) => p.close()));
});

test('collector faults (500s, dropped connections, down for 30 s) and a page closed mid-flush: every charged report arrives once', async () => {
  let page = await enginePage();
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
  await waitFor('5 reports through the faults', async () => (await collectorIds('faults')).length === 5);

  // Down for 30 s: releases still charge and queue; the page is closed while they wait.
  await collector.pause();
  const downAt = Date.now();
  const second = await page.evaluate(
    ([paths, o]) => (window as unknown as PageWindow).obscura.releaseFixtures(paths as string[], o as ReleaseOptions),
    [photos.slice(45, 50), options('faults', 0.1)] as const,
  );
  assert.ok(second.every((r) => r.ok && r.charged));
  await new Promise((r) => setTimeout(r, 2000));
  await page.close();
  await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - downAt))));
  await collector.resume();

  // A new page flushes the outbox when its engine starts.
  page = await enginePage();
  await waitFor('all 10 reports after the outage', async () => (await collectorIds('faults')).length === 10, 90_000);
  const ledger = await page.evaluate(async () =>
    (await (await (window as unknown as PageWindow).obscura.bridge().engine()).ledger('faults')).map((e) => [
      e.id,
      e.state,
    ]),
  );
  const ids = await collectorIds('faults');
  assert.equal(new Set(ids).size, ids.length, 'no duplicate ids');
  assert.deepEqual([...ids].sort(), ledger.map(([id]) => id).sort());
  await waitFor('the ledger to show every report delivered', async () => {
    const states = await page.evaluate(async () =>
      (await (await (window as unknown as PageWindow).obscura.bridge().engine()).ledger('faults')).map((e) => e.state),
    );
    return states.length === 10 && states.every((s) => s === 'delivered');
  });
  await page.close();
});
