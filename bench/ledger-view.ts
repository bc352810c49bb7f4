// `npm run bench -- ledger-view`: the app's ledger view's first render over a real IndexedDB ledger of
// 10^3, 10^4 and 10^5 entries (written straight into the store, tests/e2e/support/ledger-fixture.ts), in
// headless Chromium: from the element's creation to its first page of rows in the DOM and laid out.
// Target: ≤ 200 ms at 10^5. Also one page read (ledgerPage, the newest 200) and one step to the next page.
import { launchChromium } from '../tests/e2e/support/browser';
import { fillInPage, ledgerViewPage, mountView, serveLedgerView } from '../tests/e2e/support/ledger-view-page';

export interface LedgerViewRow {
  readonly entries: number;
  /** The first mount in a fresh page (cold caches), ms. */
  readonly firstRenderColdMs: number;
  /** Median of the remounts that follow, ms. */
  readonly firstRenderMedianMs: number;
  readonly pageReadMedianMs: number;
  readonly olderPageMedianMs: number;
}

const SIZES = [1_000, 10_000, 100_000];
const REPEATS = 7;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchLedgerView(): Promise<LedgerViewRow[]> {
  const served = await serveLedgerView();
  const browser = await launchChromium();
  const rows: LedgerViewRow[] = [];
  try {
    for (const n of SIZES) {
      const page = await ledgerViewPage(browser, served.url);
      await fillInPage(page, `bench-${n}`, n);
      const renders: number[] = [];
      for (let k = 0; k <= REPEATS; k++) renders.push(await mountView(page));
      const reads = await page.evaluate(async (repeats) => {
        const w = window as unknown as { ledger: LedgerWindow; db: unknown };
        const page: number[] = [];
        const older: number[] = [];
        for (let k = 0; k < repeats; k++) {
          let t = performance.now();
          const first = await w.ledger.ledgerPage(w.db, { limit: 200 });
          page.push(performance.now() - t);
          t = performance.now();
          await w.ledger.ledgerPage(w.db, { limit: 200, after: first.next });
          older.push(performance.now() - t);
        }
        return { page, older };
      }, REPEATS);
      rows.push({
        entries: n,
        firstRenderColdMs: renders[0]!,
        firstRenderMedianMs: median(renders.slice(1)),
        pageReadMedianMs: median(reads.page),
        olderPageMedianMs: median(reads.older),
      });
      await page.context().close();
    }
  } finally {
    await browser.close();
    await served.close();
  }
  return rows;
}

interface LedgerWindow {
  ledgerPage(db: unknown, q: { limit: number; after?: string | undefined }): Promise<{ next?: string }>;
}

export function printLedgerView(rows: readonly LedgerViewRow[]): void {
  console.log('\nledger view: first render (want ≤ 200 ms at 10^5), one page read and the next page, ms');
  const head = ['entries', 'render cold', 'render median', 'page read', 'older page'];
  console.log(head.map((h) => h.padStart(15)).join(''));
  for (const r of rows)
    console.log(
      [r.entries, r.firstRenderColdMs, r.firstRenderMedianMs, r.pageReadMedianMs, r.olderPageMedianMs]
        .map((x, i) => (i === 0 ? String(x) : x.toFixed(1)).padStart(15))
        .join(''),
    );
}
