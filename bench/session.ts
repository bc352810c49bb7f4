// A 500-image session in the built app, the files picked at once as a person does, run several times
// with the bare network measured in the same browser before and after each (in its own context, so its
// own renderer). The machine is shared, so wall time moves with everyone else's load: beside each wall
// rate stand the load average and CPU time read from /proc (the renderer's, its main thread's, the
// engine worker thread's), and medians over the runs are the figures. The renderer's memory is its
// process's RSS, not the JS heap.
import { loadavg } from 'node:os';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../tests/e2e/support/browser';
import { startAppServer } from '../tests/e2e/support/app-server';
import { startDevServer } from '../tests/e2e/support/dev-server';
import { serveFixtures } from '../tests/e2e/support/fixtures';
import { countObjectUrls, holdings, makeSmallPhotos } from '../tests/e2e/support/long-session';
import type { PageHoldings } from '../tests/e2e/support/long-session';
import {
  engineMemory,
  engineThread,
  engineThreadMs,
  processMetrics,
  rendererPid,
  rssMb,
  threadCpu,
  type EngineMemory,
  type ThreadTimes,
} from './session-probes';

/** BENCH_SESSION_IMAGES picks fewer for a quick look; the targets are stated for 500. */
const IMAGES = Number(process.env['BENCH_SESSION_IMAGES'] ?? 500);
/** Whole sessions, each in a fresh context; the figures are their medians. */
const RUNS = Number(process.env['BENCH_SESSION_RUNS'] ?? 3);
/** The first and last images compared. */
const SPAN = Math.min(100, Math.floor(IMAGES / 2));
/** Bare runs (and as many pipeline runs) per measurement of the bare network. */
const BARE_ITERATIONS = 20;
/** How often the renderer's RSS is read (from /proc: the page is not asked). */
const RSS_EVERY_MS = 500;

/** The bare network on a decoded tensor, in the engine worker of the bench page. */
export interface BareRun {
  /** 1000 / mean ms of the bare runs: a rate over the same kind of span as the app's. */
  readonly imagesPerSecond: number;
  readonly meanMs: number;
  readonly medianMs: number;
  /** The same worker's pixels → vector path (no file, no decode), mean ms. */
  readonly pipelineMeanMs: number;
  /** CPU of the engine worker's thread per bare run, ms (its share of the bare and pipeline runs' CPU). */
  readonly cpuMsPerImage: number;
  readonly loadAverage: number;
}

/** One stretch of a session: the first or the last images. */
export interface Stretch {
  readonly from: number;
  readonly to: number;
  /** Results shown per second, from the stretch's first result to its last. */
  readonly imagesPerSecond: number;
  /** CPU per image: the whole renderer (page, engine and release workers, decoders), its main thread, the engine's. */
  readonly rendererCpuMsPerImage: number;
  readonly mainThreadCpuMsPerImage: number;
  readonly engineCpuMsPerImage: number;
  /** Main-thread task time (CDP TaskDuration) per image: wall time, so it grows with the load. */
  readonly mainThreadTaskMsPerImage: number;
  /** The share of one core the engine thread got: what a loaded machine takes away. */
  readonly engineCoreShare: number;
  /**
   * Of the stretch's wall time, the engine thread's share spent runnable but waiting for a core (the
   * machine's load), and spent blocked, waiting for work: an input not yet decoded, a message not yet
   * come. The bare network never waits for work, so the idle share is what the app's path costs.
   */
  readonly engineWaitShare: number;
  readonly engineIdleShare: number;
  readonly loadAverage: number;
}

export interface SessionRun {
  readonly first: Stretch;
  readonly last: Stretch;
  readonly lastOverFirst: number;
  /** Renderer CPU per image, first over last: ≥ 1 when the app does no more work per image late than early. */
  readonly cpuFirstOverLast: number;
  /** Main-thread CPU per image over each `SPAN` images. */
  readonly mainThreadCpuMsPerImage: readonly number[];
  /** Files → vectors in the app (images 2–N) and the bare network before and after. */
  readonly appImagesPerSecond: number;
  readonly bareBefore: BareRun;
  readonly bareAfter: BareRun;
  readonly appOverBare: number;
  /**
   * The same from CPU time, as on an idle two-core machine: the app's rate is bounded by its engine
   * thread and by its renderer's CPU over two cores, the bare network's by its own thread.
   */
  readonly appOverBareCpu: number;
  /** The engine thread's shares of images 1–N's wall time waiting for a core and idle (see Stretch). */
  readonly engineWaitShare: number;
  readonly engineIdleShare: number;
  readonly rendererMbAt51: number;
  readonly rendererMbAtEnd: number;
  readonly rendererMbMax51toEnd: number;
  readonly rendererGrowthMb: number;
  /** The engine worker's tfjs tensors and wasm heap after images 1 and N (a leak shows as growth). */
  readonly engineAtStart: EngineMemory;
  readonly engineAtEnd: EngineMemory;
  readonly holdingsAtEnd: PageHoldings;
}

export interface SessionResults {
  readonly images: number;
  readonly runs: readonly SessionRun[];
  /** Medians over the runs. */
  readonly lastOverFirst: number;
  readonly cpuFirstOverLast: number;
  readonly mainThreadCpuLastOverFirst: number;
  readonly appOverBare: number;
  readonly appOverBareCpu: number;
  /** The largest growth over the runs. */
  readonly rendererGrowthMb: number;
  /** The same of another build (BENCH_BASELINE_DIST), its sessions alternating with these in one run. */
  readonly baseline?: SessionResults & { readonly dist: string };
}

interface BenchWindow {
  bench: {
    bareOpen: (backend: string, url: string) => Promise<unknown>;
    bareRun: (iterations: number) => Promise<{
      bareMsPerImage: number;
      bareMeanMsPerImage: number;
      pipelineMeanMsPerImage: number;
    }>;
  };
}

interface Bare {
  readonly page: Page;
  readonly pid: number;
}

/** The bench page with the bare network loaded, in its own context. */
async function openBare(browser: Browser, context: BrowserContext, devUrl: string): Promise<Bare> {
  const page = await context.newPage();
  await serveFixtures(page, '/nonexistent');
  await page.goto(`${devUrl}/bench/page/bench.html`);
  await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', null, { timeout: 120_000 });
  await page.evaluate(() =>
    (window as unknown as BenchWindow).bench.bareOpen('wasm', '/__fixtures__/skimage/chelsea.png'),
  );
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  return { page, pid: await rendererPid(await browser.newBrowserCDPSession(), cdp) };
}

async function measureBare(bare: Bare): Promise<BareRun> {
  const loadAverage = loadavg()[0]!;
  const before = await threadCpu(bare.pid);
  const r = await bare.page.evaluate((n) => (window as unknown as BenchWindow).bench.bareRun(n), BARE_ITERATIONS);
  const engineMs = engineThreadMs(before, await threadCpu(bare.pid));
  // The bench warms each path once before timing: iterations + 1 runs of each. The thread's CPU is
  // split between them as their times are.
  const bareShare = r.bareMeanMsPerImage / (r.bareMeanMsPerImage + r.pipelineMeanMsPerImage);
  return {
    imagesPerSecond: 1000 / r.bareMeanMsPerImage,
    meanMs: r.bareMeanMsPerImage,
    medianMs: r.bareMsPerImage,
    pipelineMeanMs: r.pipelineMeanMsPerImage,
    cpuMsPerImage: (engineMs * bareShare) / (BARE_ITERATIONS + 1),
    loadAverage,
  };
}

/** Page-clock times at which results were shown: each new result on the first page makes one object URL. */
async function recordShownTimes(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const times: number[] = [];
    const create = URL.createObjectURL;
    URL.createObjectURL = (obj: Blob | MediaSource) => {
      times.push(performance.now());
      return create(obj);
    };
    (window as unknown as { shownTimes: number[] }).shownTimes = times;
  });
}

function shownTimes(page: Page, from: number): Promise<number[]> {
  return page.evaluate((i) => (window as unknown as { shownTimes: number[] }).shownTimes.slice(i), from);
}

function shownCount(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { shownTimes: number[] }).shownTimes.length);
}

/** Readings taken while a session runs, at a number of results shown. */
interface Sample {
  readonly images: number;
  readonly processMs: number;
  readonly mainMs: number;
  readonly taskMs: number;
  readonly threads: Map<number, ThreadTimes>;
  /** This process's clock, ms. */
  readonly at: number;
  readonly loadAverage: number;
}

/**
 * Waits for `count` results, then reads the CPU times. The page checks its own count (a cheap poll of
 * an array's length): a poll from here at a fixed rate would cost the main thread more per image the
 * slower images came, and so make the main thread's time per image look as if it grew.
 */
async function sampleAt(page: Page, cdp: CDPSession, pid: number, earlier: number, count: number): Promise<Sample> {
  if (count > 0)
    await page.waitForFunction(
      ([e, n]) => (window as unknown as { shownTimes: number[] }).shownTimes.length - e! >= n!,
      [earlier, count],
      { polling: 100, timeout: 1_800_000 },
    );
  const images = (await shownCount(page)) - earlier;
  const metrics = await processMetrics(cdp);
  const threads = await threadCpu(pid);
  return {
    images,
    processMs: metrics.processMs,
    // The renderer's main thread is the process's first thread (its tid is the pid).
    mainMs: threads.get(pid)?.ms ?? 0,
    taskMs: metrics.taskMs,
    threads,
    at: performance.now(),
    loadAverage: loadavg()[0]!,
  };
}

/** Per-image figures between the last sample at or before `from` images and the first at or after `to`. */
function between(samples: readonly Sample[], from: number, to: number) {
  const a = samples.filter((s) => s.images <= from).at(-1) ?? samples[0]!;
  const b = samples.find((s) => s.images >= to) ?? samples.at(-1)!;
  const n = Math.max(1, b.images - a.images);
  const engine = engineThread(a.threads, b.threads);
  const wallMs = Math.max(1, b.at - a.at);
  return {
    engineWaitShare: engine.waitMs / wallMs,
    engineIdleShare: Math.max(0, 1 - (engine.runMs + engine.waitMs) / wallMs),
    rendererCpuMsPerImage: (b.processMs - a.processMs) / n,
    mainThreadCpuMsPerImage: (b.mainMs - a.mainMs) / n,
    mainThreadTaskMsPerImage: (b.taskMs - a.taskMs) / n,
    engineCpuMsPerImage: engineThreadMs(a.threads, b.threads) / n,
    loadAverage: (a.loadAverage + b.loadAverage) / 2,
  };
}

async function runSession(
  browser: Browser,
  appUrl: string,
  bare: Bare,
  files: string[],
  earlierPids: number[],
): Promise<SessionRun> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  try {
    const page = await context.newPage();
    await countObjectUrls(page);
    await recordShownTimes(page);
    await page.goto(appUrl);
    await page.locator('engine-badge summary').waitFor({ timeout: 120_000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    // Not the bare page's renderer, nor an earlier run's (its process may still be ending).
    const pid = await rendererPid(await browser.newBrowserCDPSession(), cdp, [bare.pid, ...earlierPids]);
    earlierPids.push(pid);

    const bareBefore = await measureBare(bare);
    const earlier = await shownCount(page);
    const n = files.length;
    const samples: Sample[] = [await sampleAt(page, cdp, pid, earlier, 0)];
    await page.locator('#pick-images').setInputFiles(files);
    samples.push(await sampleAt(page, cdp, pid, earlier, 1));
    const engineAtStart = await engineMemory(page);
    samples.push(await sampleAt(page, cdp, pid, earlier, 51));
    // The renderer's RSS from image 51 to the end.
    const rss: number[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const mb = await rssMb(pid);
        if (mb > 0) rss.push(mb);
        await new Promise((r) => setTimeout(r, RSS_EVERY_MS));
      }
    })();
    const marks = new Set([...Array.from({ length: Math.floor(n / SPAN) }, (_, i) => (i + 1) * SPAN), n - SPAN, n]);
    for (const mark of [...marks].filter((m) => m > 51).sort((a, b) => a - b))
      samples.push(await sampleAt(page, cdp, pid, earlier, mark));
    reading = false;
    await reader;
    rss.push(await rssMb(pid));
    await page.locator('batch-progress').waitFor({ state: 'detached' });
    const engineAtEnd = await engineMemory(page);
    const holdingsAtEnd = await holdings(page);
    const bareAfter = await measureBare(bare);

    const times = await shownTimes(page, earlier);
    // From result `from` to result `to` (1-based): the first result's start-up is left out of the first stretch.
    const rate = (from: number, to: number) => (to - from) / ((times[to - 1]! - times[from - 1]!) / 1000);
    const stretch = (from: number, to: number): Stretch => {
      const cpu = between(samples, from, to);
      const imagesPerSecond = rate(from, to);
      return {
        from,
        to,
        imagesPerSecond,
        ...cpu,
        engineCoreShare: (cpu.engineCpuMsPerImage * imagesPerSecond) / 1000,
      };
    };
    const first = stretch(1, SPAN);
    const last = stretch(n - SPAN + 1, n);
    const mainThreadCpuMsPerImage: number[] = [];
    for (let to = SPAN; to <= n; to += SPAN)
      mainThreadCpuMsPerImage.push(between(samples, to - SPAN, to).mainThreadCpuMsPerImage);
    const whole = between(samples, 0, n);
    if (whole.engineCpuMsPerImage === 0) throw new Error(`renderer ${pid} has no engine thread: not the app's`);
    const bareCpu = (bareBefore.cpuMsPerImage + bareAfter.cpuMsPerImage) / 2;
    const appCpuBound = Math.max(whole.engineCpuMsPerImage, whole.rendererCpuMsPerImage / 2);
    const appImagesPerSecond = rate(2, n);
    const span = between(samples, 1, n);
    return {
      first,
      last,
      lastOverFirst: last.imagesPerSecond / first.imagesPerSecond,
      cpuFirstOverLast: first.rendererCpuMsPerImage / last.rendererCpuMsPerImage,
      mainThreadCpuMsPerImage,
      appImagesPerSecond,
      bareBefore,
      bareAfter,
      appOverBare: appImagesPerSecond / ((bareBefore.imagesPerSecond + bareAfter.imagesPerSecond) / 2),
      appOverBareCpu: bareCpu / appCpuBound,
      engineWaitShare: span.engineWaitShare,
      engineIdleShare: span.engineIdleShare,
      rendererMbAt51: rss[0]!,
      rendererMbAtEnd: rss.at(-1)!,
      rendererMbMax51toEnd: Math.max(...rss),
      rendererGrowthMb: rss.at(-1)! - rss[0]!,
      engineAtStart,
      engineAtEnd,
      holdingsAtEnd,
    };
  } finally {
    await context.close();
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * `runs` sessions of dist/; with `baselineDist` (another build's dist/), as many of that build, which goes
 * first alternating, so the machine's load falls on both alike and each pair can be compared.
 */
export async function benchSession(
  images = IMAGES,
  runs = RUNS,
  baselineDist = process.env['BENCH_BASELINE_DIST'],
): Promise<SessionResults> {
  const files = await makeSmallPhotos(images);
  const dev = await startDevServer();
  const server = await startAppServer();
  const base = baselineDist ? await startAppServer({ dist: baselineDist }) : undefined;
  const browser: Browser = await launchChromium();
  try {
    process.stderr.write('bench: session, loading the bare network\n');
    const bare = await openBare(browser, await browser.newContext(), dev.url);
    const done: SessionRun[] = [];
    const baseDone: SessionRun[] = [];
    const pids: number[] = [];
    for (let i = 0; i < runs; i++) {
      const order = base ? (i % 2 ? [base, server] : [server, base]) : [server];
      for (const app of order) {
        const which = app === base ? 'the baseline' : 'the app';
        process.stderr.write(`bench: session, run ${i + 1} of ${runs}: ${images} images in ${which}\n`);
        try {
          (app === base ? baseDone : done).push(await runSession(browser, app.url, bare, files, pids));
        } catch (err) {
          // One run lost (a renderer not found, a timeout) leaves the others' figures standing.
          process.stderr.write(`bench: session, run ${i + 1} of ${which} failed: ${(err as Error).message}\n`);
        }
      }
    }
    return {
      ...summarise(images, done),
      ...(baselineDist ? { baseline: { dist: baselineDist, ...summarise(images, baseDone) } } : {}),
    };
  } finally {
    await browser.close();
    await server.close();
    await base?.close();
    await dev.close();
  }
}

function summarise(images: number, done: readonly SessionRun[]): SessionResults {
  if (done.length === 0) throw new Error('no session run completed');
  const m = (f: (r: SessionRun) => number) => median(done.map(f));
  return {
    images,
    runs: done,
    lastOverFirst: m((r) => r.lastOverFirst),
    cpuFirstOverLast: m((r) => r.cpuFirstOverLast),
    mainThreadCpuLastOverFirst: m((r) => r.last.mainThreadCpuMsPerImage / r.first.mainThreadCpuMsPerImage),
    appOverBare: m((r) => r.appOverBare),
    appOverBareCpu: m((r) => r.appOverBareCpu),
    rendererGrowthMb: Math.max(...done.map((r) => r.rendererGrowthMb)),
  };
}

export function printSession(r: SessionResults, which = 'the app (production build'): void {
  const f = (x: number, d = 1) => x.toFixed(d);
  const check = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(`\n${r.images}-image session in ${which}, files picked at once), ${r.runs.length} runs`);
  console.log(
    'run stretch   img/s  load   renderer CPU ms/img  main CPU ms/img  engine CPU ms/img  engine core share' +
      '  main task ms/img  engine waits core/work',
  );
  r.runs.forEach((run, i) => {
    for (const s of [run.first, run.last])
      console.log(
        [
          String(i + 1).padEnd(3),
          `${s.from}–${s.to}`.padEnd(9),
          f(s.imagesPerSecond).padStart(5),
          f(s.loadAverage).padStart(5),
          f(s.rendererCpuMsPerImage).padStart(20),
          f(s.mainThreadCpuMsPerImage).padStart(16),
          f(s.engineCpuMsPerImage).padStart(18),
          f(s.engineCoreShare, 2).padStart(18),
          f(s.mainThreadTaskMsPerImage).padStart(17),
          `${f(s.engineWaitShare, 2)}/${f(s.engineIdleShare, 2)}`.padStart(23),
        ].join(' '),
      );
  });
  console.log(
    'run  app img/s  bare img/s (before/after, load)  bare CPU ms/img  app/bare  app/bare (CPU)' +
      '  RSS 51→end MB  engine tensors/wasm MB',
  );
  r.runs.forEach((run, i) => {
    const { bareBefore: b0, bareAfter: b1, engineAtStart: e0, engineAtEnd: e1 } = run;
    console.log(
      [
        String(i + 1).padEnd(4),
        f(run.appImagesPerSecond).padStart(9),
        `${f(b0.imagesPerSecond)}/${f(b1.imagesPerSecond)} (${f(b0.loadAverage)}/${f(b1.loadAverage)})`.padStart(33),
        `${f(b0.cpuMsPerImage)}/${f(b1.cpuMsPerImage)}`.padStart(15),
        f(run.appOverBare, 3).padStart(9),
        f(run.appOverBareCpu, 3).padStart(15),
        `${f(run.rendererMbAt51, 0)}→${f(run.rendererMbAtEnd, 0)} (max ${f(run.rendererMbMax51toEnd, 0)})`.padStart(22),
        `${e0.numTensors}/${f(e0.wasmHeapMb, 0)} → ${e1.numTensors}/${f(e1.wasmHeapMb, 0)}`.padStart(23),
      ].join(' '),
    );
  });
  const perSpan = r.runs.map((run) => run.mainThreadCpuMsPerImage.map((x) => f(x)).join(' '));
  console.log(`main-thread CPU ms/image per ${SPAN} images: ${perSpan.join(' | ')}`);
  console.log('measure (median of the runs)                     value       target');
  const rows: [string, string, string, string][] = [
    [`last ${SPAN} / first ${SPAN} (img/s, wall)`, f(r.lastOverFirst, 3), '>= 0.9', check(r.lastOverFirst >= 0.9)],
    [`renderer CPU/image, first / last`, f(r.cpuFirstOverLast, 3), '>= 0.9', check(r.cpuFirstOverLast >= 0.9)],
    ['main-thread CPU/image, last / first', f(r.mainThreadCpuLastOverFirst, 3), 'flat', ''],
    ['app / bare (img/s, wall)', f(r.appOverBare, 3), '>= 0.9', check(r.appOverBare >= 0.9)],
    [
      'app / bare (CPU, as on an idle 2-core machine)',
      f(r.appOverBareCpu, 3),
      '>= 0.9',
      check(r.appOverBareCpu >= 0.9),
    ],
    ['renderer growth 51–end, largest (MB)', f(r.rendererGrowthMb), '<= 100', check(r.rendererGrowthMb <= 100)],
  ];
  for (const [a, b, c, d] of rows) console.log(`${a.padEnd(48)} ${b.padEnd(11)} ${c.padEnd(8)} ${d}`);
  const at = r.runs.at(-1)!.holdingsAtEnd;
  console.log(`cards / live object URLs at the end of the last run: ${at.cards} / ${at.liveObjectUrls}`);
  if (r.baseline) {
    printSession(r.baseline, `the baseline (${r.baseline.dist}`);
    console.log(
      '\nrun  app/bare (wall): this / baseline   app/bare (CPU): this / baseline' +
        '   engine waits for work: this / baseline',
    );
    r.runs.forEach((run, i) => {
      const b = r.baseline!.runs[i];
      if (!b) return;
      console.log(
        [
          String(i + 1).padEnd(4),
          `${f(run.appOverBare, 3)} / ${f(b.appOverBare, 3)}`.padStart(33),
          `${f(run.appOverBareCpu, 3)} / ${f(b.appOverBareCpu, 3)}`.padStart(33),
          `${f(run.engineIdleShare, 3)} / ${f(b.engineIdleShare, 3)}`.padStart(40),
        ].join(' '),
      );
    });
  }
}
