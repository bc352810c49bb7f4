// A first visit to the production build (dist/) on a fresh profile: what the first features need comes
// first. The service worker registers only once the engine has its model and its WASM build, so its
// precache never shares the line with them, and it still installs and controls the page on that visit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startStaticServer, type StaticServer } from '../../scripts/static-server';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

let app: StaticServer;
let browser: Browser;

before(async () => {
  app = await startStaticServer({ root: dist, collectorUrl: 'http://127.0.0.1:9' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.close();
});

test('the service worker registers after the model and the WASM build arrived, and takes the page', async () => {
  const context = await browser.newContext();
  // Every request of the page, its workers and the service worker, in the order the browser saw them.
  const events: string[] = [];
  context.on('request', (r) => events.push(`start ${new URL(r.url()).pathname}`));
  context.on('requestfinished', (r) => events.push(`done ${new URL(r.url()).pathname}`));
  const page = await context.newPage();
  await page.goto(`${app.url}/`);
  await page.locator('engine-badge summary').waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 120_000 });
  await context.close();

  const first = (pattern: RegExp) => events.findIndex((e) => pattern.test(e));
  const swStart = first(/^start \/sw\.js$/);
  const modelDone = first(/^done \/models\/.+\.bin$/);
  const wasmDone = first(/^done \/assets\/tfjs-backend-wasm[\w-]*\.wasm$/);
  assert.ok(swStart >= 0 && modelDone >= 0 && wasmDone >= 0, events.join('\n'));
  assert.ok(swStart > modelDone, `sw.js was asked for before the model's weights arrived:\n${events.join('\n')}`);
  assert.ok(swStart > wasmDone, `sw.js was asked for before the WASM build arrived:\n${events.join('\n')}`);
});
