// The ledger view at 10^5 entries in real Chromium IndexedDB: the shipped view over the shipped paged
// queries, the entries written straight into the store in the schema's shape (ledger-fixture.ts). The DOM
// holds one page of rows whatever the size, paging reaches the oldest entry, a search counts by index, and
// the export streams every entry page by page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { fillInPage, ledgerViewPage, mountView, serveLedgerView } from './support/ledger-view-page';
import { fixtureEntry, NEWS, SHOP } from './support/ledger-fixture';
import type { LedgerEntry } from '../../src/ledger/ledger-schema';

const N = 100_000;
const ROWS = 200;

let served: Awaited<ReturnType<typeof serveLedgerView>>;
let browser: Browser;
let page: Page;

before(async () => {
  served = await serveLedgerView();
  browser = await launchChromium();
  page = await ledgerViewPage(browser, served.url);
  await fillInPage(page, 'ledger-1e5', N);
  await mountView(page);
});
after(async () => {
  await browser?.close();
  await served?.close();
});

const ALL = Array.from({ length: N }, (_, i) => fixtureEntry(i));
const count = (keep: (e: LedgerEntry) => boolean) => ALL.filter(keep).length;
const shownCount = () => page.getByTestId('ledger-count').getAttribute('data-count');
const rowIds = () => page.getByTestId('ledger-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')!));

test('one page of rows in the DOM, the newest first, with the whole count', async () => {
  await page.locator(`[data-testid="ledger-count"][data-count="${N}"]`).waitFor();
  assert.equal(await page.getByTestId('ledger-row').count(), ROWS);
  assert.equal(await page.getByTestId('ledger-row').first().getAttribute('data-id'), fixtureEntry(N - 1).id);
  assert.match(await page.getByTestId('ledger-count').innerText(), new RegExp(`newest ${ROWS} of ${N} releases`));
});

test('rows past the newest are neither laid out nor painted until scrolled to', async () => {
  const shown = () =>
    page.evaluate(() => {
      const rows = Array.from(document.querySelector('ledger-view')!.shadowRoot!.querySelectorAll('tr[data-id]'));
      // A skipped row keeps its own box (its intrinsic size); what it skips is its cells.
      return [rows[0]!, rows.at(-1)!].map((r) => r.firstElementChild!.checkVisibility({ contentVisibilityAuto: true }));
    });
  assert.deepEqual(await shown(), [true, false]);
  await page.getByTestId('ledger-row').last().scrollIntoViewIfNeeded();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  // The newest rows are drawn wherever the view is scrolled.
  assert.deepEqual(await shown(), [true, true]);
  await page.evaluate(() => window.scrollTo(0, 0));
});

test('paging older reaches the oldest entry, every entry once, never more than one page in the DOM', async () => {
  const walk = await page.evaluate(async () => {
    const view = document.querySelector<HTMLElement>('ledger-view')!;
    const root = view.shadowRoot!;
    // The walk is about what the DOM holds, which the view decides without reading layout: out of the layout
    // (display: none) its 500 pages are neither styled, laid out nor painted, which, drawn, cost half the file's
    // CPU. Drawing is the scroll test's subject.
    view.style.display = 'none';
    const older = () => root.querySelector<HTMLButtonElement>('#ledger-older')!;
    const ids = () =>
      Array.from(root.querySelectorAll('[data-testid="ledger-row"]')).map((tr) => tr.getAttribute('data-id')!);
    // Every node of the rows' body, markers included: a page that leaves anything behind grows it.
    const bodyNodes = () => root.querySelector('tbody')!.childNodes.length;
    const seen: string[] = [...ids()];
    let mostRows = seen.length;
    const firstNodes = bodyNodes();
    let mostNodes = firstNodes;
    let pages = 1;
    while (!older().disabled) {
      const first = ids()[0];
      const moved = new Promise<void>((resolve) => {
        const observer = new MutationObserver(() => {
          if (ids()[0] === first) return;
          observer.disconnect();
          resolve();
        });
        observer.observe(root, { childList: true, subtree: true, attributes: true });
      });
      older().click();
      await moved;
      await (view as unknown as { updateComplete: Promise<unknown> }).updateComplete;
      const now = ids();
      mostRows = Math.max(mostRows, root.querySelectorAll('tr').length - 1);
      mostNodes = Math.max(mostNodes, bodyNodes());
      seen.push(...now);
      pages++;
    }
    view.style.display = '';
    const text = root.querySelector('[data-testid="ledger-count"]')!.textContent!;
    return { seen, mostRows, pages, text, firstNodes, mostNodes };
  });
  assert.equal(walk.pages, N / ROWS);
  assert.ok(walk.mostRows <= ROWS, `at most ${ROWS} rows at a time, saw ${walk.mostRows}`);
  assert.equal(walk.mostNodes, walk.firstNodes, 'no page leaves a node behind in the rows');
  assert.equal(walk.seen.length, N);
  assert.equal(new Set(walk.seen).size, N, 'no entry twice');
  assert.equal(walk.seen.at(-1), fixtureEntry(0).id, 'the oldest entry is reached, last');
  assert.match(walk.text, new RegExp(`Showing ${N - ROWS + 1}–${N} of ${N} releases`));
  await page.locator('#ledger-newest').click();
  await page
    .getByTestId('ledger-row')
    .first()
    .and(page.locator(`[data-id="${fixtureEntry(N - 1).id}"]`))
    .waitFor();
});

async function search(fields: { scope?: string; host?: string; state?: string }, expected: number): Promise<void> {
  await page.locator('#ledger-scope').fill(fields.scope ?? '');
  await page.locator('#ledger-host').fill(fields.host ?? '');
  await page.locator('#ledger-state').selectOption(fields.state ?? '');
  await page.locator('ledger-view button[type="submit"]').click();
  await page.locator(`[data-testid="ledger-count"][data-count="${expected}"]`).waitFor({ timeout: 60_000 });
}

test('a search by scope, host and state gives their count, and rows that match', async () => {
  const cases = [
    [{ scope: 'survey' }, (e: LedgerEntry) => e.scope === 'survey'],
    [{ host: SHOP }, (e: LedgerEntry) => e.host === SHOP],
    [{ host: NEWS }, (e: LedgerEntry) => e.host === NEWS],
    [{ state: 'rejected' }, (e: LedgerEntry) => e.state === 'rejected'],
    [{ state: 'withdrawn' }, () => false],
    [{ scope: 'default', state: 'queued' }, (e: LedgerEntry) => e.scope === 'default' && e.state === 'queued'],
    [{ host: SHOP, state: 'rejected' }, (e: LedgerEntry) => e.host === SHOP && e.state === 'rejected'],
  ] as const;
  for (const [fields, keep] of cases) {
    const expected = count(keep);
    await search(fields, expected);
    const ids = await rowIds();
    const want = ALL.filter(keep)
      .slice(-ROWS)
      .reverse()
      .map((e) => e.id);
    assert.deepEqual(ids, want, `${JSON.stringify(fields)}: the newest ${ROWS} that match, newest first`);
  }
  // Back to everything.
  await search({}, N);
  assert.equal(await shownCount(), String(N));
});

test('the export holds all 10^5 entries, read page by page', async () => {
  await page.evaluate(() => ((window as unknown as { asked: number[] }).asked = []));
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-ledger').click()]);
  const exported = JSON.parse(await readFile((await download.path())!, 'utf8')) as LedgerEntry[];
  assert.equal(exported.length, N);
  assert.equal(new Set(exported.map((e) => e.id)).size, N);
  assert.deepEqual(exported[0], fixtureEntry(N - 1));
  assert.deepEqual(exported.at(-1), fixtureEntry(0));
  const asked = await page.evaluate(() => (window as unknown as { asked: number[] }).asked);
  assert.ok(asked.length >= N / 500, `${asked.length} pages read`);
  assert.ok(Math.max(...asked) <= 500, 'no read of more than one page');
});

test('a long run of releases on the newest page keeps one page of nodes', async () => {
  await page
    .getByTestId('ledger-row')
    .first()
    .and(page.locator(`[data-id="${fixtureEntry(N - 1).id}"]`))
    .waitFor();
  const grown = await page.evaluate(
    async ({ n, releases }) => {
      const view = document.querySelector('ledger-view') as HTMLElement & {
        applyDelta(d: { entries: LedgerEntry[]; ledgerCount: number }): void;
        updateComplete: Promise<unknown>;
      };
      const body = () => view.shadowRoot!.querySelector('tbody')!;
      const before = body().childNodes.length;
      const { fixtureEntry } = (window as unknown as { ledger: { fixtureEntry(i: number): LedgerEntry } }).ledger;
      for (let i = 0; i < releases; i++) {
        // Each release adds one entry on top; the oldest row makes room.
        view.applyDelta({ entries: [fixtureEntry(n + i)], ledgerCount: n + i + 1 });
        await view.updateComplete;
      }
      const rows = Array.from(body().querySelectorAll('[data-testid="ledger-row"]'));
      return { before, after: body().childNodes.length, first: rows[0]!.getAttribute('data-id'), rows: rows.length };
    },
    { n: N, releases: 500 },
  );
  assert.equal(grown.first, fixtureEntry(N + 499).id);
  assert.equal(grown.rows, ROWS);
  assert.equal(grown.after, grown.before, '500 releases leave no node behind in the rows');
});
