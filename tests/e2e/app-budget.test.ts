// The built web app's budget controls: the device-wide budget beside each scope, scopes
// created explicitly, "grant more" as a ledger entry, the per-release ε/δ limits, and a
// spent budget that says so once for a whole batch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { seriousA11yViolations } from './support/a11y';

let server: Awaited<ReturnType<typeof startAppServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fixtures: string;

before(async () => {
  fixtures = await makeGeneratedFixtures();
  await makeDistinctPhotos(fixtures, 5);
  // The collector takes privunit in "default" at a few ε values, and in "photos" at ε 1.
  server = await startAppServer({
    tasks: [
      { scope: 'default', mechanism: 'privunit', epsilon: [0.5, 1, 2] },
      { scope: 'photos', mechanism: 'privunit', epsilon: 1 },
    ],
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  page = await context.newPage();
  await page.goto(server.url);
  await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
  await page.getByTestId('remaining').waitFor({ timeout: 30_000 });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const changeRows = () => page.getByTestId('budget-change-row');

test('the gauge shows the device-wide budget and the scope; the first budget changes are in the ledger', async () => {
  assert.match(await page.getByTestId('remaining').innerText(), /^ε 10\.00$/);
  assert.match(await page.getByTestId('device-budget').innerText(), /Device-wide: ε 10\.00 left of 10 \(lifetime\)/);
  // The ledger was created with the device budget and the "default" scope, both as budget changes.
  assert.equal(await changeRows().count(), 2);
  // The device's own scope, then the one the collector declares and the device has not created yet.
  assert.deepEqual(
    await page.locator('#scope option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)),
    ['default', 'photos'],
  );
});

test('the controls offer what the collector declares: its mechanism and its ε values, no others', async () => {
  const epsilon = page.locator('#epsilon');
  const values = await epsilon.locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  assert.deepEqual(values, ['0.5', '1', '2']);
  assert.equal(await epsilon.inputValue(), '2', 'the app’s default ε, which the task allows');
  assert.equal(await page.locator('#mechanism option[value="gaussian"]').isDisabled(), true);
  assert.equal(await page.locator('#mechanism option[value="privunit"]').isDisabled(), false);
  assert.match(await page.getByTestId('declared-task').innerText(), /scope “default” for privunit at ε 0.5 or 1 or 2/);
  await epsilon.selectOption('1');
  assert.equal(await epsilon.inputValue(), '1');
});

test('a scope is created explicitly with its own sub-budget; a second creation of it is refused', async () => {
  await page.locator('scope-settings summary').click();
  await page.locator('input[name="scope-name"]').fill('photos');
  await page.locator('input[name="scope-total"]').fill('3');
  await page.getByRole('button', { name: 'Create scope' }).click();
  await page.getByTestId('remaining').getByText('ε 3.00').waitFor();
  assert.equal(await page.locator('#scope').inputValue(), 'photos');
  assert.equal(await page.getByTestId('scope-row').count(), 2);
  assert.equal(await changeRows().count(), 3);
  assert.match(await changeRows().first().innerText(), /scope “photos”\s+3\s+lifetime/);

  await page.locator('input[name="scope-name"]').fill('photos');
  await page.getByRole('button', { name: 'Create scope' }).click();
  const error = page.getByTestId('error');
  await error.first().waitFor();
  assert.match(await error.first().innerText(), /already exists/);
  assert.equal(await changeRows().count(), 3, 'the refused creation left no entry');
  await error.first().getByRole('button', { name: 'dismiss this message' }).click();
  assert.deepEqual(await seriousA11yViolations(page), []);
});

test('a batch released automatically into a spent scope shows ONE budget message, not one per image', async () => {
  await page.locator('#auto-release').check();
  await page
    .locator('#pick-images')
    .setInputFiles(Array.from({ length: 5 }, (_, i) => `${fixtures}/distinct-${i}.png`));
  await page.locator('batch-progress').waitFor({ state: 'detached', timeout: 60_000 });
  // Three releases of ε 1 fit the scope's ε 3; the other two are refused.
  await page.getByTestId('ledger-row').nth(2).waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    () => {
      const app = document.querySelector('obscura-app') as unknown as { releasing?: string; results: unknown[] };
      return app.results.length === 5 && app.releasing === undefined;
    },
    null,
    { timeout: 30_000 },
  );
  await page.locator('#auto-release').uncheck();
  assert.equal(await page.getByTestId('ledger-row').count(), 3);
  assert.equal(await page.getByRole('button', { name: 'Released' }).count(), 3);
  const errors = await page.getByTestId('error').allInnerTexts();
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, /privacy budget is spent.*"photos" budget has ε = 0\.000000 left/s);
  assert.match(await page.getByTestId('remaining').innerText(), /^ε 0\.00$/);
});

test('"grant more" raises the device-wide total as a ledger entry; it forgives nothing', async () => {
  const before = await changeRows().count();
  await page.locator('budget-gauge summary').click();
  await page.locator('budget-gauge input[name="grant"]').fill('2');
  await page.getByRole('button', { name: 'Grant more' }).click();
  await changeRows().nth(before).waitFor();
  assert.match(await changeRows().first().innerText(), /device-wide\s+12\s+lifetime/);
  // 3 of the device's ε were spent in "photos": raising the total to 12 leaves 9, and "photos" stays spent.
  await page
    .getByTestId('device-budget')
    .getByText(/Device-wide: ε 9\.00 left of 12/)
    .waitFor();
  assert.match(await page.getByTestId('remaining').innerText(), /^ε 0\.00$/);
  await page.locator('#scope').selectOption('default');
  await page.getByTestId('remaining').getByText('ε 9.00').waitFor();
  // After a reload the budget, the scopes and the changes are read back from the ledger.
  await page.reload();
  await page.getByTestId('remaining').waitFor({ timeout: 30_000 });
  assert.equal(await changeRows().count(), before + 1);
  assert.deepEqual((await page.locator('#scope option').allInnerTexts()).sort(), ['default', 'photos']);
});
