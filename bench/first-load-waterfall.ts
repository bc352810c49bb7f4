// What a cold first visit waits for, in order: every request of the page and of the engine worker
// (Resource Timing, each realm's own clock put on the page's), the app's and the engine's marks
// (obscura:app:*, obscura:engine:*, see src/engine/worker/startup-marks.ts), and the moment the first
// picked image's result card showed. One traced visit on the emulated slow line, beside the timed ones.
import type { Page } from 'playwright-core';

export interface WaterfallRow {
  /** `page` or `engine` (the engine worker). */
  readonly realm: string;
  /** A path, or a mark's name. */
  readonly what: string;
  /** ms from navigation start. */
  readonly startMs: number;
  /** ms from navigation start; equal to startMs for a mark. */
  readonly endMs: number;
  /** Bytes over the wire (headers and body); 0 from a cache, undefined for a mark. */
  readonly bytes?: number;
}

interface RealmTimeline {
  readonly origin: number;
  readonly entries: { name: string; type: string; start: number; end: number; bytes?: number }[];
}

/** Runs in the page and in the worker: their own timeline, with absolute time origin. */
function readTimeline(): RealmTimeline {
  const entries = performance.getEntries().flatMap((e) => {
    if (e.entryType === 'mark' && e.name.startsWith('obscura:'))
      return [{ name: e.name, type: 'mark', start: e.startTime, end: e.startTime }];
    if (e.entryType === 'resource' || e.entryType === 'navigation') {
      const r = e as PerformanceResourceTiming;
      return [{ name: r.name, type: e.entryType, start: r.startTime, end: r.responseEnd, bytes: r.transferSize }];
    }
    if (e.entryType === 'paint') return [{ name: e.name, type: 'mark', start: e.startTime, end: e.startTime }];
    return [];
  });
  return { origin: performance.timeOrigin, entries };
}

/** The page's and the engine worker's timelines, on the page's clock, in order of start. */
export async function readWaterfall(page: Page, shownMs: number): Promise<WaterfallRow[]> {
  const pageTimeline = await page.evaluate(readTimeline);
  const realms: [string, RealmTimeline][] = [['page', pageTimeline]];
  const engine = page.workers().find((w) => /engine\.worker-[\w-]+\.js$/.test(w.url()));
  if (engine) realms.push(['engine', await engine.evaluate(readTimeline)]);
  const rows: WaterfallRow[] = [];
  for (const [realm, t] of realms) {
    const shift = t.origin - pageTimeline.origin;
    // A worker's clock starts when its global scope is made: before its script is fetched, parsed and run.
    if (realm !== 'page') rows.push({ realm, what: 'worker global scope made', startMs: shift, endMs: shift });
    for (const e of t.entries) {
      const what = e.type === 'mark' ? e.name : new URL(e.name).pathname;
      const row = { realm, what, startMs: e.start + shift, endMs: e.end + shift };
      rows.push(e.bytes === undefined ? row : { ...row, bytes: e.bytes });
    }
  }
  rows.push({ realm: 'page', what: 'result card shown', startMs: shownMs, endMs: shownMs });
  return rows.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

export function printWaterfall(rows: readonly WaterfallRow[], title: string): void {
  console.log(`\n${title}`);
  console.log('realm    start ms   end ms      bytes  what');
  for (const r of rows) {
    const bytes = r.bytes === undefined ? '' : String(r.bytes);
    const end = r.endMs === r.startMs ? '' : r.endMs.toFixed(0);
    console.log(
      `${r.realm.padEnd(7)} ${r.startMs.toFixed(0).padStart(9)} ${end.padStart(8)} ${bytes.padStart(10)}  ${r.what}`,
    );
  }
}
