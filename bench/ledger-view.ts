// `npm run bench -- ledger-view`: the app's ledger view's first render over a real IndexedDB ledger of
// 10^3, 10^4 and 10^5 entries (written straight into the store, tests/e2e/support/ledger-fixture.ts), in
// headless Chromium. Cold: in a page just reloaded (modules evaluated, no IndexedDB connection, nothing
// rendered), from opening the ledger to its first page of rows in the DOM and laid out, split into phases
// (open, mount, read, render, layout) and the renderer main thread's CPU time (CDP Performance metrics:
// script, style and layout). Target: ≤ 200 ms cold at 10^5. Also a warm remount in the same page, one page
// read (ledgerPage, the newest 200) and one step to the next page.
import type { CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../tests/e2e/support/browser';
import {
  fillInPage,
  ledgerViewPage,
  mountColdPhases,
  mountView,
  reloadLedgerViewPage,
  serveLedgerView,
  type FirstRenderPhases,
} from '../tests/e2e/support/ledger-view-page';

export interface LedgerViewRow {
  readonly entries: number;
  /** The first cold render (the first reload after the fill), ms. */
  readonly firstRenderColdMs: number;
  /** That first cold render's phases and CPU time, ms. */
  readonly firstColdPhasesMs: FirstRenderPhases;
  readonly firstColdCpuMs: CpuTime;
  /** Median over the cold renders, phase by phase (each phase's own median), ms. */
  readonly coldPhasesMedianMs: FirstRenderPhases;
  /** Median over the cold renders of the renderer main thread's CPU time, by kind, ms. */
  readonly coldCpuMedianMs: CpuTime;
  /** Median of remounts in a page that has rendered the view before, ms. */
  readonly firstRenderMedianMs: number;
  readonly pageReadMedianMs: number;
  readonly olderPageMedianMs: number;
}

export interface CpuTime {
  readonly task: number;
  readonly script: number;
  readonly style: number;
  readonly layout: number;
}

const SIZES = [1_000, 10_000, 100_000];
const REPEATS = 7;
const TARGET_MS = 200;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The renderer's cumulative main-thread times (CDP Performance.getMetrics, enabled on `session`), ms. */
async function cpuNow(session: CDPSession): Promise<CpuTime> {
  const { metrics } = await session.send('Performance.getMetrics');
  const get = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  return {
    task: get('TaskDuration'),
    script: get('ScriptDuration'),
    style: get('RecalcStyleDuration'),
    layout: get('LayoutDuration'),
  };
}

async function coldRender(
  page: Page,
  session: CDPSession,
  name: string,
): Promise<{ phases: FirstRenderPhases; cpu: CpuTime }> {
  await reloadLedgerViewPage(page);
  const before = await cpuNow(session);
  const phases = await mountColdPhases(page, name);
  // The frame after the rows, so the metrics hold the page's own paint-time work too.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))));
  const after = await cpuNow(session);
  return {
    phases,
    cpu: {
      task: after.task - before.task,
      script: after.script - before.script,
      style: after.style - before.style,
      layout: after.layout - before.layout,
    },
  };
}

function medianOf<T extends object>(rows: readonly T[]): T {
  const keys = Object.keys(rows[0]!) as (keyof T)[];
  return Object.fromEntries(keys.map((k) => [k, median(rows.map((r) => r[k] as number))])) as T;
}

export async function benchLedgerView(): Promise<LedgerViewRow[]> {
  const served = await serveLedgerView();
  const browser = await launchChromium();
  const rows: LedgerViewRow[] = [];
  try {
    for (const n of SIZES) {
      const name = `bench-${n}`;
      const page = await ledgerViewPage(browser, served.url);
      await fillInPage(page, name, n);
      const session = await page.context().newCDPSession(page);
      await session.send('Performance.enable', { timeDomain: 'threadTicks' });
      const cold: Awaited<ReturnType<typeof coldRender>>[] = [];
      for (let k = 0; k < REPEATS; k++) cold.push(await coldRender(page, session, name));
      await session.detach();
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
        firstRenderColdMs: cold[0]!.phases.total,
        firstColdPhasesMs: cold[0]!.phases,
        firstColdCpuMs: cold[0]!.cpu,
        coldPhasesMedianMs: medianOf(cold.map((c) => c.phases)),
        coldCpuMedianMs: medianOf(cold.map((c) => c.cpu)),
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

const cells = (xs: readonly (number | string)[], width = 10) =>
  xs.map((x) => (typeof x === 'number' ? x.toFixed(1) : x).padStart(width)).join('');

export function printLedgerView(rows: readonly LedgerViewRow[]): void {
  console.log(`\nledger view: cold first render (want ≤ ${TARGET_MS} ms at 10^5), median of ${REPEATS} reloads, ms`);
  const head = ['entries', 'reload', 'total', 'open', 'mount', 'read', 'render', 'layout'];
  const cpu = ['cpu task', 'script', 'style', 'layout'];
  console.log(cells([...head, ...cpu]));
  for (const r of rows) {
    const line = (what: string, p: FirstRenderPhases, c: CpuTime) =>
      console.log(
        cells([String(r.entries), what, p.total, p.open, p.mount, p.read, p.render, p.layout]) +
          cells([c.task, c.script, c.style, c.layout]),
      );
    line('first', r.firstColdPhasesMs, r.firstColdCpuMs);
    line('median', r.coldPhasesMedianMs, r.coldCpuMedianMs);
  }
  console.log('\nledger view: warm remount, one page read and the next page (medians, ms)');
  console.log(cells(['entries', 'remount', 'page read', 'older page'], 12));
  for (const r of rows)
    console.log(cells([String(r.entries), r.firstRenderMedianMs, r.pageReadMedianMs, r.olderPageMedianMs], 12));
  const last = rows.at(-1)!;
  const met = last.coldPhasesMedianMs.total <= TARGET_MS && last.firstRenderColdMs <= TARGET_MS;
  console.log(
    `cold first render at ${last.entries}: first ${last.firstRenderColdMs.toFixed(1)} ms, median ` +
      `${last.coldPhasesMedianMs.total.toFixed(1)} ms (want ≤ ${TARGET_MS}: ${met ? 'met' : 'NOT met'})`,
  );
}
