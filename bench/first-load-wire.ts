// Bytes over the wire for the production app (dist/) as `npm start` serves it: a first visit in a
// fresh browser profile (the page, its workers and the service worker's precache) and a second
// visit in the same profile. A counting TCP proxy in front of the static server sees every byte any
// of them receives, headers included, whatever Chromium reports per target.
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import type { Browser } from 'playwright-core';
import { startStaticServer } from '../scripts/static-server';

export interface WireBytes {
  /** Fresh profile: until the engine is ready, the service worker controls the page and the WASM build is kept. */
  readonly firstVisit: number;
  /** Same profile, a new tab: until the engine is ready and the service worker has checked for an update. */
  readonly secondVisit: number;
}

/** Forwards to `port`, counting the bytes sent back to the browser. */
async function countingProxy(port: number): Promise<{ server: Server; port: number; taken: () => number }> {
  let bytes = 0;
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    upstream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const taken = () => {
    const n = bytes;
    bytes = 0;
    return n;
  };
  return { server, port: (server.address() as AddressInfo).port, taken };
}

export async function measureWireBytes(browser: Browser, dist: string): Promise<WireBytes> {
  const app = await startStaticServer({ root: dist, collectorUrl: 'http://127.0.0.1:9' });
  const proxy = await countingProxy(app.port);
  const context = await browser.newContext();
  try {
    const url = `http://127.0.0.1:${proxy.port}/`;
    const first = await context.newPage();
    await first.goto(url);
    await first.locator('engine-badge summary').waitFor({ timeout: 120_000 });
    await first.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 120_000 });
    // The engine stores its WASM build once it ran; until then the first visit is not over.
    for (const end = Date.now() + 60_000; Date.now() < end;) {
      const kept = await first.evaluate(async () => (await (await caches.open('obscura-wasm-v1')).keys()).length);
      if (kept > 0) break;
    }
    await first.close();
    const firstVisit = proxy.taken();
    const second = await context.newPage();
    await second.goto(url);
    await second.locator('engine-badge summary').waitFor({ timeout: 120_000 });
    // The update check a navigation makes, awaited so its bytes are counted.
    await second.evaluate(async () => void (await (await navigator.serviceWorker.ready).update()));
    await second.close();
    return { firstVisit, secondVisit: proxy.taken() };
  } finally {
    await context.close();
    proxy.server.close();
    await app.close();
  }
}
