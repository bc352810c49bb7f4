// The release worker on its own: releases reuse the extraction, deliveries end, and
// an extractor alone never touches the ledger. Real workers, real IndexedDB, real HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { createScopes, openEnginePage, startedEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import { startScriptedCollector, type ScriptedCollector } from './support/scripted-collector';
import type { ReleaseOptions, VectorReleaseOptions } from '../../src/release/release-api';

let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let endpoint: ScriptedCollector;
let browser: Browser;
let context: BrowserContext;
let fixtures: string;
let photos: string[];

before(async () => {
  fixtures = await makeGeneratedFixtures();
  photos = await makeDistinctPhotos(fixtures, 8);
  server = await startEnginePageServer();
  endpoint = await startScriptedCollector();
  browser = await launchChromium();
  context = await browser.newContext();
  const scopes = ['once', 'unknown', 'refused', 'slow', 'later', 'broken'];
  await createScopes(
    context,
    server.url,
    fixtures,
    scopes.map((name) => ({ name, totalEpsilon: 10 })),
  );
});
after(async () => {
  await browser?.close();
  await endpoint?.close();
  await server?.close();
});

const options = (scope: string): ReleaseOptions => ({
  scope,
  mechanism: { name: 'privunit', epsilon: 0.5 },
  destination: `${endpoint.url}/reports`,
});

test('a release runs the network once: it uses the vector the extraction already made', async () => {
  const page = await startedEnginePage(context, server.url, fixtures);
  const result = await page.evaluate(
    async ([p, o]) => {
      const ob = (window as unknown as PageWindow).obscura;
      const extraction = await ob.bridge().extract(await ob.fixture(p as string));
      const engine = await ob.engineTest();
      const afterExtract = await engine.forwardPasses();
      const outcome = await ob.releases().release(extraction.contentHash, o as VectorReleaseOptions);
      return { afterExtract, afterRelease: await engine.forwardPasses(), outcome };
    },
    [photos[0]!, options('once')] as const,
  );
  assert.equal(result.afterExtract, 1);
  assert.equal(result.afterRelease, 1, 'the release ran no forward pass');
  assert.equal(result.outcome.charged, true);
  // The outcome carries the report's cosine to the clean vector.
  assert.ok(Number.isFinite(result.outcome.cosine) && Math.abs(result.outcome.cosine) <= 1 + 1e-9);
  await page.close();
});

test('a release of content no engine extracted is refused by name, and nothing is charged', async () => {
  const page = await openEnginePage(context, server.url, fixtures);
  const result = await page.evaluate(async (o) => {
    const ob = (window as unknown as PageWindow).obscura;
    try {
      const pending = ob.releases().release('0'.repeat(64), o as ReleaseOptions);
      // The worker waits a while for a vector still on its way; its clock moves past that wait.
      await ob.releaseTest().advance(10_000);
      await pending;
      return 'released';
    } catch (err) {
      return (err as Error).name;
    }
  }, options('unknown'));
  assert.equal(result, 'UnknownContentError');
  const budget = await page.evaluate(() => (window as unknown as PageWindow).obscura.releases().budget('unknown'));
  assert.equal(budget.releases, 0);
  await page.close();
});

test('a page that only extracts through the library never opens the ledger database', async () => {
  const fresh = await browser.newContext();
  const page = await openEnginePage(fresh, server.url, fixtures);
  const result = await page.evaluate(async (p) => {
    const ob = (window as unknown as PageWindow).obscura;
    const extractor = new ob.EngineBridge({ backend: 'wasm' });
    const extraction = await extractor.extract(await ob.fixture(p));
    extractor.stop();
    return { dims: extraction.vector.length, databases: (await indexedDB.databases()).map((d) => d.name) };
  }, photos[1]!);
  assert.equal(result.dims, 96);
  assert.ok(!result.databases.includes('obscura-ledger'), result.databases.join(', '));
  await fresh.close();
});

test('400 and 409 end as rejected with the reason in the ledger; the next release is delivered', async () => {
  const page = await startedEnginePage(context, server.url, fixtures);
  endpoint.script.push(
    { status: 400, error: { name: 'InvalidReportError', message: 'invalid report: vector: too long' } },
    { status: 409, error: { name: 'ReportConflictError', message: 'report was already stored with a different body' } },
  );
  const settled = await page.evaluate(
    async ([paths, o]) => {
      const ob = (window as unknown as PageWindow).obscura;
      const ids: string[] = [];
      for (const p of paths as string[]) {
        const { outcome } = await ob.release(await ob.fixture(p), o as ReleaseOptions);
        ids.push(outcome.report.id);
        await ob.releases().flushOutbox();
      }
      const entries = await ob.releases().ledger('refused');
      const budget = await ob.releases().budget('refused');
      return { ids, entries, budget, flushed: await ob.releases().flushOutbox() };
    },
    [photos.slice(2, 5), options('refused')] as const,
  );
  const byId = new Map(settled.entries.map((e) => [e.id, e]));
  const [first, second, third] = settled.ids.map((id) => byId.get(id)!);
  assert.equal(first!.state, 'rejected');
  assert.deepEqual(first!.error, {
    name: 'InvalidReportError',
    message: 'invalid report: vector: too long',
    status: 400,
  });
  assert.equal(second!.state, 'rejected');
  assert.equal(second!.error?.name, 'ReportConflictError');
  assert.equal(third!.state, 'delivered');
  assert.equal(settled.budget.releases, 3, 'the charges of refused reports stand');
  assert.equal(settled.flushed.waiting, 0, 'refused reports left the outbox');
  // Each refused report was sent once, never retried.
  for (const id of settled.ids.slice(0, 2)) assert.equal(endpoint.posts.filter((p) => p.id === id).length, 1);
  assert.ok(endpoint.stored.has(settled.ids[2]!));
  await page.close();
});

test('a 429 with Retry-After is retried after that delay on the release clock, not before', async () => {
  const page = await startedEnginePage(context, server.url, fixtures);
  endpoint.script.push({ status: 429, headers: { 'Retry-After': '30' }, error: { name: 'TooMany', message: 'slow' } });
  const id = await page.evaluate(
    async ([p, o]) => {
      const ob = (window as unknown as PageWindow).obscura;
      const { outcome } = await ob.release(await ob.fixture(p as string), o as ReleaseOptions);
      await ob.releases().flushOutbox();
      return outcome.report.id;
    },
    [photos[5]!, options('slow')] as const,
  );
  const entry = async () =>
    page.evaluate(async () => (await (window as unknown as PageWindow).obscura.releases().ledger('slow'))[0]!);
  const waiting = await entry();
  assert.equal(waiting.state, 'retrying');
  assert.equal(waiting.error?.status, 429);
  assert.equal(endpoint.posts.filter((p) => p.id === id).length, 1);
  await page.evaluate(() => (window as unknown as PageWindow).obscura.releaseTest().advance(29_000));
  assert.equal(endpoint.posts.filter((p) => p.id === id).length, 1, 'not retried before Retry-After');
  assert.equal((await entry()).state, 'retrying');
  await page.evaluate(() => (window as unknown as PageWindow).obscura.releaseTest().advance(1_500));
  assert.equal(endpoint.posts.filter((p) => p.id === id).length, 2, 'retried once the delay passed');
  assert.equal((await entry()).state, 'delivered');
  await page.close();
});

test('reports queued by an earlier page are delivered by a page that never extracts (no model fetched)', async () => {
  let page = await startedEnginePage(context, server.url, fixtures);
  // Retry-After keeps both retries well past this page's life: a backoff could fall due within it.
  const down = { status: 503, headers: { 'Retry-After': '60' }, error: { name: 'Unavailable', message: 'down' } };
  endpoint.script.push(down, down);
  const ids = await page.evaluate(
    async ([paths, o]) => {
      const ob = (window as unknown as PageWindow).obscura;
      const out: string[] = [];
      for (const p of paths as string[])
        out.push((await ob.release(await ob.fixture(p), o as ReleaseOptions)).outcome.report.id);
      await ob.releases().flushOutbox();
      return out;
    },
    [photos.slice(6, 8), options('later')] as const,
  );
  await page.close();
  assert.ok(
    ids.every((id) => !endpoint.stored.has(id)),
    'nothing was stored before the page closed',
  );

  const models: string[] = [];
  const onRequest = (r: { url(): string }) => void (r.url().includes('/models/') && models.push(r.url()));
  context.on('request', onRequest);
  page = await openEnginePage(context, server.url, fixtures);
  const states = await page.evaluate(async () => {
    const ob = (window as unknown as PageWindow).obscura;
    for (let step = 0; step < 20; step++) {
      await ob.releaseTest().advance(60_000);
      const entries = await ob.releases().ledger('later');
      if (entries.every((e) => e.state === 'delivered')) return entries.map((e) => e.state);
    }
    return (await ob.releases().ledger('later')).map((e) => e.state);
  });
  assert.deepEqual(states, ['delivered', 'delivered']);
  assert.ok(ids.every((id) => endpoint.stored.has(id)));
  context.off('request', onRequest);
  assert.deepEqual(models, [], 'the delivering page fetched no model');
  await page.close();
});

test('an invalid outbox entry ends rejected in the ledger and frees its outbox slot; it is never sent', async () => {
  // The damaged entry is stored before this page's release worker starts, so whichever flush
  // meets it first (the worker's own at start, or the one asked for below) ends it.
  const page = await openEnginePage(context, server.url, fixtures);
  // An entry damaged in storage (say, by an older version): a ledger row and an outbox entry holding no report.
  await page.evaluate(
    (dest) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('obscura-ledger');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction(['ledger', 'outbox'], 'readwrite');
          const base = { scope: 'broken', time: Date.now(), mechanism: 'privunit', epsilon: 0.5, delta: 0, rho: 0 };
          tx.objectStore('ledger').put({ id: 'broken-1', ...base, destination: dest, state: 'queued', payload: {} });
          tx.objectStore('outbox').put({
            id: 'broken-1',
            destination: dest,
            report: { v: 1 },
            attempts: 0,
            nextAttemptAt: 0,
          });
          tx.oncomplete = () => {
            req.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    `${endpoint.url}/reports`,
  );
  const result = await page.evaluate(async () => {
    const ob = (window as unknown as PageWindow).obscura;
    const flushed = await ob.releases().flushOutbox();
    return { flushed, entry: (await ob.releases().ledger('broken'))[0]! };
  });
  assert.equal(result.entry.state, 'rejected');
  assert.equal(result.entry.error?.name, 'InvalidReportError');
  assert.equal(result.flushed.waiting, 0, 'the slot is free');
  assert.ok(!endpoint.posts.some((p) => p.id === 'broken-1'), 'never sent');
  await page.close();
});
