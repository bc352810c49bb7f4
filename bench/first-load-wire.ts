// Bytes over the wire for the production app (dist/) as `npm start` serves it: a first visit in a
// fresh browser profile (the page, its workers and the service worker's precache) and a second
// visit in the same profile. A counting TCP proxy in front of the static server sees every byte any
// of them receives, headers included, whatever Chromium reports per target. Also the cold time from
// navigation to the first image's features in the app, on an emulated 20 Mbit/s line.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { brotliCompressSync, constants } from 'node:zlib';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import type { Browser } from 'playwright-core';
import { startStaticServer } from '../scripts/static-server';
import { SKIMAGE_DIR } from '../tests/support/data-paths';
import { readWaterfall, type WaterfallRow } from './first-load-waterfall';

export interface WireBytes {
  /** Fresh profile: until the engine is ready, the service worker controls the page and the WASM build is kept. */
  readonly firstVisit: number;
  /** Same profile, a new tab: until the engine is ready and the service worker has checked for an update. */
  readonly secondVisit: number;
}

/** Forwards to `port`, counting the bytes sent back to the browser. */
async function countingProxy(port: number): Promise<{ server: Server; port: number; taken: () => number }> {
  let bytes = 0;
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    upstream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const taken = () => {
    const n = bytes;
    bytes = 0;
    return n;
  };
  return { server, port: (server.address() as AddressInfo).port, taken };
}

export async function measureWireBytes(browser: Browser, dist: string): Promise<WireBytes> {
  const app = await startStaticServer({ root: dist, collectorUrl: 'http://127.0.0.1:9' });
  const proxy = await countingProxy(app.port);
  const context = await browser.newContext();
  try {
    const url = `http://127.0.0.1:${proxy.port}/`;
    const first = await context.newPage();
    await first.goto(url);
    await first.locator('engine-badge summary').waitFor({ timeout: 120_000 });
    await first.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 120_000 });
    // The engine stores its WASM build once it ran; until then the first visit is not over.
    for (const end = Date.now() + 60_000; Date.now() < end;) {
      const kept = await first.evaluate(async () => (await (await caches.open('obscura-wasm-v1')).keys()).length);
      if (kept > 0) break;
    }
    await first.close();
    const firstVisit = proxy.taken();
    const second = await context.newPage();
    await second.goto(url);
    await second.locator('engine-badge summary').waitFor({ timeout: 120_000 });
    // The update check a navigation makes, awaited so its bytes are counted.
    await second.evaluate(async () => void (await (await navigator.serviceWorker.ready).update()));
    await second.close();
    return { firstVisit, secondVisit: proxy.taken() };
  } finally {
    await context.close();
    proxy.server.close();
    await app.close();
  }
}

/** The emulated line for cold starts (CDP network throttling). */
export const SLOW_LINE = { mbitPerSecond: 20, rttMs: 40 } as const;

export interface ColdFeatures {
  readonly network: string;
  readonly rounds: number;
  /** Median ms from navigation start to the first picked image's result in a fresh profile. */
  readonly firstFeaturesMs: number;
  readonly runsMs: readonly number[];
  /** The 1-minute load average before each run (two cores shared with other work). */
  readonly loadAverages: readonly number[];
  /** What the median run waited for, request by request and step by step. */
  readonly waterfall: readonly WaterfallRow[];
  /** The same, measured in the same run interleaved with these, for a build given as BENCH_BASELINE_DIST. */
  readonly baseline?: Omit<ColdFeatures, 'baseline' | 'network' | 'rounds'> & { readonly dist: string };
}

interface ColdRun {
  readonly ms: number;
  readonly load: number;
  readonly waterfall: WaterfallRow[];
}

/**
 * A fresh profile opens the app on the slow line and picks a photograph at once; the time runs from
 * navigation start until its result (features, clean and noisy) is shown. CDP emulates the line on the
 * page's target; Chromium applies it to the page's dedicated workers too. With a baseline build, its runs
 * alternate with these (which goes first alternates too), so the machine's load falls on both alike.
 */
export async function measureColdFeatures(
  browser: Browser,
  dist: string,
  rounds: number,
  baselineDist?: string,
): Promise<ColdFeatures> {
  const app = await startStaticServer({ root: dist, collectorUrl: 'http://127.0.0.1:9' });
  const base = baselineDist
    ? await startStaticServer({ root: baselineDist, collectorUrl: 'http://127.0.0.1:9' })
    : undefined;
  const runs: ColdRun[] = [];
  const baseRuns: ColdRun[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const order = base ? (r % 2 ? [base, app] : [app, base]) : [app];
      for (const server of order) (server === app ? runs : baseRuns).push(await coldRun(browser, server.url));
    }
  } finally {
    await app.close();
    await base?.close();
  }
  return {
    network: `${SLOW_LINE.mbitPerSecond} Mbit/s, ${SLOW_LINE.rttMs} ms RTT (CDP emulated)`,
    rounds,
    ...summary(runs),
    ...(baselineDist ? { baseline: { dist: baselineDist, ...summary(baseRuns) } } : {}),
  };
}

function summary(
  runs: readonly ColdRun[],
): Pick<ColdFeatures, 'firstFeaturesMs' | 'runsMs' | 'loadAverages' | 'waterfall'> {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const m = Math.floor(sorted.length / 2);
  return {
    firstFeaturesMs: sorted.length % 2 ? sorted[m]!.ms : (sorted[m - 1]!.ms + sorted[m]!.ms) / 2,
    runsMs: runs.map((r) => r.ms),
    loadAverages: runs.map((r) => r.load),
    waterfall: sorted[m]!.waterfall,
  };
}

async function coldRun(browser: Browser, url: string): Promise<ColdRun> {
  const load = loadavg()[0]!;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const conditions = {
      offline: false,
      latency: SLOW_LINE.rttMs,
      downloadThroughput: (SLOW_LINE.mbitPerSecond * 1e6) / 8,
      uploadThroughput: (SLOW_LINE.mbitPerSecond * 1e6) / 8,
    };
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', conditions);
    await page.goto(`${url}/`, { waitUntil: 'commit' });
    await page.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
    // Seen from inside the page, at the first frame that holds the card: waiting from here and then
    // asking the page for its clock added two round trips through a loaded machine (up to 600 ms).
    const shown = await page.waitForFunction(
      () => (document.querySelector('obscura-app')?.shadowRoot?.querySelector('result-card') ? performance.now() : 0),
      undefined,
      { polling: 'raf', timeout: 120_000 },
    );
    const ms = (await shown.jsonValue()) as number;
    // Read after the time is taken: reading the timelines costs the run nothing.
    return { ms, load, waterfall: await readWaterfall(page, ms) };
  } finally {
    await context.close();
  }
}

/** The engine worker as a first visit loads it: its entry chunk and the chunks it imports statically. */
export interface EngineWorkerBytes {
  readonly files: readonly string[];
  readonly raw: number;
  readonly brotli: number;
}

export async function measureEngineWorker(dist: string): Promise<EngineWorkerBytes> {
  const assets = join(dist, 'assets');
  const entry = (await readdir(assets)).find((f) => /^engine\.worker-[\w-]+\.js$/.test(f));
  if (!entry) throw new Error(`no engine worker in ${assets}`);
  const files: string[] = [];
  const stack = [entry];
  let raw = 0;
  let brotli = 0;
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    const body = await readFile(join(assets, file));
    raw += body.length;
    brotli += brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    // Static imports only (`import{…}from"./x.js"`); `import(\`./x.js\`)` is fetched on demand.
    for (const m of body.toString('utf8').matchAll(/(?:^|[;}\s])import\s*(?:[^"'`()]*?from\s*)?"\.\/([\w.-]+\.js)"/g))
      stack.push(m[1]!);
  }
  return { files, raw, brotli };
}

/** What the issue asks of a first visit, checked on the measured figures. */
export const WIRE_TARGETS = { firstVisitBytes: 1_200_000, secondVisitBytes: 20_000, coldFeaturesMs: 1000 } as const;
