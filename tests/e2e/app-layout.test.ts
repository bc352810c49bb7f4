// The built app on phone widths, from a cold load through the engine's loading to the first
// features: nothing on screen moves by itself (layout shifts sum ≤ 0.01) and nothing is wider
// than the screen. The figures over five loads each are the bench's (npm run bench -- layout).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { loadToFirstFeatures, type LayoutLoad } from './support/layout-load';
import { SKIMAGE_DIR } from '../support/data-paths';

let server: Awaited<ReturnType<typeof startAppServer>>;
let browser: Browser;

before(async () => {
  server = await startAppServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

function describeShifts(r: LayoutLoad): string {
  return r.shifts.map((s) => `${s.value.toFixed(4)} at ${s.startTime.toFixed(0)} ms`).join(', ') || 'none';
}

/** The header's height, and whether the page scrolls sideways, with the engine's details open. */
async function openDetails(page: Page): Promise<{ before: number; after: number; scrolls: boolean }> {
  const header = page.locator('obscura-app header');
  const height = async () => (await header.boundingBox())!.height;
  const before = await height();
  await page.locator('engine-badge summary').click();
  await page.locator('engine-badge li').first().waitFor();
  const after = await height();
  const scrolls = await page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
  );
  return { before, after, scrolls };
}

for (const width of [360, 412])
  test(`${width} px: engine load and first features shift the layout ≤ 0.01, nothing overflows`, async () => {
    let details: Awaited<ReturnType<typeof openDetails>> | undefined;
    const r = await loadToFirstFeatures(browser, server.url, width, `${SKIMAGE_DIR}/chelsea.png`, async (page) => {
      details = await openDetails(page);
    });
    assert.ok(r.shiftSum <= 0.01, `layout shifts sum to ${r.shiftSum.toFixed(4)}: ${describeShifts(r)}`);
    assert.deepEqual(r.overflows, [], 'no element reaches past the screen, no control cuts its text');
    assert.ok(r.scrollWidth <= r.clientWidth, `the page scrolls sideways: ${r.scrollWidth} > ${r.clientWidth}`);
    assert.equal(
      details!.after,
      details!.before,
      "the engine's details float over the page, the header keeps its height",
    );
    assert.equal(details!.scrolls, false, "the engine's details fit the screen");
  });
