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
  /** The 1-minute load average before the run (two cores shared with other work). */
  readonly loadAverage: number;
}

export interface LighthouseResults {
  readonly lighthouse: string;
  readonly settings: string;
  readonly runs: readonly LighthouseRun[];
}

/** The targets: each run, not their median. */
export const LIGHTHOUSE_TARGETS = { performance: 98, cumulativeLayoutShift: 0.01 } as const;

export async function benchLighthouse(runs: number): Promise<LighthouseResults> {
  const app = await launchApp({ port: 0, collectorPort: 0, inMemory: true, build: false });
  const chrome = await launchChrome({
    chromePath: chromiumPath(),
    chromeFlags: ['--headless=new', ...QUIET_FLAGS, '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  });
  const out: LighthouseRun[] = [];
  let version = '';
  try {
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`bench: lighthouse run ${i + 1} of ${runs}\n`);
      const loadAverage = loadavg()[0]!;
      const result = await lighthouse(app.localUrl, {
        port: chrome.port,
        onlyCategories: ['performance'],
        output: 'json',
        logLevel: 'error',
      });
      if (!result) throw new Error('lighthouse gave no result');
      const lhr = result.lhr;
      if (lhr.runtimeError) throw new Error(`lighthouse: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
      version = lhr.lighthouseVersion;
      const audit = (id: string) => {
        const value = lhr.audits[id]?.numericValue;
        if (value === undefined) throw new Error(`lighthouse gave no value for ${id}`);
        return value;
      };
      out.push({
        performance: Math.round((lhr.categories['performance']?.score ?? 0) * 100),
        totalBlockingMs: audit('total-blocking-time'),
        largestContentfulPaintMs: audit('largest-contentful-paint'),
        firstContentfulPaintMs: audit('first-contentful-paint'),
        cumulativeLayoutShift: audit('cumulative-layout-shift'),
        speedIndexMs: audit('speed-index'),
        loadAverage,
      });
    }
  } finally {
    await chrome.kill();
    await app.close();
  }
  return { lighthouse: version, settings: 'default (mobile: simulated slow 4G, 4x CPU slow-down)', runs: out };
}

export function printLighthouse(r: LighthouseResults): void {
  const t = LIGHTHOUSE_TARGETS;
  const met = (x: LighthouseRun) =>
    x.performance >= t.performance && x.cumulativeLayoutShift <= t.cumulativeLayoutShift;
  const ms = (x: number) => x.toFixed(0).padStart(9);
  console.log(`\nLighthouse ${r.lighthouse}, performance, ${r.settings}, npm start's server`);
  console.log('run  performance    TBT ms    LCP ms    FCP ms      CLS  load avg  verdict');
  r.runs.forEach((x, i) => {
    const score = String(x.performance).padStart(11);
    const timings = `${ms(x.totalBlockingMs)} ${ms(x.largestContentfulPaintMs)} ${ms(x.firstContentfulPaintMs)}`;
    const cls = x.cumulativeLayoutShift.toFixed(3).padStart(8);
    const load = x.loadAverage.toFixed(1).padStart(9);
    console.log(`${String(i + 1).padStart(3)}  ${score} ${timings} ${cls} ${load}  ${met(x) ? 'met' : 'MISSED'}`);
  });
  const verdict = r.runs.every(met) ? 'met' : 'MISSED';
  console.log(`target: performance >= ${t.performance} with CLS <= ${t.cumulativeLayoutShift} in each run: ${verdict}`);
}
