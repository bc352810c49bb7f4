// The built app is the person's control room for the widget's hosts: every host's releases
// beside the app's own, each host's grant and spend, and a revoke that stops that host's
// releases while the past stays in the ledger and the app keeps releasing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startAppServer } from './support/app-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { seriousA11yViolations } from './support/a11y';
import { capture } from './support/screenshots';
import { createScopeInApp, extractedHashes, ledgerInApp, releaseInApp } from './support/app-bridge';
import { HOST_GRANT_EPSILON, escapeName, hostGrantName, type ReleaseOptions } from '../../src/release/index';

const SHOP = 'https://example.com';
const WWW = 'https://example.com:8443';
const SITE = 'https://example.com';
/** One grant for the whole site: both origins draw on it. */
const GRANT = hostGrantName(SHOP);

let server: Awaited<ReturnType<typeof startAppServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fixtures: string;
let hashes: string[];

before(async () => {
  fixtures = await makeGeneratedFixtures();
  await makeDistinctPhotos(fixtures, 2);
  server = await startAppServer();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  page = await context.newPage();
  await page.goto(server.url);
  await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
  await page.locator('#pick-images').setInputFiles([0, 1].map((i) => `${fixtures}/distinct-${i}.png`));
  hashes = await extractedHashes(page, 2);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A release as the widget frame makes it for a host page: its own scope, charged to its site's grant. */
function asHost(origin: string, hostScope: string, epsilon = 1): ReleaseOptions {
  return {
    mechanism: { name: 'privunit', epsilon },
    scope: `site:${escapeName(origin)}:${hostScope}`,
    grant: GRANT,
    host: origin,
    destination: `host page ${origin}`,
    send: false,
  };
}

const count = (n: number) => page.locator(`[data-testid="ledger-count"][data-count="${n}"]`).waitFor();
const grantRow = () => page.locator(`[data-testid="host-grant"][data-site="${SITE}"]`);
const deviceSpent = async () => Number(await page.getByTestId('device-budget').getAttribute('data-spent'));

test('every host release is a ledger row with its id, report scope, host and state beside the app’s own', async () => {
  await createScopeInApp(page, { name: GRANT, totalEpsilon: HOST_GRANT_EPSILON, window: { kind: 'lifetime' } });
  const released = [
    await releaseInApp(page, hashes[0]!, asHost(SHOP, 'photos')),
    await releaseInApp(page, hashes[1]!, asHost(SHOP, 'photos')),
    await releaseInApp(page, hashes[0]!, asHost(WWW, 'avatars')),
  ];
  assert.ok(
    released.every((r) => r.ok && r.charged),
    JSON.stringify(released),
  );
  // The app's own release, from its button: charged to "default" and sent to the collector.
  await page.getByTestId('release').first().click();
  await count(4);
  await page.locator('[data-testid="ledger-row"][data-host=""][data-state="delivered"]').waitFor({ timeout: 30_000 });

  const ledger = await ledgerInApp(page);
  const rows = await page.getByTestId('ledger-row').evaluateAll((trs) =>
    trs.map((tr) => {
      const d = (tr as HTMLElement).dataset;
      return [d['id'], d['scope'], d['host'], d['state'], tr.children[1]!.textContent!.trim()];
    }),
  );
  assert.deepEqual(
    rows,
    ledger.map((e) => [
      e.id,
      e.host ? `site:${escapeName(e.host)}:${e.host === WWW ? 'avatars' : 'photos'}` : 'default',
      e.host ?? '',
      e.state,
      e.host ?? 'this app',
    ]),
  );
  const hostIds = released.map((r) => (r.ok ? r.id : ''));
  assert.deepEqual(
    ledger
      .filter((e) => e.host)
      .map((e) => e.id)
      .sort(),
    [...hostIds].sort(),
  );
  assert.ok(ledger.filter((e) => e.host).every((e) => e.scope === GRANT && e.state === 'delivered'));

  // The device's spent ε is the sum of every charge, the hosts' and the app's (3 × 1 + 2).
  const sum = ledger.reduce((s, e) => s + e.epsilon, 0);
  assert.equal(sum, 5);
  assert.equal(await deviceSpent(), sum);
  assert.equal(await page.getByTestId('device-budget').getAttribute('data-total'), '10');

  const grant = grantRow();
  assert.equal(await grant.getAttribute('data-spent'), '3');
  assert.equal(await grant.getAttribute('data-total'), '4');
  assert.equal(await grant.getAttribute('data-state'), 'allowed');
  assert.match(await grant.innerText(), new RegExp(`from ${SHOP}, ${WWW}`));
  assert.match(await grant.innerText(), /ε 4\s+ε 3\.00\s+ε 1\.00\s+3\s+allowed/);
  // A host's grant is not a scope for the app's own releases.
  const own = (await page.locator('#scope option').allInnerTexts()).filter((t) => !/declared by the collector/.test(t));
  assert.deepEqual(own, ['default']);
  await capture(page, 'hosts');
  assert.deepEqual(await seriousA11yViolations(page), []);
});

test('revoke asks once more; then nothing more is released for that site, and the app still releases', async () => {
  await grantRow().getByTestId('revoke-host').click();
  const confirm = grantRow().getByTestId('confirm-revoke');
  assert.equal(await confirm.innerText(), `Revoke ${SITE}`);
  // The focus follows the button that replaced the one it was on, both ways.
  await grantRow().locator('[data-testid="confirm-revoke"]:focus').waitFor();
  await grantRow().getByRole('button', { name: 'Cancel' }).click();
  await grantRow().locator('[data-testid="revoke-host"]:focus').waitFor();
  assert.equal(await grantRow().getAttribute('data-state'), 'allowed');

  await grantRow().getByTestId('revoke-host').click();
  await confirm.click();
  await page.locator(`[data-testid="host-grant"][data-state="revoked"]`).waitFor();
  // Revoking forgives nothing and erases nothing.
  assert.equal(await grantRow().getAttribute('data-total'), '0');
  assert.equal(await grantRow().getAttribute('data-spent'), '3');
  await count(4);
  assert.equal(await page.locator(`[data-testid="ledger-row"][data-host="${SHOP}"]`).count(), 2);
  assert.equal(await deviceSpent(), 5);
  assert.match(
    await page.getByTestId('budget-change-row').first().innerText(),
    /grant of https:\/\/example\.com\s+0\s+lifetime/,
  );

  // Even a repeat of a release made before the revoke (its memo) hands the host nothing more.
  assert.deepEqual(await releaseInApp(page, hashes[0]!, asHost(SHOP, 'photos')), {
    ok: false,
    name: 'BudgetExhaustedError',
  });
  // A new release for either origin of the site is refused, whatever its scope.
  for (const origin of [SHOP, WWW]) {
    const refused = await releaseInApp(page, hashes[1]!, asHost(origin, 'later'));
    assert.deepEqual(refused, { ok: false, name: 'BudgetExhaustedError' });
  }
  assert.equal((await ledgerInApp(page)).length, 4);

  // The app's own budget is untouched by the host's revoke.
  await page.getByTestId('release').nth(1).click();
  await count(5);
  await page.locator('[data-testid="device-budget"][data-spent="7"]').waitFor();
  assert.deepEqual(await seriousA11yViolations(page), []);
});

test('allow again restores the one-click grant, less what the site already spent', async () => {
  await grantRow().getByTestId('allow-host-again').click();
  await page.locator(`[data-testid="host-grant"][data-state="allowed"]`).waitFor();
  assert.equal(await grantRow().getAttribute('data-total'), String(HOST_GRANT_EPSILON));
  assert.equal(await grantRow().getAttribute('data-spent'), '3');
  const again = await releaseInApp(page, hashes[1]!, asHost(WWW, 'later'));
  assert.ok(again.ok && again.charged, JSON.stringify(again));
  // ε 1 was left of the grant's 4: the next one does not fit.
  assert.deepEqual(await releaseInApp(page, hashes[1]!, asHost(WWW, 'later-still')), {
    ok: false,
    name: 'BudgetExhaustedError',
  });
  await count(6);
  await page.locator(`[data-testid="ledger-row"][data-id="${again.ok ? again.id : ''}"][data-host="${WWW}"]`).waitFor();
  // The ledger, the grants and the device gauge are drawn by separate parts, each in its own update: the row may
  // show a frame before the others have taken the same delta.
  await grantRow().and(page.locator('[data-spent="4"]')).waitFor({ timeout: 10_000 });
  await page.locator('[data-testid="device-budget"][data-spent="8"]').waitFor({ timeout: 10_000 });
  assert.equal(await grantRow().getAttribute('data-spent'), '4');
  assert.equal(await deviceSpent(), 8);
});

test('a long ledger draws its newest 200 rows and counts them all', async () => {
  const fresh = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  try {
    const long = await fresh.newPage();
    await long.goto(server.url);
    await long.locator('engine-badge summary').waitFor({ timeout: 60_000 });
    await long.locator('#pick-images').setInputFiles(`${fixtures}/distinct-0.png`);
    const [hash] = await extractedHashes(long, 1);
    await createScopeInApp(long, { name: GRANT, totalEpsilon: HOST_GRANT_EPSILON, window: { kind: 'lifetime' } });
    // Each release has its own report scope, so none is the memo of another; ε at its floor, 0.01.
    const outcomes = await long.evaluate(
      async ({ hash, base, n }) => {
        const app = document.querySelector('obscura-app') as unknown as {
          releases: { release(h: string, o: unknown): Promise<unknown> };
        };
        let ok = 0;
        for (let i = 0; i < n; i++) {
          await app.releases.release(hash, { ...base, scope: `${base.scope}${i}` });
          ok++;
        }
        return ok;
      },
      { hash: hash!, base: asHost(SHOP, 'many-', 0.01), n: 205 },
    );
    assert.equal(outcomes, 205);
    await long.locator('[data-testid="ledger-count"][data-count="205"]').waitFor({ timeout: 30_000 });
    assert.equal(await long.getByTestId('ledger-row').count(), 200);
    assert.match(await long.getByTestId('ledger-count').innerText(), /newest 200 of 205/);
    // Newest first: the last release is the first row.
    const newest = (await ledgerInApp(long))[0]!;
    assert.equal(await long.getByTestId('ledger-row').first().getAttribute('data-id'), newest.id);
  } finally {
    await fresh.close();
  }
});
