// A 500-image session in the built app: the results list stays the same size in the DOM and in
// object URLs however many images came in, and the first image of the batch can still be released.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { countObjectUrls, holdings, makeSmallPhotos, waitForResults } from './support/long-session';
import { PAGE_SIZE } from '../../src/app/result-window';

const IMAGES = 500;
let server: Awaited<ReturnType<typeof startAppServer>>;
let browser: Browser;
let page: Page;
let files: string[];

before(async () => {
  files = await makeSmallPhotos(IMAGES);
  server = await startAppServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
  await countObjectUrls(page);
  await page.goto(server.url);
  await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('500 images: a bounded list of nodes and object URLs, and an early image released at the end', async (t) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.locator('#pick-images').setInputFiles(files);
  await waitForResults(page, 100);
  const early = await holdings(page);
  await waitForResults(page, IMAGES);
  await page.locator('batch-progress').waitFor({ state: 'detached' });
  const late = await holdings(page);
  t.diagnostic(`after 100 images: ${JSON.stringify(early)}`);
  t.diagnostic(`after ${IMAGES} images: ${JSON.stringify(late)}`);

  assert.equal(late.results, IMAGES, 'every image has its result');
  assert.equal(await page.getByTestId('error').count(), 0, 'no image failed');
  assert.equal(late.cards, PAGE_SIZE, 'one page of cards is in the DOM');
  assert.ok(late.nodes <= early.nodes + 10, `the DOM holds ${late.nodes} elements, ${early.nodes} at 100 images`);
  assert.ok(late.liveObjectUrls <= PAGE_SIZE, `${late.liveObjectUrls} object URLs are live`);
  assert.ok(late.objectUrlsMade >= IMAGES, 'each shown preview had its URL (and the others were revoked)');

  // The oldest page ends with the batch's first image: its clean vector still waits for a release.
  await page.getByRole('button', { name: 'Oldest' }).click();
  const first = page.locator('result-card').last();
  assert.match(await first.locator('article').innerText(), new RegExp(basename(files[0]!).replace('.', '\\.')));
  assert.ok((await holdings(page)).liveObjectUrls <= PAGE_SIZE, 'paging revokes the previous page');
  await first.getByTestId('release').click();
  await server.collector.waitForStored(1);
  await first.getByText('Released').waitFor();
  await page.getByTestId('ledger-row').first().waitFor();
  assert.deepEqual(errors, []);
});
