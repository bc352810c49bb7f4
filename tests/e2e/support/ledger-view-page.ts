/**
 * The ledger view alone in a page, over a real IndexedDB ledger: the shipped view, ledger pages and
 * schema, bundled once with Vite (serveBundledModules), with the fixture ledger of ledger-fixture.ts.
 */
import type { Browser, Page } from 'playwright-core';
import { serveBundledModules } from './bundled-modules';

export type LedgerViewModules = typeof import('../../../src/ledger/ledger-schema') &
  typeof import('../../../src/ledger/ledger-page') &
  typeof import('./ledger-fixture');
type ViewWindow = Window & { ledger: LedgerViewModules; db: import('../../../src/ledger/ledger-schema').LedgerDb };

export function serveLedgerView(): ReturnType<typeof serveBundledModules> {
  return serveBundledModules({
    'ledger/ledger-schema': ['openLedgerDb'],
    'ledger/ledger-page': ['ledgerPage'],
    'app/components/ledger-view': ['LedgerView'],
    '../tests/e2e/support/ledger-fixture': ['fillLedger', 'fixtureEntry'],
  });
}

export async function ledgerViewPage(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'ledger' in window);
  // tsx keeps function names with a `__name` helper the page lacks: evaluated functions need it.
  await page.evaluate('globalThis.__name = (f) => f');
  return page;
}

/** Opens ledger `name` in the page (as `window.db`) holding the fixture's first n entries. */
export async function fillInPage(page: Page, name: string, n: number): Promise<void> {
  await page.evaluate(
    async ({ name, n }) => {
      const w = window as unknown as ViewWindow;
      w.db = await w.ledger.openLedgerDb(name);
      await w.ledger.fillLedger(w.db, n);
    },
    { name, n },
  );
}

/**
 * Puts a new ledger view reading `window.db` into the page (replacing one there) and resolves when its
 * first page of rows is in the DOM and laid out, with the milliseconds from its creation. The limit
 * of every page the view asks for is kept on `window.asked`.
 */
export async function mountView(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const w = window as unknown as ViewWindow & { asked: number[] };
    w.asked = [];
    document.querySelector('ledger-view')?.remove();
    const started = performance.now();
    const view = document.createElement('ledger-view') as HTMLElement & { source: unknown };
    view.source = (q: { limit: number }) => {
      w.asked.push(q.limit);
      return w.ledger.ledgerPage(w.db, q);
    };
    document.body.append(view);
    const root = view.shadowRoot!;
    await new Promise<void>((resolve) => {
      const observer = new MutationObserver(() => {
        if (!root.querySelector('[data-testid="ledger-row"]')) return;
        observer.disconnect();
        resolve();
      });
      observer.observe(root, { childList: true, subtree: true });
    });
    // Style and layout of what was drawn, forced now rather than left to the next frame.
    void view.getBoundingClientRect().height;
    void document.body.offsetHeight;
    return performance.now() - started;
  });
}

/** Where a cold first render's time goes, ms from the start of each phase to its end. */
export interface FirstRenderPhases {
  /** IndexedDB open of the ledger (version 5, no upgrade). */
  readonly open: number;
  /** Element created and connected until it asks for its first page (upgrade, first update). */
  readonly mount: number;
  /** The first page read: the source's promise (index cursor of one page, the count). */
  readonly read: number;
  /** The page read until its rows are in the DOM (lit's render of the rows). */
  readonly render: number;
  /** Style and layout of what was drawn, forced. */
  readonly layout: number;
  readonly total: number;
}

/**
 * In a page just loaded (no connection open, nothing rendered yet): opens ledger `name`, mounts a ledger
 * view over it and resolves with the time of each phase until its first page of rows is laid out.
 */
export async function mountColdPhases(page: Page, name: string): Promise<FirstRenderPhases> {
  return page.evaluate(async (name) => {
    const w = window as unknown as ViewWindow;
    const t0 = performance.now();
    w.db = await w.ledger.openLedgerDb(name);
    const opened = performance.now();
    let asked = 0;
    let read = 0;
    const view = document.createElement('ledger-view') as HTMLElement & { source: unknown };
    view.source = async (q: { limit: number }) => {
      asked ||= performance.now();
      const got = await w.ledger.ledgerPage(w.db, q);
      read ||= performance.now();
      return got;
    };
    document.body.append(view);
    const root = view.shadowRoot!;
    await new Promise<void>((resolve) => {
      const observer = new MutationObserver(() => {
        if (!root.querySelector('[data-testid="ledger-row"]')) return;
        observer.disconnect();
        resolve();
      });
      observer.observe(root, { childList: true, subtree: true });
    });
    const drawn = performance.now();
    void view.getBoundingClientRect().height;
    void document.body.offsetHeight;
    const done = performance.now();
    return {
      open: opened - t0,
      mount: asked - opened,
      read: read - asked,
      render: drawn - read,
      layout: done - drawn,
      total: done - t0,
    };
  }, name);
}

/** Reloads the page (fresh modules' state, no IndexedDB connection) and waits for its modules. */
export async function reloadLedgerViewPage(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => 'ledger' in window);
  await page.evaluate('globalThis.__name = (f) => f');
}
