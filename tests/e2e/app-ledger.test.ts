// The built web app's ledger and budget stand on their own: on screen before the model,
// and no model traffic once the engine has stopped for idleness.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Request } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { startScriptedCollector } from './support/scripted-collector';
import { startStaticServer } from '../../scripts/static-server';
import { SKIMAGE_DIR } from '../support/data-paths';
import { fileURLToPath } from 'node:url';

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

const isModel = (r: Request) => new URL(r.url()).pathname.startsWith('/models/');

test('with the model held back, the budget gauge and the ledger are on screen', async () => {
  const context = await browser.newContext();
  let markHeld: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (markHeld = resolve));
  const heldUrls: string[] = [];
  // The model's requests (model.json and its weights, fetched side by side) never get an answer:
  // the engine stays loading for as long as the test lasts.
  await context.route('**/models/**', (route) => {
    heldUrls.push(route.request().url());
    if (heldUrls.some((u) => u.endsWith('/model.json'))) markHeld();
  });
  const page = await context.newPage();
  await page.goto(server.url);
  await held;
  await page.getByTestId('remaining').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('remaining').innerText(), /^ε 10\.00$/);
  await page.getByRole('heading', { name: 'What left this device' }).waitFor();
  await page.getByText('Nothing has been released.').waitFor();
  assert.match(await page.locator('engine-badge .badge').first().innerText(), /loading the model/);
  await context.close();
});

test('a page left idle past the engine idle stop does not fetch the model again', async () => {
  const context = await browser.newContext();
  const models: string[] = [];
  // The page's own fetches only: the service worker precaches the model once, on its own schedule.
  context.on('request', (r) => void (isModel(r) && !r.serviceWorker() && models.push(r.url())));
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(server.url);
  await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
  await page.getByTestId('remaining').waitFor();
  const fetched = models.length;
  assert.ok(fetched >= 1, 'the model was fetched once to start');
  const engine = page.workers().find((w) => w.url().includes('engine.worker'));
  assert.ok(
    engine,
    `an engine worker runs (${page
      .workers()
      .map((w) => w.url())
      .join(', ')})`,
  );
  const stopped = new Promise<void>((resolve, reject) => {
    engine.once('close', () => resolve());
    setTimeout(() => reject(new Error('the engine worker did not stop after the idle period')), 30_000).unref();
  });
  // The bridge stops the worker after 5 idle minutes; then half an hour more of the page's time.
  await page.clock.fastForward('06:00');
  await stopped;
  await page.clock.fastForward('30:00');
  // A ledger change from another tab is pushed to this page, which reads the ledger without the engine.
  await page.evaluate(() => new BroadcastChannel('obscura-ledger-changes').postMessage({ kind: 'ledger-changed' }));
  assert.match(await page.getByTestId('remaining').innerText(), /^ε 10\.00$/);
  assert.equal(models.length, fetched, `no model request after the idle stop: ${models.slice(fetched).join(', ')}`);
  assert.ok(!page.workers().some((w) => w.url().includes('engine.worker')), 'the engine worker stays stopped');
  await context.close();
});

test(
  'a collector answering 400 then 409: both end rejected with the reason in ' + 'the ledger; the next is delivered',
  async () => {
    const endpoint = await startScriptedCollector();
    const dist = fileURLToPath(new URL('../../dist', import.meta.url));
    const app = await startStaticServer({ root: dist, collectorUrl: endpoint.url });
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    try {
      endpoint.script.push(
        { status: 400, error: { name: 'InvalidReportError', message: 'invalid report: vector: expected 96 values' } },
        { status: 409, error: { name: 'ReportConflictError', message: 'report was stored with a different body' } },
      );
      const page = await context.newPage();
      await page.goto(app.url);
      await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
      const photos = ['chelsea.png', 'astronaut.png', 'coffee.png'];
      for (const [i, name] of photos.entries()) {
        await page.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/${name}`);
        await page.locator('result-card').nth(i).waitFor({ timeout: 30_000 });
        await page.getByTestId('release').first().click();
        // Pushed, not polled: the row's final state appears without any reload.
        await page.getByTestId('ledger-row').nth(i).waitFor({ timeout: 30_000 });
        const final = i < 2 ? 'rejected' : 'delivered';
        await page.getByTestId('ledger-row').first().getByTestId('state').getByText(final).waitFor({ timeout: 30_000 });
      }
      const states = await page.getByTestId('state').allInnerTexts();
      assert.match(states[0]!, /^delivered/);
      assert.match(states[1]!, /rejected\s+ReportConflictError: report was stored with a different body/);
      assert.match(states[2]!, /rejected\s+InvalidReportError: invalid report: vector: expected 96 values/);
      assert.deepEqual(
        endpoint.posts.map((p) => p.status),
        [400, 409, 201],
        'refused reports are not retried',
      );
      assert.match(
        await page.getByTestId('remaining').innerText(),
        /^ε 4\.00$/,
        'the charges of refused reports stand',
      );
    } finally {
      await context.close();
      await app.close();
      await endpoint.close();
    }
  },
);
