// First load: bytes a first visit downloads (from dist/), cold time to the first vector in
// fresh browser contexts (cut vs full model), and tfjs-wasm threaded against single-thread,
// all on production builds and interleaved in one run so machine load hits each side alike.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../tests/e2e/support/browser';
import { serveFixtures } from '../tests/e2e/support/fixtures';
import { buildPages, startPlainServer } from '../tests/e2e/support/production-build';
import { startStaticServer } from '../scripts/static-server';
import type { api as threadsApi, ThreadsRun } from '../tests/e2e/pages/threads-page';
import { measureFirstLoadBytes, type FirstLoadBytes } from './first-load-bytes';
import {
  measureColdFeatures,
  measureEngineWorker,
  measureWireBytes,
  WIRE_TARGETS,
  type ColdFeatures,
  type EngineWorkerBytes,
  type WireBytes,
} from './first-load-wire';
import { printWaterfall } from './first-load-waterfall';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PHOTO = 'skimage/chelsea.png';
/** Cold starts on loopback would hide the download; BENCH_THROTTLE=0 turns the emulated network off. */
const THROTTLE = process.env['BENCH_THROTTLE'] === '0' ? undefined : { mbitPerSecond: 20, rttMs: 40 };

export interface ColdStart {
  firstVectorMs: number;
  readyMs: number;
  modelFetchMs: number;
  modelBuildMs: number;
}

export interface ThreadsRow {
  readonly label: string;
  readonly isolated: boolean;
  readonly threads: number;
  readonly firstVectorMs: number;
  readonly msPerImage: number;
}

export interface FirstLoadResults {
  readonly bytes: FirstLoadBytes;
  /** Measured through the static server with its compression and caching: first and second visit. */
  readonly wire: WireBytes;
  /** The app itself, fresh profile, 20 Mbit/s: navigation to the first picked image's features. */
  readonly coldFeatures: ColdFeatures;
  /** The engine worker's entry chunk and its static imports, as a first visit fetches them. */
  readonly engineWorker: EngineWorkerBytes;
  readonly coldStart: {
    readonly rounds: number;
    /** Network emulated for the cold starts (the static server sends files uncompressed); none on loopback. */
    readonly network: string;
    readonly cut: ColdStart;
    readonly full: ColdStart;
  };
  readonly threads: { readonly rounds: number; readonly imagesPerRound: number; readonly rows: ThreadsRow[] };
}

export async function benchFirstLoad(rounds: number, imagesPerRound: number): Promise<FirstLoadResults> {
  if (!existsSync(resolve(root, 'dist', 'index.html'))) {
    process.stderr.write('bench: building dist/\n');
    await build({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'error' });
  }
  const bytes = await measureFirstLoadBytes(resolve(root, 'dist'));
  process.stderr.write('bench: building the first-load and threads pages (production build)\n');
  const outDir = await buildPages(['bench/page/first-load.html', 'tests/e2e/pages/threads.html']);
  const isolated = await startStaticServer({ root: outDir, collectorUrl: 'http://127.0.0.1:9' });
  const plain = await startPlainServer(outDir);
  const browser = await launchChromium();
  try {
    process.stderr.write('bench: bytes over the wire, first and second visit\n');
    const wire = await measureWireBytes(browser, resolve(root, 'dist'));
    process.stderr.write('bench: cold first features in the app at 20 Mbit/s\n');
    const coldFeatures = await measureColdFeatures(browser, resolve(root, 'dist'), rounds);
    const engineWorker = await measureEngineWorker(resolve(root, 'dist'));
    const cut: ColdStart[] = [];
    const full: ColdStart[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternating which goes first cancels any cost one run leaves to the next.
      for (const which of r % 2 ? (['full', 'cut'] as const) : (['cut', 'full'] as const)) {
        process.stderr.write(`bench: cold start ${r + 1}/${rounds}, ${which} model\n`);
        (which === 'cut' ? cut : full).push(await coldStart(browser, isolated.url, which, outDir));
      }
    }
    const variants = [
      { label: 'isolated, 1 thread (threaded build)', url: isolated.url, threads: 1 },
      { label: 'isolated, 2 threads (forced)', url: isolated.url, threads: 2 },
      { label: 'not isolated (SIMD build)', url: plain.url, threads: undefined },
    ];
    const runs: ThreadsRun[][] = variants.map(() => []);
    for (let r = 0; r < rounds; r++) {
      const order = variants.map((_, i) => (i + r) % variants.length);
      for (const i of order) {
        process.stderr.write(`bench: threads ${r + 1}/${rounds}, ${variants[i]!.label}\n`);
        runs[i]!.push(await threadsRun(browser, variants[i]!.url, variants[i]!.threads, imagesPerRound, outDir));
      }
    }
    return {
      bytes,
      wire,
      coldFeatures,
      engineWorker,
      coldStart: {
        rounds,
        network: THROTTLE ? `${THROTTLE.mbitPerSecond} Mbit/s, ${THROTTLE.rttMs} ms RTT (emulated)` : 'loopback',
        cut: medianOf(cut),
        full: medianOf(full),
      },
      threads: {
        rounds,
        imagesPerRound,
        rows: variants.map((v, i) => ({
          label: v.label,
          isolated: runs[i]![0]!.isolated,
          threads: runs[i]![0]!.threads,
          firstVectorMs: median(runs[i]!.map((x) => x.firstVectorMs)),
          msPerImage: median(runs[i]!.map((x) => x.msPerImage)),
        })),
      },
    };
  } finally {
    await browser.close();
    await isolated.close();
    await plain.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

/**
 * The first visit alone (`npm run bench -- wire`): bytes over the wire, cold first features with what they
 * waited for, engine size. BENCH_BASELINE_DIST=<another build's dist/> times that build's cold first features
 * in the same run, interleaved.
 */
export async function benchWire(
  rounds: number,
): Promise<Pick<FirstLoadResults, 'wire' | 'coldFeatures' | 'engineWorker'>> {
  if (!existsSync(resolve(root, 'dist', 'index.html'))) {
    process.stderr.write('bench: building dist/\n');
    await build({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'error' });
  }
  const browser = await launchChromium();
  try {
    const dist = resolve(root, 'dist');
    process.stderr.write('bench: bytes over the wire, first and second visit\n');
    const wire = await measureWireBytes(browser, dist);
    const baseline = process.env['BENCH_BASELINE_DIST'];
    process.stderr.write(
      `bench: cold first features in the app at 20 Mbit/s${baseline ? `, beside ${baseline}` : ''}\n`,
    );
    const coldFeatures = await measureColdFeatures(browser, dist, rounds, baseline);
    return { wire, coldFeatures, engineWorker: await measureEngineWorker(dist) };
  } finally {
    await browser.close();
  }
}

/** A fresh context (empty HTTP cache, no IndexedDB): the page, its worker, WASM, model, one vector. */
async function coldStart(browser: Browser, baseUrl: string, model: 'cut' | 'full', outDir: string): Promise<ColdStart> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await serveFixtures(page, outDir);
    if (THROTTLE) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: THROTTLE.rttMs,
        downloadThroughput: (THROTTLE.mbitPerSecond * 1e6) / 8,
        uploadThroughput: (THROTTLE.mbitPerSecond * 1e6) / 8,
      });
    }
    await page.goto(`${baseUrl}/bench/page/first-load.html?model=${model}`);
    const r = await page.evaluate(
      () => (window as unknown as { firstLoad: Promise<ColdStart & { dims: number }> }).firstLoad,
    );
    if (r.dims !== 96) throw new Error(`expected 96 dims from the ${model} model, got ${r.dims}`);
    return {
      firstVectorMs: r.firstVectorMs,
      readyMs: r.readyMs,
      modelFetchMs: r.modelFetchMs,
      modelBuildMs: r.modelBuildMs,
    };
  } finally {
    await context.close();
  }
}

async function threadsRun(
  browser: Browser,
  baseUrl: string,
  threads: number | undefined,
  images: number,
  outDir: string,
): Promise<ThreadsRun> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await serveFixtures(page, outDir);
    await page.goto(`${baseUrl}/tests/e2e/pages/threads.html`);
    await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true');
    return await page.evaluate(
      ([n, photo, repeat]) =>
        (window as unknown as { threads: typeof threadsApi }).threads.run(n ?? undefined, [photo], repeat),
      [threads ?? null, PHOTO, images] as const,
    );
  } finally {
    await context.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function medianOf(runs: ColdStart[]): ColdStart {
  return {
    firstVectorMs: median(runs.map((r) => r.firstVectorMs)),
    readyMs: median(runs.map((r) => r.readyMs)),
    modelFetchMs: median(runs.map((r) => r.modelFetchMs)),
    modelBuildMs: median(runs.map((r) => r.modelBuildMs)),
  };
}

const kib = (b: number) => (b / 1024).toFixed(1);

export function printFirstLoad(r: FirstLoadResults): void {
  const b = r.bytes;
  console.log('\nfirst-load bytes (production build in dist/; KiB)');
  console.log('part                                         raw      gzip');
  const row = (name: string, x: { raw: number; gzip: number } | 'n/a') =>
    console.log(
      x === 'n/a'
        ? `${name.padEnd(40)} ${'n/a'.padStart(8)} ${'n/a'.padStart(9)}`
        : `${name.padEnd(40)} ${kib(x.raw).padStart(8)} ${kib(x.gzip).padStart(9)}`,
    );
  row('app (index.html, entry script, CSS)', b.app);
  for (const [name, x] of Object.entries(b.workers)) row(`worker chunk ${name}`, x);
  row('wasm: SIMD (pages not isolated)', b.wasm.simd);
  row('wasm: threaded SIMD (isolated pages)', b.wasm.threadedSimd);
  row('wasm: plain (no SIMD; rare)', b.wasm.plain);
  row('pthread scripts (isolated pages)', b.pthreadScripts);
  row('model cut at block_12_add', b.model.cut);
  row('model, full', b.model.full);
  row('widget loader (widget.js)', b.widgetLoader);
  row('first visit, isolated, cut model', b.totalIsolated.cut);
  row('first visit, isolated, full model', b.totalIsolated.full);
  row('first visit, not isolated, cut model', b.totalNotIsolated.cut);
  row('first visit, not isolated, full model', b.totalNotIsolated.full);
  printWire(r);
  const c = r.coldStart;
  console.log(
    `\ncold time to the first vector (fresh context each, median of ${c.rounds}; ` +
      `ms from navigation start; ${c.network})`,
  );
  console.log('model   first vector   engine ready   model fetch   build+warm');
  for (const [name, x] of [
    ['cut', c.cut],
    ['full', c.full],
  ] as const) {
    const ms = (v: number, width: number) => v.toFixed(0).padStart(width);
    const times = [ms(x.firstVectorMs, 13), ms(x.readyMs, 14), ms(x.modelFetchMs, 13), ms(x.modelBuildMs, 12)];
    console.log(`${name.padEnd(6)} ${times.join(' ')}`);
  }
  const t = r.threads;
  console.log(`\ntfjs-wasm threads (median of ${t.rounds} rounds; ms/image = median of ${t.imagesPerRound} images)`);
  console.log('variant                                threads  first vector   ms/image');
  for (const x of t.rows) {
    const first = x.firstVectorMs.toFixed(0).padStart(13);
    console.log(
      `${x.label.padEnd(38)} ${String(x.threads).padStart(7)} ${first} ${x.msPerImage.toFixed(1).padStart(10)}`,
    );
  }
}

/** The issue's first-visit targets beside what was measured. */
export function printWire(r: Pick<FirstLoadResults, 'wire' | 'coldFeatures' | 'engineWorker'>): void {
  const t = WIRE_TARGETS;
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `\nfirst visit over the wire (npm start's server, all headers; ${r.coldFeatures.network} for the cold start)`,
  );
  console.log('measure                               measured      target   verdict');
  const row = (name: string, measured: string, target: string, ok: boolean) =>
    console.log(`${name.padEnd(36)} ${measured.padStart(9)} ${target.padStart(11)}   ${verdict(ok)}`);
  row(
    'first visit, bytes',
    String(r.wire.firstVisit),
    `<= ${t.firstVisitBytes}`,
    r.wire.firstVisit <= t.firstVisitBytes,
  );
  row(
    'second visit, bytes',
    String(r.wire.secondVisit),
    `<= ${t.secondVisitBytes}`,
    r.wire.secondVisit <= t.secondVisitBytes,
  );
  row(
    `cold first features, ms (median of ${r.coldFeatures.rounds})`,
    r.coldFeatures.firstFeaturesMs.toFixed(0),
    `<= ${t.coldFeaturesMs}`,
    r.coldFeatures.firstFeaturesMs <= t.coldFeaturesMs,
  );
  const c = r.coldFeatures;
  const loads = (x: readonly number[]) => x.map((l) => l.toFixed(1)).join(' ');
  const runs = (x: readonly number[]) => x.map((ms) => ms.toFixed(0)).join(' ');
  console.log(`cold runs, ms: ${runs(c.runsMs)} (load average before each: ${loads(c.loadAverages)})`);
  if (c.baseline) {
    const b = c.baseline;
    console.log(`baseline ${b.dist}, interleaved: median ${b.firstFeaturesMs.toFixed(0)} ms; runs ${runs(b.runsMs)}`);
    console.log(
      `  (load average before each: ${loads(b.loadAverages)}); this build / baseline = ` +
        `${(c.firstFeaturesMs / b.firstFeaturesMs).toFixed(2)}`,
    );
  }
  const e = r.engineWorker;
  console.log(`engine worker (${e.files.length} chunks at start): ${kib(e.raw)} KiB raw, ${kib(e.brotli)} KiB brotli`);
  printWaterfall(c.waterfall, 'what the median cold run waited for (ms from navigation start)');
  if (c.baseline) printWaterfall(c.baseline.waterfall, "the baseline's median cold run");
}
