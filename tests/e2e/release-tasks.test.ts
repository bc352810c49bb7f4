// Declared tasks on the device, in a real browser against real collectors: the release worker checks a
// release against its scope's task before it charges anything, learns of a changed task, withdraws a queued
// report its task no longer admits (unsent, uncharged), and offline serves the task it read before.
// One address stands for "the collector"; behind it a relay forwards to collector A, or to collector B (the
// same scope declared with other ε values, as after a redeployment), or answers nothing (offline).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { createScopes, startedEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import { startCollector, type TestCollector as Collector } from '../support/collector';
import type { ReleaseOptions } from '../../src/release/release-api';

let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let collectorA: Collector;
let collectorB: Collector;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fixtures: string;
let photos: string[];
let relay: Server;
let relayUrl: string;
/** Where the relay forwards: a collector, or null for offline (the connection is cut). */
let target: Collector | null = null;
/** When set, the relay moves to this collector right after it forwarded one read of the tasks. */
let flipAfterTaskRead: Collector | null = null;
/** Report ids POSTed through the relay. */
const posted: string[] = [];

before(async () => {
  fixtures = await makeGeneratedFixtures();
  photos = await makeDistinctPhotos(fixtures, 6);
  server = await startEnginePageServer();
  collectorA = await startCollector({
    allowedOrigins: [server.url],
    tasks: [{ scope: 'tasked', mechanism: 'privunit', epsilon: [1, 2] }],
  });
  collectorB = await startCollector({
    allowedOrigins: [server.url],
    tasks: [{ scope: 'tasked', mechanism: 'privunit', epsilon: [0.5] }],
  });
  target = collectorA;
  relay = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const to = target;
        if (!to) return void req.socket.destroy();
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers))
          if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers[name] = value;
        if (req.method === 'POST') posted.push(String(req.headers['idempotency-key']));
        const body = req.method === 'POST' ? Buffer.concat(chunks) : undefined;
        const answer = await fetch(`${to.url}${req.url}`, { method: req.method!, headers, ...(body ? { body } : {}) });
        const text = await answer.text();
        if (req.method === 'GET' && req.url?.startsWith('/tasks') && flipAfterTaskRead) {
          target = flipAfterTaskRead;
          flipAfterTaskRead = null;
        }
        const out: Record<string, string> = {};
        answer.headers.forEach((v, k) => {
          if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'connection')
            out[k] = v;
        });
        res.writeHead(answer.status, out).end(text);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  browser = await launchChromium();
  context = await browser.newContext();
  await createScopes(context, server.url, fixtures, [
    { name: 'tasked', totalEpsilon: 10 },
    { name: 'undeclared', totalEpsilon: 10 },
    { name: 'never-read', totalEpsilon: 10 },
  ]);
  page = await startedEnginePage(context, server.url, fixtures);
});
after(async () => {
  await browser?.close();
  relay?.closeAllConnections();
  relay?.close();
  await collectorA?.close();
  await collectorB?.close();
  await server?.close();
});

const options = (epsilon: number, scope = 'tasked'): ReleaseOptions => ({
  scope,
  mechanism: { name: 'privunit', epsilon },
  destination: `${relayUrl}/reports`,
});

function releaseOne(photo: string, o: ReleaseOptions) {
  return page.evaluate(
    async ([p, opts]) =>
      (await (window as unknown as PageWindow).obscura.releaseFixtures([p], opts as ReleaseOptions))[0]!,
    [photo, o] as const,
  );
}

/**
 * The device's spent ε (every scope's and the device's) and its ledger's entries, each counting or
 * withdrawn, to show a refusal changed nothing. (Delivery states are left out: an earlier test's report
 * may move from queued to retrying in the background meanwhile.)
 */
function deviceState() {
  return page.evaluate(async () => {
    const releases = (window as unknown as PageWindow).obscura.releases();
    const overview = await releases.budgets();
    const ledger = await releases.ledger();
    return {
      device: overview.device.spent,
      scopes: Object.fromEntries(overview.scopes.map((s) => [s.scope, s.spent])),
      ledger: ledger.map((e) => `${e.id}:${e.state === 'withdrawn' ? 'withdrawn' : 'counts'}`).sort(),
    };
  });
}

/** Runs the release worker's sender now (joining a flush under way) and returns one entry of the ledger. */
function flushAndRead(id: string) {
  return page.evaluate(async (reportId) => {
    const ob = (window as unknown as PageWindow).obscura;
    await ob.releases().flushOutbox();
    return (await ob.releases().ledger()).find((e) => e.id === reportId);
  }, id);
}

test('a release its task admits is charged; another ε or an undeclared scope is refused, uncharged', async () => {
  const ok = await releaseOne(photos[0]!, options(1));
  assert.ok(ok.ok && ok.charged, JSON.stringify(ok));
  await collectorA.waitForStored(1, 'tasked');

  const before = await deviceState();
  const mismatch = await releaseOne(photos[1]!, options(3));
  assert.equal(mismatch.ok ? 'charged' : mismatch.name, 'TaskMismatchError');
  assert.match(mismatch.ok ? '' : mismatch.message, /epsilon: expected one of \[1,2\], got 3; nothing was charged/);
  const undeclared = await releaseOne(photos[1]!, options(1, 'undeclared'));
  assert.equal(undeclared.ok ? 'charged' : undeclared.name, 'UndeclaredScopeError');
  assert.deepEqual(await deviceState(), before, 'the budgets and the ledger are unchanged');
});

test('a device whose task changed refuses what the old task took, uncharged; the new one’s values pass', async () => {
  target = collectorB;
  const before = await deviceState();
  const refused = await releaseOne(photos[1]!, options(1));
  assert.equal(refused.ok ? 'charged' : refused.name, 'TaskMismatchError');
  assert.deepEqual(await deviceState(), before, 'nothing charged');
  const ok = await releaseOne(photos[1]!, options(0.5));
  assert.ok(ok.ok && ok.charged, JSON.stringify(ok));
  await collectorB.waitForStored(1, 'tasked');
});

test('a queued report whose task changed before it was sent is withdrawn: never sent, ε given back', async () => {
  // The release is checked against A's task; the collector then turns into B before the sender looks again.
  target = collectorA;
  flipAfterTaskRead = collectorB;
  const before = await deviceState();
  const released = await releaseOne(photos[2]!, options(1));
  assert.ok(released.ok && released.charged, JSON.stringify(released));
  const id = released.ok ? released.id : '';
  const entry = await flushAndRead(id);
  assert.equal(entry?.state, 'withdrawn');
  assert.equal(entry?.error?.name, 'TaskMismatchError');
  assert.match(entry?.error?.message ?? '', /epsilon: expected 0.5, got 1/);
  assert.ok(!posted.includes(id), 'the withdrawn report was never POSTed');
  assert.ok(!(await collectorA.ids('tasked')).includes(id) && !(await collectorB.ids('tasked')).includes(id));
  const after = await deviceState();
  assert.equal(after.device, before.device, 'the device budget is as before the release');
  assert.deepEqual(after.scopes, before.scopes, 'every scope budget is as before the release');
  assert.deepEqual(after.ledger, [...before.ledger, `${id}:withdrawn`].sort(), 'its ledger row says withdrawn');

  // The same photo under the new task is a new release, charged then (the withdrawn one left no memo).
  const again = await releaseOne(photos[2]!, options(0.5));
  assert.ok(again.ok && again.charged && again.id !== id, JSON.stringify(again));
});

test('offline: the task read before serves, a scope never read is refused, a queued report waits', async () => {
  target = null;
  const before = await deviceState();
  const never = await releaseOne(photos[3]!, options(0.5, 'never-read'));
  assert.equal(never.ok ? 'charged' : never.name, 'UndeclaredScopeError');
  assert.match(never.ok ? '' : never.message, /cannot be reached now/);
  assert.deepEqual(await deviceState(), before, 'nothing charged');

  const queued = await releaseOne(photos[4]!, options(0.5));
  assert.ok(queued.ok && queued.charged, JSON.stringify(queued));
  const id = queued.ok ? queued.id : '';
  const waiting = await flushAndRead(id);
  assert.equal(waiting?.state, 'queued', 'not on the wire while its task cannot be confirmed');
  assert.ok(!posted.includes(id));

  target = collectorB;
  await page.evaluate(() => (window as unknown as PageWindow).obscura.releaseTest().advance(10 * 60_000));
  assert.equal((await flushAndRead(id))?.state, 'delivered');
  assert.ok((await collectorB.ids('tasked')).includes(id));
});

test('a release to be sent where no tasks can be read (a relative /reports URL) is refused, uncharged', async () => {
  // A worker's fetch resolves "/reports" against its own origin, so such a report would still be POSTed to a
  // collector whose task was never checked, and a refusal there would lose the charge.
  target = collectorA;
  const before = await deviceState();
  const relative = await releaseOne(photos[5]!, { ...options(1), destination: '/reports' });
  assert.equal(relative.ok ? 'charged' : relative.name, 'InvalidParameterError');
  assert.deepEqual(await deviceState(), before, 'nothing charged, nothing queued');
});
