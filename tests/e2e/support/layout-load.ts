import type { Browser, Page } from 'playwright-core';

/** One layout shift as the page's PerformanceObserver saw it, with what moved. */
export interface Shift {
  readonly value: number;
  readonly startTime: number;
  readonly hadRecentInput: boolean;
  readonly sources: string[];
}

/** An element whose box reaches past the viewport's sides (and no scrolling box of its own clips it). */
export interface Overflow {
  readonly element: string;
  readonly left: number;
  readonly right: number;
  readonly viewport: number;
}

export interface LayoutLoad {
  readonly width: number;
  /** Every layout shift from navigation to the first features, in order. */
  readonly shifts: Shift[];
  /** Their sum, counting shifts after input too (stricter than CLS). */
  readonly shiftSum: number;
  /** CLS as Chromium and Lighthouse define it: the largest session window (gaps < 1 s, ≤ 5 s) of input-free shifts. */
  readonly cls: number;
  /** Σ max(0, duration − 50 ms) of main-thread long tasks from first contentful paint to the first features. */
  readonly totalBlockingMs: number;
  readonly longTasks: number;
  /** Navigation start to the first features on the page. */
  readonly firstFeaturesMs: number;
  /** Elements past the viewport's edges, and controls whose text does not fit them, at the end. */
  readonly overflows: Overflow[];
  /** The document's scroll width against its client width (horizontal scrolling when larger). */
  readonly scrollWidth: number;
  readonly clientWidth: number;
}

/** Set before any script of the page runs, so no entry is missed (buffered observers also see earlier ones). */
const OBSERVE = `(() => {
  const shifts = [];
  const longTasks = [];
  const describe = (node) => {
    if (!node || node.nodeType !== 1) return String(node && node.nodeName);
    let host = node.getRootNode && node.getRootNode().host;
    const own = node.localName + (node.id ? '#' + node.id : '') + (node.className && typeof node.className === 'string'
      ? '.' + node.className.trim().split(/\\s+/).join('.') : '');
    return host ? host.localName + ' > ' + own : own;
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      shifts.push({ value: e.value, startTime: e.startTime, hadRecentInput: e.hadRecentInput,
        sources: (e.sources || []).map((s) => describe(s.node)) });
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ startTime: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.__layoutLoad = { shifts, longTasks };
})();`;

/**
 * Loads the app in a fresh context (cold caches, empty storage) at `width` × 800 CSS px, waits for
 * the engine to load, picks `image` and waits for its features, then reads the layout shifts, the
 * long tasks and the overflows. Nothing is timed by the caller: every figure comes from the page.
 */
export async function loadToFirstFeatures(
  browser: Browser,
  url: string,
  width: number,
  image: string,
  /** Runs on the page after the figures are read, before its context closes. */
  then?: (page: Page) => Promise<void>,
  /** CPU slow-down through CDP (Lighthouse's mobile preset uses 4); 1: none. */
  cpuThrottle = 1,
): Promise<LayoutLoad> {
  const context = await browser.newContext({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    await page.addInitScript(OBSERVE);
    if (cpuThrottle !== 1)
      await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: cpuThrottle });
    await page.goto(url);
    await page
      .locator('engine-badge')
      .getByText(/ · mobilenet_v2/)
      .waitFor({ timeout: 120_000 });
    await page.locator('#pick-images').setInputFiles(image);
    await page.locator('result-card').first().waitFor({ timeout: 120_000 });
    const layout = await readLayout(page, width);
    await then?.(page);
    return layout;
  } finally {
    await context.close();
  }
}

/**
 * What the page reports at the end. A string, like OBSERVE: the test runner's transpiler would
 * otherwise wrap the functions in helpers that do not exist in the page.
 */
const READ = `(() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0;
  const viewport = document.documentElement.clientWidth;
  const parentOf = (el) => el.parentElement ?? el.getRootNode().host ?? null;
  // Inside a box that scrolls or clips (the ledger's table), a wide child is that box's business.
  const clipped = (el) => {
    for (let p = parentOf(el); p; p = parentOf(p))
      if (p !== document.documentElement && getComputedStyle(p).overflowX !== 'visible') return true;
    return false;
  };
  const name = (el) => {
    const host = el.getRootNode().host;
    const id = el.getAttribute('data-testid');
    const own = el.localName + (el.id ? '#' + el.id : '') + (id ? '[data-testid=' + id + ']' : '');
    return host ? host.localName + ' > ' + own : own;
  };
  const all = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      all.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  const overflows = [];
  for (const el of all) {
    const r = el.getBoundingClientRect();
    // What is not drawn (a closed details' content, display: none) cannot overflow anything.
    if ((r.width === 0 && r.height === 0) || !el.checkVisibility()) continue;
    const past = r.right > viewport + 0.5 || r.left < -0.5;
    // A control narrower than its own text cuts it off (or spills it over its neighbours).
    const control = ['button', 'select', 'input', 'summary'].includes(el.localName);
    const spills = control && el.scrollWidth > el.clientWidth + 1;
    if ((past && !clipped(el)) || spills) overflows.push({ element: name(el), left: r.left, right: r.right, viewport });
  }
  return {
    shifts: window.__layoutLoad.shifts,
    longTasks: window.__layoutLoad.longTasks.filter((t) => t.startTime + t.duration > paint),
    paint,
    now: performance.now(),
    overflows,
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: viewport,
  };
})()`;

async function readLayout(page: Page, width: number): Promise<LayoutLoad> {
  // Two frames: the features' render and any shift it causes are in the entries before they are read.
  await page.evaluate(
    () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  );
  const read = (await page.evaluate(READ)) as {
    shifts: Shift[];
    longTasks: { startTime: number; duration: number }[];
    paint: number;
    now: number;
    overflows: Overflow[];
    scrollWidth: number;
    clientWidth: number;
  };
  const shiftSum = read.shifts.reduce((s, x) => s + x.value, 0);
  const blocking = read.longTasks.map((t) =>
    Math.max(0, t.startTime + t.duration - Math.max(t.startTime, read.paint) - 50),
  );
  return {
    width,
    shifts: read.shifts,
    shiftSum,
    cls: sessionWindowMax(read.shifts),
    totalBlockingMs: blocking.reduce((s, x) => s + x, 0),
    longTasks: read.longTasks.length,
    firstFeaturesMs: read.now,
    overflows: read.overflows,
    scrollWidth: read.scrollWidth,
    clientWidth: read.clientWidth,
  };
}

/** The largest sum of input-free shifts in one session window: gaps under 1 s, at most 5 s long. */
export function sessionWindowMax(shifts: readonly Shift[]): number {
  let best = 0;
  let current = 0;
  let first = -Infinity;
  let last = -Infinity;
  for (const s of shifts) {
    if (s.hadRecentInput) continue;
    if (s.startTime - last >= 1000 || s.startTime - first >= 5000) {
      current = 0;
      first = s.startTime;
    }
    current += s.value;
    last = s.startTime;
    best = Math.max(best, current);
  }
  return best;
}
