// A page closed while its report is on the wire: the collector has stored it, but the
// page never saw the 2xx, so the report is still queued. The next page sends it again;
// the collector keeps one copy, and the ledger ends with every report delivered.
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
let collector: Collector;
let browser: Browser;
let context: BrowserContext;
let fixtures: string;
let photos: string[];
let relay: Server;
let relayUrl: string;
/** While true, the relay forwards each POST to the collector but holds back the answer. */
let holding = true;
const posted: string[] = [];
let held = 0;
let heldOne: () => void = () => undefined;
/** Settles when the relay holds back its first answer (the report is stored, the page waits). */
const firstHeld = new Promise<void>((resolve) => (heldOne = resolve));

before(async () => {
  fixtures = await makeGeneratedFixtures();
  photos = await makeDistinctPhotos(fixtures, 4);
  server = await startEnginePageServer();
  collector = await startCollector({
    allowedOrigins: [server.url],
    tasks: [{ scope: 'inflight', mechanism: 'privunit', epsilon: 0.2 }],
  });
  relay = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const headers: Record<string, string> = {};
        for (const name of [
          'content-type',
          'idempotency-key',
          'origin',
          'access-control-request-method',
          'access-control-request-headers',
        ]) {
          const v = req.headers[name];
          if (typeof v === 'string') headers[name] = v;
        }
        const body = req.method === 'POST' ? Buffer.concat(chunks) : undefined;
        if (req.method === 'POST') posted.push(String(req.headers['idempotency-key']));
        const answer = await fetch(`${collector.url}${req.url}`, {
          method: req.method!,
          headers,
          ...(body ? { body } : {}),
        });
        const text = await answer.text();
        if (req.method === 'POST' && holding) {
          held++;
          heldOne();
          return; // stored at the collector; the page never hears back
        }
        const out: Record<string, string> = {};
        answer.headers.forEach((v, k) => {
          if (k.startsWith('access-control-') || k === 'vary' || k === 'content-type' || k.startsWith('cross-origin-'))
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
  await createScopes(context, server.url, fixtures, [{ name: 'inflight', totalEpsilon: 10 }]);
});
after(async () => {
  await browser?.close();
  relay?.closeAllConnections();
  relay?.close();
  await collector?.close();
  await server?.close();
});

const enginePage = (): Promise<Page> => startedEnginePage(context, server.url, fixtures);

test(
  'a page closed while its POST is in flight: the report is sent again by the ' + 'next page and stored once',
  async () => {
    const options: ReleaseOptions = {
      scope: 'inflight',
      mechanism: { name: 'privunit', epsilon: 0.2 },
      destination: `${relayUrl}/reports`,
    };
    let page = await enginePage();
    const released = await page.evaluate(
      ([paths, o]) => (window as unknown as PageWindow).obscura.releaseFixtures(paths as string[], o as ReleaseOptions),
      [photos, options] as const,
    );
    assert.ok(
      released.every((r) => r.ok && r.charged),
      JSON.stringify(released),
    );
    const ids = released.map((r) => (r.ok ? r.id : ''));
    // The collector has the first report, the page is still waiting for the answer: close it now.
    await firstHeld;
    await collector.waitForStored(1, 'inflight');
    await page.close();
    const storedWhileClosed = (await collector.store.list('inflight', 10)).map((r) => r.id);
    assert.ok(storedWhileClosed.length >= 1);

    holding = false;
    page = await enginePage();
    // The release worker pushes every ledger change on its BroadcastChannel: wait on that, in the page.
    // (A string, so the test's compiler adds no helper the page does not have.)
    await page.evaluate(`new Promise((resolve, reject) => {
      const changes = new BroadcastChannel('obscura-ledger-changes');
      const timer = setTimeout(() => reject(new Error('not every report was delivered in the ledger')), 60000);
      const check = async () => {
        const states = (await window.obscura.releases().ledger('inflight')).map((e) => e.state);
        if (states.length === ${ids.length} && states.every((s) => s === 'delivered')) {
          clearTimeout(timer);
          changes.close();
          resolve();
        }
      };
      changes.onmessage = () => void check();
      void check();
    })`);
    const stored = (await collector.store.list('inflight', 10)).map((r) => r.id);
    assert.deepEqual([...stored].sort(), [...ids].sort(), 'collector count = ledger count');
    assert.equal(new Set(stored).size, stored.length, 'no duplicate ids at the collector');
    const resent = storedWhileClosed.filter((id) => posted.filter((p) => p === id).length >= 2);
    assert.ok(resent.length >= 1, `the in-flight report was sent again (posts: ${posted.join(', ')})`);
    console.log(`# ${posted.length} POSTs for ${ids.length} reports; ${stored.length} stored`);
    await page.close();
  },
);
