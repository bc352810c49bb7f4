// A 500-image session in the built app (files picked at once, as a person does): throughput of the
// first and last 100 images, main-thread time per image, the renderer's memory over images 51–500,
// and the app's files → vectors rate beside the bare network's rate on tensors already decoded
// (tfjs predict in the engine worker), both in this run.
import { readFile } from 'node:fs/promises';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../tests/e2e/support/browser';
import { startAppServer } from '../tests/e2e/support/app-server';
import { startDevServer } from '../tests/e2e/support/dev-server';
import { serveFixtures } from '../tests/e2e/support/fixtures';
import { countObjectUrls, holdings, makeSmallPhotos, type PageHoldings } from '../tests/e2e/support/long-session';

const IMAGES = 500;
/** Medians of this many bare runs, before and after the session. */
const BARE_ITERATIONS = 30;

interface Sample {
  readonly images: number;
  readonly atMs: number;
  /** Main-thread task time of the page so far (CDP Performance.getMetrics TaskDuration), ms. */
  readonly mainThreadMs: number;
  /** RSS of the renderer running the page and its engine worker, and of every renderer, MB. */
  readonly rendererMb: number;
  readonly allRenderersMb: number;
}

export interface SessionResults {
  readonly images: number;
  readonly imagesPerSecondFirst100: number;
  readonly imagesPerSecondLast100: number;
  readonly lastOverFirst: number;
  /** Main-thread ms per image over each 100 images. */
  readonly mainThreadMsPerImage: readonly number[];
  readonly rendererMbAt51: number;
  readonly rendererMbAt500: number;
  readonly rendererMbMax51to500: number;
  readonly rendererGrowthMb: number;
  readonly allRenderersGrowthMb: number;
  /** Files → vectors in the app (images 2–500) and the bare network on a decoded tensor (before and after). */
  readonly appImagesPerSecond: number;
  readonly bareImagesPerSecond: number;
  readonly bareMsBefore: number;
  readonly bareMsAfter: number;
  readonly appOverBare: number;
  readonly holdingsAt500: PageHoldings;
  readonly samples: readonly Sample[];
}

async function rssMb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0; // the process ended
  }
}

/** The renderers, by pid with their CPU time (the page's is the one running the network). */
async function renderers(browser: CDPSession): Promise<{ id: number; cpuTime: number }[]> {
  const { processInfo } = (await browser.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number; cpuTime: number }[];
  };
  return processInfo.filter((p) => p.type === 'renderer');
}

/** The bare network's ms/image on a ready tensor, in the engine worker (the bench page on the dev server). */
async function bareMsPerImage(browser: Browser, devUrl: string): Promise<number> {
  const page = await browser.newPage();
  try {
    await serveFixtures(page, '/nonexistent');
    await page.goto(`${devUrl}/bench/page/bench.html`);
    await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', null, { timeout: 120_000 });
    const r = await page.evaluate(
      ([n]) =>
        (
          window as unknown as {
            bench: { perImage: (...a: unknown[]) => Promise<{ bareMsPerImage: number }> };
          }
        ).bench.perImage('wasm', '/__fixtures__/skimage/chelsea.png', 1, n),
      [BARE_ITERATIONS] as const,
    );
    return r.bareMsPerImage;
  } finally {
    await page.close();
  }
}

/** Times (page clock) at which each result was shown: each new result on the first page makes one object URL. */
function shownTimes(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { objectUrlTimes: number[] }).objectUrlTimes.slice());
}

async function runSession(browser: Browser, files: string[]): Promise<Omit<SessionResults, 'bareMsBefore'>> {
  const server = await startAppServer();
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  try {
    const page = await context.newPage();
    await countObjectUrls(page);
    await page.addInitScript(() => {
      const times: number[] = [];
      const create = URL.createObjectURL;
      URL.createObjectURL = (obj: Blob | MediaSource) => {
        times.push(performance.now());
        return create(obj);
      };
      (window as unknown as { objectUrlTimes: number[] }).objectUrlTimes = times;
    });
    await page.goto(server.url);
    await page.locator('engine-badge summary').waitFor({ timeout: 120_000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const browserCdp = await browser.newBrowserCDPSession();
    const taskMs = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return 1000 * (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0);
    };
    const resultCount = () => holdings(page).then((h) => h.results);

    const earlier = (await shownTimes(page)).length;
    await page.locator('#pick-images').setInputFiles(files);
    const start = performance.now();
    const samples: Sample[] = [];
    let pagePid: number | undefined;
    for (;;) {
      const images = await resultCount();
      const list = await renderers(browserCdp);
      // The page's renderer runs the engine worker: by far the most CPU once images flow.
      if (pagePid === undefined && images >= 20) pagePid = [...list].sort((a, b) => b.cpuTime - a.cpuTime)[0]!.id;
      const all = await Promise.all(list.map((p) => rssMb(p.id)));
      samples.push({
        images,
        atMs: performance.now() - start,
        mainThreadMs: await taskMs(),
        rendererMb: pagePid === undefined ? 0 : await rssMb(pagePid),
        allRenderersMb: all.reduce((a, b) => a + b, 0),
      });
      if (images >= files.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await page.locator('batch-progress').waitFor({ state: 'detached' });
    const at500 = await holdings(page);
    const times = (await shownTimes(page)).slice(earlier);
    const rate = (from: number, to: number) => (to - from) / ((times[to - 1]! - times[from - 1]!) / 1000);
    const at = (n: number) => samples.find((s) => s.images >= n)!;
    const perImage: number[] = [];
    for (let n = 100; n <= files.length; n += 100) {
      const a = n === 100 ? samples[0]! : at(n - 100);
      const b = at(n);
      perImage.push((b.mainThreadMs - a.mainThreadMs) / Math.max(1, b.images - a.images));
    }
    const from51 = samples.filter((s) => s.images >= 51);
    const first = rate(1, 100);
    const last = rate(files.length - 99, files.length);
    const appRate = rate(2, files.length);
    return {
      images: files.length,
      imagesPerSecondFirst100: first,
      imagesPerSecondLast100: last,
      lastOverFirst: last / first,
      mainThreadMsPerImage: perImage,
      rendererMbAt51: from51[0]!.rendererMb,
      rendererMbAt500: from51.at(-1)!.rendererMb,
      rendererMbMax51to500: Math.max(...from51.map((s) => s.rendererMb)),
      rendererGrowthMb: from51.at(-1)!.rendererMb - from51[0]!.rendererMb,
      allRenderersGrowthMb: from51.at(-1)!.allRenderersMb - from51[0]!.allRenderersMb,
      appImagesPerSecond: appRate,
      bareImagesPerSecond: 0,
      bareMsAfter: 0,
      appOverBare: 0,
      holdingsAt500: at500,
      samples,
    };
  } finally {
    await context.close();
    await server.close();
  }
}

export async function benchSession(images = IMAGES): Promise<SessionResults> {
  const files = await makeSmallPhotos(images);
  const dev = await startDevServer();
  const browser = await launchChromium();
  try {
    process.stderr.write('bench: session, bare network before\n');
    const bareMsBefore = await bareMsPerImage(browser, dev.url);
    process.stderr.write(`bench: session, ${images} images in the app\n`);
    const session = await runSession(browser, files);
    process.stderr.write('bench: session, bare network after\n');
    const bareMsAfter = await bareMsPerImage(browser, dev.url);
    const bareRate = 2000 / (bareMsBefore + bareMsAfter);
    return {
      ...session,
      bareMsBefore,
      bareMsAfter,
      bareImagesPerSecond: bareRate,
      appOverBare: session.appImagesPerSecond / bareRate,
    };
  } finally {
    await browser.close();
    await dev.close();
  }
}

export function printSession(r: SessionResults): void {
  const f = (x: number, d = 1) => x.toFixed(d);
  const check = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(`\n${r.images}-image session in the app (production build, files picked at once)`);
  console.log('measure                                      value       target      ');
  const rows: [string, string, string, string][] = [
    ['images/s, first 100', f(r.imagesPerSecondFirst100), '', ''],
    ['images/s, last 100', f(r.imagesPerSecondLast100), '', ''],
    ['last 100 / first 100', f(r.lastOverFirst, 3), '>= 0.9', check(r.lastOverFirst >= 0.9)],
    ['main thread ms/image, per 100', r.mainThreadMsPerImage.map((x) => f(x)).join(' '), 'flat', ''],
    ['renderer RSS at image 51 (MB)', f(r.rendererMbAt51), '', ''],
    ['renderer RSS at image 500 (MB)', f(r.rendererMbAt500), '', ''],
    ['renderer growth 51–500 (MB)', f(r.rendererGrowthMb), '<= 100', check(r.rendererGrowthMb <= 100)],
    ['all renderers growth 51–500 (MB)', f(r.allRenderersGrowthMb), '', ''],
    ['app files → vectors (images/s)', f(r.appImagesPerSecond), '', ''],
    ['bare predict (images/s)', `${f(r.bareImagesPerSecond)} (${f(r.bareMsBefore)}/${f(r.bareMsAfter)} ms)`, '', ''],
    ['app / bare', f(r.appOverBare, 3), '>= 0.9', check(r.appOverBare >= 0.9)],
    ['cards / live object URLs at 500', `${r.holdingsAt500.cards} / ${r.holdingsAt500.liveObjectUrls}`, '', ''],
  ];
  for (const [a, b, c, d] of rows) console.log(`${a.padEnd(44)} ${b.padEnd(11)} ${c.padEnd(8)} ${d}`);
}
