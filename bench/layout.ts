// Layout stability and main-thread blocking of the built app on phone widths: five cold loads
// each, from navigation through the engine's load to the first features. CLS and TBT are read
// from the page's own PerformanceObserver entries (layout-shift, longtask), as Lighthouse derives
// them; Lighthouse itself is not run. CLS is the largest session window (Chromium's definition);
// TBT sums each long task's time beyond 50 ms from first contentful paint to the first features.
import { launchChromium } from '../tests/e2e/support/browser';
import { startAppServer } from '../tests/e2e/support/app-server';
import { loadToFirstFeatures, type LayoutLoad } from '../tests/e2e/support/layout-load';
import { SKIMAGE_DIR } from '../tests/support/data-paths';

export interface LayoutRow {
  readonly width: number;
  /** 1: this machine's speed; 4: Lighthouse's mobile CPU slow-down. */
  readonly cpuThrottle: number;
  readonly loads: {
    cls: number;
    shiftSum: number;
    totalBlockingMs: number;
    longTasks: number;
    firstFeaturesMs: number;
    overflows: number;
  }[];
}

export async function benchLayout(loads: number): Promise<LayoutRow[]> {
  const server = await startAppServer();
  const browser = await launchChromium();
  const rows: LayoutRow[] = [];
  try {
    for (const cpuThrottle of [1, 4])
      for (const width of [360, 412]) {
        const row: LayoutRow = { width, cpuThrottle, loads: [] };
        for (let i = 0; i < loads; i++) {
          process.stderr.write(`bench: layout ${width} px, CPU ×${cpuThrottle}, load ${i + 1} of ${loads}\n`);
          const image = `${SKIMAGE_DIR}/chelsea.png`;
          const r: LayoutLoad = await loadToFirstFeatures(browser, server.url, width, image, undefined, cpuThrottle);
          row.loads.push({
            cls: r.cls,
            shiftSum: r.shiftSum,
            totalBlockingMs: r.totalBlockingMs,
            longTasks: r.longTasks,
            firstFeaturesMs: r.firstFeaturesMs,
            overflows: r.overflows.length,
          });
        }
        rows.push(row);
      }
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}

export function printLayout(rows: readonly LayoutRow[]): void {
  console.log('\nlayout, cold loads to the first features (production build in dist/; each load in order)');
  console.log('width  CPU   CLS (max)  CLS per load                       TBT ms per load          overflows');
  for (const r of rows) {
    const cls = r.loads.map((l) => l.cls.toFixed(4)).join(' ');
    const tbt = r.loads.map((l) => l.totalBlockingMs.toFixed(0)).join(' ');
    const worst = Math.max(...r.loads.map((l) => l.cls));
    const overflows = r.loads.reduce((s, l) => s + l.overflows, 0);
    console.log(
      `${String(r.width).padStart(5)}  ×${r.cpuThrottle}  ${worst.toFixed(4).padStart(9)}  ${cls.padEnd(33)}  ` +
        `${tbt.padEnd(23)}  ${overflows}`,
    );
  }
}
