// The widget where real hosts put it: host pages on two other sites (127.0.0.2 and 127.0.0.3)
// beside the app on localhost, with third-party storage partitioning on, in both cookie profiles,
// with storage access granted and denied. Every release lands in the app origin's one first-party
// ledger and is charged to its one device budget; the frame never keeps a budget of its own.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { startAppServer } from './support/app-server';
import { embeddingPage, startHostSite } from './support/host-page';
import { hostScopeName } from '../../src/widget/frame/host-scope';
import { armedClick } from './support/armed-click';
import { hostEvents, waitForHostEvents, type HostEvent } from './support/host-events';
import { launchPartitioned, type CookieProfile, type PartitionedBrowser } from './support/cross-site';
import { SKIMAGE_DIR } from '../support/data-paths';
import { escapeName as hostScopeSuffix, hostGrantName } from '../../src/release/host-grant';
import { LEDGER_DB } from '../../src/ledger/ledger-schema';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readTlsCredentials } from '../../server-kit/tls';
import { startStaticServer } from '../../scripts/static-server';
import { makeCertificate } from '../unit/server/deploy-support';
import { seriousA11yViolations } from './support/a11y';

type Site = Awaited<ReturnType<typeof startHostSite>>;

let server: Awaited<ReturnType<typeof startAppServer>>;
let appUrl: string;
let hostA: Site;
let hostB: Site;

before(async () => {
  // The host sites first: the collector declares their scopes (the pages are made at the first request).
  let endpoint = '';
  const page = (scope: string) => embeddingPage(appUrl, `scope="${scope}" epsilon="1" endpoint="${endpoint}"`);
  hostA = await startHostSite(() => ({ '/': page('shop') }), '127.0.0.2');
  hostB = await startHostSite(() => ({ '/': page('blog') }), '127.0.0.3');
  server = await startAppServer({
    tasks: [
      { scope: hostScopeName(hostA.url, 'shop'), mechanism: 'privunit', epsilon: 1 },
      { scope: hostScopeName(hostB.url, 'blog'), mechanism: 'privunit', epsilon: 1 },
    ],
  });
  // localhost is another site than 127.0.0.2 and 127.0.0.3 (the app server listens on 127.0.0.1).
  appUrl = server.url.replace('127.0.0.1', 'localhost');
  server.collector.allowOrigin(appUrl);
  endpoint = `${server.collector.url}/reports`;
});
after(async () => {
  await server?.close();
  await hostA?.close();
  await hostB?.close();
});

const events = hostEvents;
const waitForEvents = waitForHostEvents;

async function widgetFrame(p: Page): Promise<Frame> {
  await waitForEvents(p, 'obscura-ready', 1);
  const found = p.frames().find((f) => f.url().startsWith(`${appUrl}/widget.html`));
  assert.ok(found, 'the widget iframe is in the page');
  return found;
}

/** The ledger as the app origin's first-party storage holds it, read on a top-level app page. */
async function firstPartyLedger(p: Page): Promise<{ id: string; scope: string; host?: string }[]> {
  return p.evaluate(
    (name) =>
      new Promise((done, fail) => {
        const open = indexedDB.open(name);
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('ledger').objectStore('ledger').getAll();
          all.onsuccess = () => {
            done(all.result.map((e: { id: string; scope: string; host?: string }) => ({ ...e })));
            open.result.close();
          };
        };
      }),
    LEDGER_DB,
  );
}

// COMBO=<profile>-<access> (e.g. default-denied) runs one combination while working on it.
const ONLY = process.env['COMBO'];
const COMBOS_ALL: { profile: CookieProfile; access: 'granted' | 'denied'; route: 'handle' | 'window' }[] = [
  // Only a frame with third-party cookie access can bind a storage-access handle in Chromium.
  { profile: 'third-party-cookies-allowed', access: 'granted', route: 'handle' },
  { profile: 'third-party-cookies-allowed', access: 'denied', route: 'window' },
  { profile: 'default', access: 'granted', route: 'window' },
  { profile: 'default', access: 'denied', route: 'window' },
];

const COMBOS = COMBOS_ALL.filter((c) => !ONLY || `${c.profile}-${c.access}` === ONLY);
for (const combo of COMBOS) {
  describe(`${combo.profile}, storage access ${combo.access}`, () => {
    let browser: PartitionedBrowser;
    const popups: Page[] = [];
    let firstReportA: { id: string } | undefined;

    before(async () => {
      browser = await launchPartitioned(combo.profile);
      await browser.setStorageAccess(combo.access, [hostA.url, hostB.url], appUrl);
      browser.context.on('page', (p) => {
        void p.opener().then((opener) => opener && popups.push(p));
      });
    });
    after(async () => {
      await browser?.close();
    });

    let checkedWindowA11y = false;

    /**
     * Reaches the first-party store and allows the host: in the frame alone (storage access), or in
     * Obscura's window it opens. A host allowed before is not asked again (its storage-access grant
     * stands; Obscura's window shows the grant as it is).
     */
    async function allow(host: Page, f: Frame): Promise<void> {
      // The frame first finds out what it can reach without a click; then it asks, or shows the budget.
      const allowHost = f.getByTestId('allow-host');
      await allowHost.or(f.getByTestId('remaining')).first().waitFor({ timeout: 90_000 });
      if ((await allowHost.count()) > 0) {
        const opened = browser.context.waitForEvent('page', { timeout: 30_000 }).catch(() => undefined);
        await armedClick(f, 'allow-host');
        if (combo.route === 'window') {
          const popup = await opened;
          assert.ok(popup, "Obscura's first-party window opened");
          await popup.waitForURL(`${appUrl}/connect.html**`);
          // The window's opener is the frame (a same-origin opener policy would have cut it).
          assert.equal(await popup.evaluate(() => window.opener !== null), true);
          assert.equal(await popup.getByTestId('host-origin').innerText(), new URL(host.url()).origin);
          const allowButton = popup.locator('[data-testid="allow-host"]:not([disabled])');
          const state = popup.getByTestId('grant-state');
          await allowButton.or(state).first().waitFor();
          if (await allowButton.count()) await allowButton.click();
          await state.waitFor();
          await host.bringToFront();
          if (!checkedWindowA11y) {
            assert.deepEqual(await seriousA11yViolations(popup), []);
            checkedWindowA11y = true;
          }
        }
      }
      await waitForEvents(host, 'obscura-budget', 1);
    }

    test('partitioning is on: the frame on each host has storage of its own', async () => {
      const a = await browser.context.newPage();
      await a.goto(hostA.url);
      const fa = await widgetFrame(a);
      const b = await browser.context.newPage();
      await b.goto(hostB.url);
      const fb = await widgetFrame(b);
      await fa.evaluate(() => sessionStorage.setItem('probe', 'a'));
      await fa.evaluate(() => localStorage.setItem('probe', 'a'));
      assert.equal(await fb.evaluate(() => localStorage.getItem('probe')), null);
      await a.close();
      await b.close();
    });

    test('a release works on each host; the app lists both and its device budget counts them', async () => {
      const a = await browser.context.newPage();
      await a.goto(hostA.url);
      const fa = await widgetFrame(a);
      await allow(a, fa);
      if (combo.route === 'handle') assert.equal(popups.length, 0, 'no window was needed');
      await fa.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
      await armedClick(fa, 'release');
      const [reportA] = await waitForEvents(a, 'obscura-report', 1);
      firstReportA = reportA!.detail as { id: string };

      const b = await browser.context.newPage();
      await b.goto(hostB.url);
      const fb = await widgetFrame(b);
      await allow(b, fb);
      await fb.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/coffee.png`);
      await armedClick(fb, 'release');
      const [reportB] = await waitForEvents(b, 'obscura-report', 1);

      const app = await browser.context.newPage();
      await app.goto(appUrl);
      // The app, the person's control room, lists both hosts' releases.
      for (const [host, id] of [
        [hostA.url, (reportA!.detail as { id: string }).id],
        [hostB.url, (reportB!.detail as { id: string }).id],
      ])
        await app.locator(`[data-testid="ledger-row"][data-id="${id}"][data-host="${host}"]`).waitFor();
      const ledger = await firstPartyLedger(app);
      const idA = (reportA!.detail as { id: string }).id;
      const idB = (reportB!.detail as { id: string }).id;
      assert.deepEqual(
        ledger
          .filter((e) => e.id === idA || e.id === idB)
          .map((e) => [e.id, e.scope, e.host])
          .sort(),
        [
          [idA, hostGrantName(hostA.url), hostA.url],
          [idB, hostGrantName(hostB.url), hostB.url],
        ].sort(),
      );
      // Fails closed: the frames kept no ledger in their partitioned storage.
      for (const f of [fa, fb]) {
        const names = await f.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
        assert.ok(!names.includes(LEDGER_DB), `a partitioned ledger exists: ${names.join(', ')}`);
      }
      await a.close();
      await b.close();
      await app.close();
    });

    test('another scope draws on the same grant; a re-pick of a released photo gives its memoized report', async () => {
      const a = await browser.context.newPage();
      await a.goto(hostA.url);
      const fa = await widgetFrame(a);
      await allow(a, fa);
      const before = await lastBudget(a, 'shop');
      assert.equal(before['total'], 4);
      await a.evaluate(() => document.querySelector('obscura-extractor')!.setAttribute('scope', 'other'));
      const other = await lastBudget(a, 'other');
      assert.deepEqual(
        { total: other['total'], spent: other['spent'], releases: other['releases'] },
        { total: 4, spent: before['spent'], releases: before['releases'] },
      );
      assert.equal(await fa.getByTestId('allow-host').count(), 0, 'no new grant is asked for');
      await a.evaluate(() => document.querySelector('obscura-extractor')!.setAttribute('scope', 'shop'));
      await fa.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
      await armedClick(fa, 'release');
      const [again] = await waitForEvents(a, 'obscura-report', 1);
      assert.equal((again!.detail as { id: string }).id, firstReportA!.id);
      const after = await lastBudget(a, 'shop');
      assert.equal(after['spent'], before['spent'], 'the memoized report cost nothing');
      await a.close();
    });

    test('when the device budget runs out on one host, the other host is refused too', async () => {
      const app = await browser.context.newPage();
      await app.goto(appUrl);
      const b = await browser.context.newPage();
      await b.goto(hostB.url);
      const fb = await widgetFrame(b);
      await allow(b, fb);
      await fb.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/astronaut.png`);
      await fb.getByTestId('release').first().waitFor({ timeout: 90_000 });
      // The person leaves room for one more release of ε 1 on the device.
      const gauge = app.locator('[data-testid="device-budget"][data-spent]');
      await gauge.waitFor();
      const spent = Number(await gauge.getAttribute('data-spent'));
      assert.ok(spent >= 2, `the device counts both hosts' releases (spent ${spent})`);
      await app.locator('summary', { hasText: 'Change the budget' }).click();
      await app.locator('input[name="device-total"]').fill(String(spent + 1));
      await app.getByRole('button', { name: 'Save device budget' }).click();
      const a = await browser.context.newPage();
      await a.goto(hostA.url);
      const fa = await widgetFrame(a);
      await allow(a, fa);
      await fa.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/coffee.png`);
      await armedClick(fa, 'release');
      await waitForEvents(a, 'obscura-report', 1);
      // Host B's grant still has ε left, but the device has none: its release is refused.
      await fb.locator('[data-testid="release"][disabled]').first().waitFor({ timeout: 30_000 });
      await fb.getByTestId('remaining').getByText('ε 0.00 left').waitFor();
      assert.ok(((await lastBudget(b, 'blog'))['remaining'] as number) > 0, "the host's own grant is not spent");
      assert.equal((await events(b, 'obscura-report')).length, 0);
      await a.close();
      await b.close();
      await app.close();
    });

    test('a host the person revoked in the app releases nothing more', async () => {
      const app = await browser.context.newPage();
      await app.goto(appUrl);
      const row = app.locator(`[data-testid="host-grant"][data-site="${new URL(hostB.url).protocol}//127.0.0.3"]`);
      await row.getByTestId('revoke-host').click();
      await row.getByTestId('confirm-revoke').click();
      await app.locator('[data-testid="host-grant"][data-state="revoked"]').waitFor();
      const b = await browser.context.newPage();
      await b.goto(hostB.url);
      const fb = await widgetFrame(b);
      await allow(b, fb);
      await fb.getByTestId('revoked').waitFor();
      assert.equal((await lastBudget(b, 'blog'))['total'], 0);
      await fb.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
      await fb.locator('[data-testid="release"][disabled]').first().waitFor({ timeout: 90_000 });
      assert.equal((await events(b, 'obscura-report')).length, 0);
      await b.close();
      await app.close();
    });
  });
}

/** The newest budget the host heard for its scope attribute `scope` (waits for one). */
async function lastBudget(p: Page, scope: string): Promise<Record<string, unknown>> {
  const name = `site:${hostScopeSuffix(new URL(p.url()).origin)}:${scope}`;
  // A report or a task refusal names the scope too: wait for a budget event of it.
  await p
    .waitForFunction(
      (n) =>
        (window as unknown as { events: HostEvent[] }).events.some(
          (e) => e.type === 'obscura-budget' && e.detail['scope'] === n,
        ),
      name,
      { timeout: 90_000 },
    )
    .catch(async (err: unknown) => {
      throw new Error(`no obscura-budget for ${name}; the host heard ${JSON.stringify(await events(p))}`, {
        cause: err,
      });
    });
  return (await events(p, 'obscura-budget')).filter((e) => e.detail['scope'] === name).at(-1)!.detail;
}

describe('the app origin over HTTPS, embedded by a host on another site', () => {
  let browser: PartitionedBrowser;
  let https: Awaited<ReturnType<typeof startStaticServer>>;
  let host: Site;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obscura-tls-'));
    const certificate = await makeCertificate(dir);
    https = await startStaticServer({
      root: resolve('dist'),
      collectorUrl: server.collector.url,
      tls: await readTlsCredentials(certificate.certFile, certificate.keyFile),
    });
    const origin = https.url.replace('127.0.0.1', 'localhost');
    assert.match(origin, /^https:/);
    host = await startHostSite(() => ({ '/': embeddingPage(origin, 'scope="shop" epsilon="1"') }), '127.0.0.2');
    browser = await launchPartitioned('third-party-cookies-allowed', { ignoreHttpsErrors: true });
    await browser.setStorageAccess('granted', [host.url], origin);
  });
  after(async () => {
    await browser?.close();
    await https?.close();
    await host?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the widget runs in a secure context and releases into the first-party ledger', async () => {
    const origin = https.url.replace('127.0.0.1', 'localhost');
    const page = await browser.context.newPage();
    await page.goto(host.url);
    await waitForEvents(page, 'obscura-ready', 1);
    const frame = page.frames().find((f) => f.url().startsWith(`${origin}/widget.html`))!;
    assert.equal(await frame.evaluate(() => isSecureContext), true);
    await armedClick(frame, 'allow-host');
    await frame.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/rocket.jpg`);
    await armedClick(frame, 'release');
    const [report] = await waitForEvents(page, 'obscura-report', 1);
    const app = await browser.context.newPage();
    await app.goto(origin);
    const ids = (await firstPartyLedger(app)).filter((e) => e.host === host.url).map((e) => e.id);
    assert.deepEqual(ids, [(report!.detail as { id: string }).id]);
    await page.close();
    await app.close();
  });
});
