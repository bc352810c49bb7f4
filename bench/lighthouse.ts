// Lighthouse on the built app as `npm start` serves it (its app server and embedded collector, in memory):
// five cold runs of the performance category in Debian's Chromium, with Lighthouse's default mobile settings
// (simulated slow 4G and a 4x CPU slow-down). Each run starts from a fresh profile: Lighthouse clears the
// origin's storage and caches, so the service worker and its precache are gone too.
import { loadavg } from 'node:os';
import { launch as launchChrome } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { chromiumPath, QUIET_FLAGS } from '../tests/e2e/support/browser';
import { launch as launchApp } from '../scripts/start';

export interface LighthouseRun {
  /** 0..100, Lighthouse's performance score. */
  readonly performance: number;
  readonly totalBlockingMs: number;
  readonly largestContentfulPaintMs: number;
  readonly firstContentfulPaintMs: number;
  readonly cumulativeLayoutShift: number;
  readonly speedIndexMs: number;
  /** The main thread's long tasks Lighthouse saw (its "long-tasks" diagnostic): where TBT comes from. */
  readonly longTasks: readonly { url: string; startMs: number; durationMs: number }[];
  /** The 1-minute load average before the run (two cores shared with other work). */
  readonly loadAverage: number;
}

export interface LighthouseResults {
  readonly lighthouse: string;
  readonly settings: string;
  readonly runs: readonly LighthouseRun[];
  /** The same runs of another build (BENCH_BASELINE_DIST), interleaved with these in one run. */
  readonly baseline?: { readonly dist: string; readonly runs: readonly LighthouseRun[] };
}

/** The targets: each run, not their median. */
export const LIGHTHOUSE_TARGETS = { performance: 98, cumulativeLayoutShift: 0.01 } as const;

const SETTINGS = 'default (mobile: simulated slow 4G, 4x CPU slow-down)';

/** `runs` Lighthouse runs of dist/; with `baselineDist`, as many of that build, alternating with these. */
export async function benchLighthouse(runs: number, baselineDist?: string): Promise<LighthouseResults> {
  const served = { inMemory: true, build: false, port: 0, collectorPort: 0 } as const;
  const app = await launchApp(served);
  const base = baselineDist ? await launchApp({ ...served, root: baselineDist }) : undefined;
  const chrome = await launchChrome({
    chromePath: chromiumPath(),
    chromeFlags: ['--headless=new', ...QUIET_FLAGS, '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  });
  const out: LighthouseRun[] = [];
  const baseOut: LighthouseRun[] = [];
  const version = { lighthouse: '' };
  try {
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`bench: lighthouse run ${i + 1} of ${runs}${base ? ', and of the baseline' : ''}\n`);
      // Which build goes first alternates, so the machine's load falls on both alike.
      const order = base ? (i % 2 ? [base, app] : [app, base]) : [app];
      for (const server of order)
        (server === app ? out : baseOut).push(await lighthouseRun(server.localUrl, chrome.port, version));
    }
  } finally {
    await chrome.kill();
    await app.close();
    await base?.close();
  }
  return {
    lighthouse: version.lighthouse,
    settings: SETTINGS,
    runs: out,
    ...(baselineDist ? { baseline: { dist: baselineDist, runs: baseOut } } : {}),
  };
}

/** Runs that failed to record (a trace without its navigation start, now and then on a loaded machine) retried. */
const RETRIES = 2;

async function lighthouseRun(url: string, port: number, version: { lighthouse: string }): Promise<LighthouseRun> {
  let loadAverage = loadavg()[0]!;
  let result = await lighthouse(url, { port, onlyCategories: ['performance'], output: 'json', logLevel: 'error' });
  for (let retry = 1; retry <= RETRIES && result?.lhr.runtimeError; retry++) {
    process.stderr.write(`bench: lighthouse ${result.lhr.runtimeError.code}, run again\n`);
    loadAverage = loadavg()[0]!;
    result = await lighthouse(url, { port, onlyCategories: ['performance'], output: 'json', logLevel: 'error' });
  }
  if (!result) throw new Error('lighthouse gave no result');
  const lhr = result.lhr;
  if (lhr.runtimeError) throw new Error(`lighthouse: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
  version.lighthouse = lhr.lighthouseVersion;
  const audit = (id: string) => {
    const value = lhr.audits[id]?.numericValue;
    if (value === undefined) throw new Error(`lighthouse gave no value for ${id}`);
    return value;
  };
  const details = lhr.audits['long-tasks']?.details;
  const items = details && 'items' in details ? (details.items as Record<string, unknown>[]) : [];
  return {
    performance: Math.round((lhr.categories['performance']?.score ?? 0) * 100),
    totalBlockingMs: audit('total-blocking-time'),
    largestContentfulPaintMs: audit('largest-contentful-paint'),
    firstContentfulPaintMs: audit('first-contentful-paint'),
    cumulativeLayoutShift: audit('cumulative-layout-shift'),
    speedIndexMs: audit('speed-index'),
    longTasks: items.map((t) => ({
      url: String(t['url'] ?? ''),
      startMs: Number(t['startTime'] ?? 0),
      durationMs: Number(t['duration'] ?? 0),
    })),
    loadAverage,
  };
}

export function printLighthouse(r: LighthouseResults): void {
  const t = LIGHTHOUSE_TARGETS;
  const met = (x: LighthouseRun) =>
    x.performance >= t.performance && x.cumulativeLayoutShift <= t.cumulativeLayoutShift;
  const ms = (x: number) => x.toFixed(0).padStart(9);
  const table = (runs: readonly LighthouseRun[]) => {
    console.log('run  performance    TBT ms    LCP ms    FCP ms      CLS  load avg  verdict');
    runs.forEach((x, i) => {
      const score = String(x.performance).padStart(11);
      const timings = `${ms(x.totalBlockingMs)} ${ms(x.largestContentfulPaintMs)} ${ms(x.firstContentfulPaintMs)}`;
      const cls = x.cumulativeLayoutShift.toFixed(3).padStart(8);
      const load = x.loadAverage.toFixed(1).padStart(9);
      console.log(`${String(i + 1).padStart(3)}  ${score} ${timings} ${cls} ${load}  ${met(x) ? 'met' : 'MISSED'}`);
    });
  };
  console.log(`\nLighthouse ${r.lighthouse}, performance, ${r.settings}, npm start's server`);
  table(r.runs);
  const verdict = r.runs.every(met) ? 'met' : 'MISSED';
  console.log(`target: performance >= ${t.performance} with CLS <= ${t.cumulativeLayoutShift} in each run: ${verdict}`);
  const worst = [...r.runs].sort((a, b) => b.totalBlockingMs - a.totalBlockingMs)[0];
  if (worst) {
    console.log('long tasks of the run with the most blocking (ms from navigation start, duration):');
    for (const task of worst.longTasks) console.log(`  ${ms(task.startMs)} ${ms(task.durationMs)}  ${task.url}`);
  }
  if (r.baseline) {
    console.log(`baseline ${r.baseline.dist}, interleaved with the runs above:`);
    table(r.baseline.runs);
  }
}
