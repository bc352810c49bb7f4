// A page on another origin than the collector (real Chromium) reads the Retry-After of a 429:
// only possible because the collector lists it in Access-Control-Expose-Headers. Needs no build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { startCollector, type TestCollector } from '../support/collector';
import { releasedReport, releasedTask } from '../unit/collector/support';
import { launchChromium } from './support/browser';

let browser: Browser;
let page: Server;
let pageOrigin: string;
let collector: TestCollector;

before(async () => {
  page = createServer((_, res) => res.end('<!doctype html><title>reporter</title>'));
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(page.address() as { port: number }).port}`;
  // One report a second, a burst of two: the third POST of a quick run is over the rate.
  collector = await startCollector({ rateLimit: 1, allowedOrigins: [pageOrigin], tasks: [releasedTask('browser')] });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await collector?.close();
  await new Promise((resolve) => page?.close(resolve));
});

test('a cross-origin page reads the Retry-After of a 429 from the collector', async () => {
  const tab = await browser.newPage();
  await tab.goto(pageOrigin);
  const bodies = Array.from({ length: 5 }, () => JSON.stringify(releasedReport('browser')));
  const answers = await tab.evaluate(
    async ({ url, bodies }) => {
      const out: [number, string | null][] = [];
      for (const body of bodies) {
        const res = await fetch(`${url}/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        out.push([res.status, res.headers.get('retry-after')]);
      }
      return out;
    },
    { url: collector.url, bodies },
  );
  const limited = answers.filter(([status]) => status === 429);
  assert.ok(
    answers.some(([status]) => status === 201),
    JSON.stringify(answers),
  );
  assert.ok(limited.length >= 1, JSON.stringify(answers));
  for (const [, retryAfter] of limited) assert.ok(Number(retryAfter) >= 1, `page read Retry-After ${retryAfter}`);
  await tab.close();
});
