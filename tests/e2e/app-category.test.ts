// The built web app releasing a category: a real Fashion-MNIST image file, the demo codebook
// served from public/, the label assigned on the device shown beside the randomized one that left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { seriousA11yViolations } from './support/a11y';
import { writeFashionPngs } from '../support/fashion-pngs';
import { parseCodebookJson } from '../../src/codebook/load-codebook';
import { assignLabel } from '../../src/codebook/assign-label';
import type { Codebook } from '../../src/codebook/codebook-schema';
import type { CategoryReport } from '../../src/report/schema';

let server: Awaited<ReturnType<typeof startAppServer>>;
let browser: Browser;
let page: Page;
let dir: string;
let sneaker: string | undefined;
let codebook: Codebook;

before(async () => {
  codebook = await parseCodebookJson(await readFile('public/codebooks/fashion-10.json', 'utf8'));
  dir = await mkdtemp(join(tmpdir(), 'obscura-app-category-'));
  [sneaker] = await writeFashionPngs(dir, 'Sneaker', 1);
  server = await startAppServer();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1024, height: 900 } })).newPage();
  await page.goto(server.url);
  await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
  await page.getByTestId('remaining').waitFor({ timeout: 30_000 });
});
after(async () => {
  await browser?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

test('category release: the card shows the label assigned here and the one that left; charged once', async () => {
  // The collector declares k-RR over this codebook in its scope "krr": choosing k-RR moves releases there.
  await page.locator('#mechanism').selectOption('krr');
  await page.locator('#scope').getByText('krr', { exact: true }).waitFor({ state: 'attached' });
  assert.equal(await page.locator('#scope').inputValue(), 'krr');
  await page.locator('#epsilon').selectOption('2');
  // k-RR at ε 2 over 10 labels tells the truth with probability e²/(e² + 9).
  assert.equal(await page.locator('#expected-truth').innerText(), (Math.exp(2) / (Math.exp(2) + 9)).toFixed(3));
  assert.equal(await page.locator('#projection').count(), 0);

  await page.locator('#pick-images').setInputFiles(sneaker!);
  await page.locator('result-card').first().waitFor({ timeout: 30_000 });
  await page.getByTestId('release').first().click();
  await page.getByTestId('ledger-row').first().waitFor({ timeout: 30_000 });
  await server.collector.waitForStored(1);

  // The label shown is the codebook's label for the clean vector the page holds.
  const clean = await page.evaluate(() =>
    Array.from(
      (document.querySelector('obscura-app') as unknown as { results: { clean: Float32Array }[] }).results[0]!.clean,
    ),
  );
  const assigned = assignLabel(codebook, clean);
  const card = page.locator('result-card').first();
  assert.equal(
    await card.getByTestId('assigned-label').innerText(),
    `${assigned.label} (codebook fashion-10, never sent)`,
  );
  // What left is the report the collector stored: its randomized value and that value's label.
  const [stored] = (await server.collector.store.list('krr', 10)) as CategoryReport[];
  const sent = stored!.category as { codebook: string; k: number; value: number };
  assert.equal(sent.codebook, 'fashion-10');
  assert.equal(sent.k, 10);
  assert.equal(
    await card.getByTestId('released-category').innerText(),
    `label ${sent.value}: ${codebook.labels[sent.value]} (krr)`,
  );
  // The ledger's payload is that report; no vector was shown or sent.
  await page.getByTestId('ledger-row').first().locator('summary').click();
  // The payload's text is written when the row is first opened (its toggle event), so wait for it.
  const pre = page.getByTestId('ledger-row').first().locator('pre').filter({ hasText: '{' });
  await pre.waitFor();
  assert.deepEqual(JSON.parse(await pre.innerText()), stored);
  assert.equal(await card.getByText('Privatized report (what leaves)').count(), 0);
  // Charged once: ε 2 of the default 10, one ledger row, one stored report.
  assert.match(await page.getByTestId('remaining').innerText(), /^ε 8\.00$/);
  assert.equal(await page.getByTestId('ledger-row').count(), 1);
  await page.getByTestId('state').first().getByText('delivered').waitFor({ timeout: 15_000 });
  assert.equal(await server.collector.count(), 1);
  assert.equal(await page.getByRole('button', { name: 'Released' }).count(), 1);
  assert.deepEqual(await seriousA11yViolations(page), []);
});

test('switching back to a vector mechanism shows the projection and the expected similarity again', async () => {
  await page.locator('#mechanism').selectOption('privunit');
  await page.locator('#projection').waitFor();
  assert.equal(await page.locator('#scope').inputValue(), 'default', 'privunit is the "default" scope’s task');
  assert.match(await page.locator('#expected-similarity').innerText(), /^0\.\d{3}$/);
  assert.equal(await page.locator('#epsilon').inputValue(), '2');
});
