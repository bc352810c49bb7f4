// The web app's release flows on the production build, with a real collector behind the CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { seriousA11yViolations } from './support/a11y';
import { capture, thumbDistance } from './support/screenshots';
import { SKIMAGE_DIR } from '../support/data-paths';
import { isReport } from '../support/is-report';

let server: Awaited<ReturnType<typeof startAppServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fixtures: string;

before(async () => {
  fixtures = await makeGeneratedFixtures();
  await makeDistinctPhotos(fixtures, 30);
  server = await startAppServer();
  browser = await launchChromium({ fakeCamera: true, autoAllow: true });
  context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  page = await context.newPage();
  await page.goto(server.url);
  await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const cards = () => page.locator('result-card');
const rows = () => page.getByTestId('ledger-row');

async function waitForCollector(count: number): Promise<void> {
  await server.collector.waitForStored(count);
  assert.equal(await server.collector.store.count(), count);
}

test('file → features → release → ledger entry → collector, the report shown beside the clean features', async () => {
  await page.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
  await cards().first().waitFor({ timeout: 30_000 });
  assert.match(await page.locator('#expected-similarity').innerText(), /^0\.\d{3}$/);
  await page.getByTestId('release').first().click();
  await rows().first().waitFor({ timeout: 30_000 });
  await waitForCollector(1);
  const text = await cards().first().locator('article').innerText();
  assert.match(text, /Privatized report \(what leaves\)/);
  assert.match(text, /similarity\s+-?\d\.\d{3}/);
  await page.getByTestId('state').first().getByText('delivered').waitFor({ timeout: 15_000 });
  // The exact payload in the ledger is what the collector stored.
  await rows().first().locator('summary').click();
  // The payload's text is written when the row is first opened (its toggle event), so wait for it.
  const pre = rows().first().locator('pre').filter({ hasText: '{' });
  await pre.waitFor();
  const payload = JSON.parse(await pre.innerText());
  assert.ok(isReport(payload));
  assert.deepEqual((await server.collector.store.list('default', 10))[0], payload);
  assert.match(await page.getByTestId('remaining').innerText(), /ε 8\.00/);
  await capture(page, 'released');
  assert.deepEqual(await seriousA11yViolations(page), []);
});

test('camera → snapshot → release', async () => {
  await page.getByRole('button', { name: 'Use the camera' }).click();
  await page.getByRole('button', { name: 'Take a snapshot' }).click({ timeout: 20_000 });
  await page.waitForFunction(
    () => document.querySelector('obscura-app')!.shadowRoot!.querySelectorAll('result-card').length === 2,
    null,
    { timeout: 30_000 },
  );
  await page.getByRole('button', { name: 'Close camera' }).click();
  await page.getByTestId('release').first().click();
  await waitForCollector(2);
  assert.equal(await rows().count(), 2);
});

test('the ledger exports as JSON', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-ledger').click()]);
  const entries = JSON.parse(await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8')) as {
    payload: unknown;
    state: string;
  }[];
  assert.equal(entries.length, 2);
  assert.ok(entries.every((e) => isReport(e.payload)));
});

test('when the budget is spent, release is disabled and says why; a reload keeps ledger and budget', async () => {
  // Grant exactly one more release of ε 2: total 6 with 4 spent.
  await page.locator('budget-gauge summary').click();
  await page.locator('budget-gauge input[name="total"]').fill('6');
  await page.getByRole('button', { name: 'Save budget' }).click();
  await page.getByTestId('remaining').getByText('ε 2.00').waitFor();
  await page.locator('#pick-images').setInputFiles([`${fixtures}/distinct-0.png`, `${fixtures}/distinct-1.png`]);
  await page.waitForFunction(
    () => document.querySelector('obscura-app')!.shadowRoot!.querySelectorAll('result-card').length === 4,
    null,
    { timeout: 30_000 },
  );
  await page.getByTestId('release').first().click();
  await waitForCollector(3);
  const blocked = page.getByTestId('release-blocked').first();
  await blocked.waitFor();
  assert.match(await blocked.innerText(), /budget is spent: ε 0\.00 left, and a release costs ε 2/);
  assert.equal(await page.getByTestId('release').nth(1).isDisabled(), true);
  await capture(page, 'budget-spent');
  assert.deepEqual(await seriousA11yViolations(page), []);

  await page.reload();
  await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
  await rows().nth(2).waitFor({ timeout: 15_000 });
  assert.equal(await rows().count(), 3);
  assert.match(await page.getByTestId('remaining').innerText(), /ε 0\.00/);
  assert.equal(await server.collector.store.count(), 3);
});

test('automatic release, and cancelling a batch half-way', async () => {
  // More budget is a ledger entry: the device-wide total is raised (it bounds every scope), and the scope's own.
  const changes = await page.getByTestId('budget-change-row').count();
  // Open "Change the budget" unless an earlier step left it open.
  if (!(await page.locator('budget-gauge input[name="grant"]').isVisible()))
    await page.locator('budget-gauge summary').click();
  await page.locator('budget-gauge input[name="grant"]').fill('90');
  await page.getByRole('button', { name: 'Grant more' }).click();
  await page.getByTestId('budget-change-row').nth(changes).waitFor();
  await page.locator('budget-gauge input[name="total"]').fill('100');
  await page.getByRole('button', { name: 'Save budget' }).click();
  await page.getByTestId('remaining').getByText('ε 94.00').waitFor();
  await page.locator('#auto-release').check();
  const before = await server.collector.store.count();
  await page.locator('#pick-images').setInputFiles(`${fixtures}/distinct-2.png`);
  await waitForCollector(before + 1);
  await page.locator('#auto-release').uncheck();

  const cardsBefore = await cards().count();
  await page
    .locator('#pick-images')
    .setInputFiles(Array.from({ length: 27 }, (_, i) => `${fixtures}/distinct-${i + 3}.png`));
  await page
    .locator('batch-progress')
    .getByText(/Extracting images: \d+ of 27/)
    .waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('batch-progress').waitFor({ state: 'detached' });
  const added = (await cards().count()) - cardsBefore;
  assert.ok(added < 27, `cancel stopped the batch (${added} of 27 extracted)`);
});

test('released and budget-spent screenshots differ from each other and are not blank', async () => {
  const { readFile } = await import('node:fs/promises');
  const sharp = (await import('sharp')).default;
  const { SCREENSHOT_DIR } = await import('./support/screenshots');
  const thumbs = await Promise.all(
    ['released', 'budget-spent'].map(async (n) =>
      sharp(await readFile(`${SCREENSHOT_DIR}/${n}.png`))
        .resize(64, 64, { fit: 'fill' })
        .greyscale()
        .raw()
        .toBuffer(),
    ),
  );
  assert.ok(thumbDistance(thumbs[0]!, thumbs[1]!) > 1);
});
