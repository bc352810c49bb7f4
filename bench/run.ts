// npm run bench: engine speed in a real headless Chromium worker, per backend, with the
// bare network measured side by side in the same run. Prints a table, writes JSON.
import { mkdir, writeFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { launchChromium } from '../tests/e2e/support/browser';
import { startDevServer } from '../tests/e2e/support/dev-server';
import { serveFixtures } from '../tests/e2e/support/fixtures';
import { SKIMAGE_DIR, PHOTOS } from '../tests/support/data-paths';
import { benchCli } from './cli-throughput';
import { benchFirstLoad, benchWire, printFirstLoad, printWire, type FirstLoadResults } from './first-load';
import { benchSamplerTiming, printSamplerTiming, type TimingRow } from './sampler-timing';
import { benchBudgetDecision, printBudgetDecision, type BudgetRow } from './budget-decision';
import { benchSession, printSession, type SessionResults } from './session';
import { benchLayout, printLayout, type LayoutRow } from './layout';
import { benchLedgerView, printLedgerView, type LedgerViewRow } from './ledger-view';
import { benchLedger, printLedger, type LedgerResults } from './ledger';
import { benchLighthouse, printLighthouse, type LighthouseResults } from './lighthouse';

type BenchWindow = Window & {
  bench: typeof import('./page/bench-page') extends never
    ? never
    : Record<string, (...args: never[]) => Promise<Record<string, number | string>>>;
};

const quick = process.argv.includes('--quick');
/** Iterations per backend, from how slow each is here (software WebGPU ~5 s an image). */
const ITERATIONS: Record<string, number> = quick
  ? { wasm: 5, webgl: 3, cpu: 1, webgpu: 1 }
  : { wasm: 20, webgl: 6, cpu: 2, webgpu: 1 };
const BACKENDS = (process.env['BENCH_BACKENDS'] ?? 'wasm,webgl,cpu,webgpu').split(',');
/**
 * `engine` (per-backend speed, model load, folder throughput), `first-load` (bytes, cold start, threads) and
 * `timing` (what the samplers' running time tells), `budget` (the budget decision on adversarial ledgers),
 * `session` (500 images in the built app against the bare network; needs `npm run build`),
 * `layout` (CLS and blocking time of the built app on phone widths; needs `npm run build`),
 * `ledger-view` (the ledger view's first render at 10^3..10^5 entries),
 * `ledger` (release(), click → row and click → delivered at 0, 1 000 and 10 000 entries; needs `npm run build`;
 * only when asked for). `npm run bench -- timing` (or `-- budget`, `-- session`, `-- layout`, `-- ledger-view`,
 * `-- ledger`) runs that part alone;
 * `-- wire` the first visit's bytes over the wire and its cold first features at 20 Mbit/s, with the engine
 * worker's size (the issue's targets beside them); `-- lighthouse` five Lighthouse runs of the built app as
 * `npm start` serves it (needs `npm run build`; only when asked for; BENCH_BASELINE_DIST=<another build's dist/>
 * runs that build as often, interleaved).
 */
const ALONE = ['timing', 'budget', 'session', 'layout', 'ledger-view', 'ledger', 'wire', 'lighthouse'].filter((part) =>
  process.argv.includes(part),
);
const DEFAULT_PARTS = 'engine,first-load,timing,budget,layout,ledger-view';
const PARTS = ALONE.length > 0 ? ALONE : (process.env['BENCH_PARTS'] ?? DEFAULT_PARTS).split(',');

/** >= 100 real photographs of assorted sizes and formats, cut from the skimage pictures. */
async function makeFolder(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-bench-'));
  const names: string[] = [];
  let n = 0;
  for (const photo of PHOTOS) {
    const src = await readFile(join(SKIMAGE_DIR, photo));
    const meta = await sharp(src).metadata();
    for (let k = 0; k < 20; k++) {
      const w = Math.floor((meta.width ?? 400) * (0.5 + (k % 5) * 0.1));
      const h = Math.floor((meta.height ?? 400) * (0.5 + (k % 4) * 0.12));
      const name = `img-${String(n++).padStart(3, '0')}.${k % 2 ? 'jpg' : 'png'}`;
      const cut = sharp(src).extract({
        left: (k * 7) % ((meta.width ?? w) - w + 1),
        top: (k * 5) % ((meta.height ?? h) - h + 1),
        width: w,
        height: h,
      });
      await (k % 2 ? cut.jpeg({ quality: 85 }) : cut.png()).toFile(join(dir, name));
      names.push(name);
    }
  }
  return names.map((f) => join(dir, f));
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    machine: { cores: (await import('node:os')).cpus().length, date: new Date().toISOString() },
  };
  if (PARTS.includes('engine')) await benchEngine(results);
  if (PARTS.includes('first-load')) results['firstLoad'] = await benchFirstLoad(quick ? 3 : 5, quick ? 5 : 15);
  if (PARTS.includes('wire')) results['firstLoadWire'] = await benchWire(quick ? 3 : 5);
  if (PARTS.includes('timing')) results['samplerTiming'] = benchSamplerTiming();
  if (PARTS.includes('budget')) results['budgetDecision'] = benchBudgetDecision();
  if (PARTS.includes('session')) results['session'] = await benchSession();
  if (PARTS.includes('layout')) results['layout'] = await benchLayout(quick ? 2 : 5);
  if (PARTS.includes('ledger-view')) results['ledgerView'] = await benchLedgerView();
  if (PARTS.includes('ledger')) results['ledger'] = await benchLedger();
  if (PARTS.includes('lighthouse'))
    results['lighthouse'] = await benchLighthouse(quick ? 3 : 5, process.env['BENCH_BASELINE_DIST']);
  if (PARTS.includes('engine')) printTable(results);
  if (results['firstLoad']) printFirstLoad(results['firstLoad'] as FirstLoadResults);
  if (results['firstLoadWire']) printWire(results['firstLoadWire'] as Parameters<typeof printWire>[0]);
  if (results['samplerTiming']) printSamplerTiming(results['samplerTiming'] as TimingRow[]);
  if (results['budgetDecision']) printBudgetDecision(results['budgetDecision'] as BudgetRow[]);
  if (results['session']) printSession(results['session'] as SessionResults);
  if (results['layout']) printLayout(results['layout'] as LayoutRow[]);
  if (results['ledgerView']) printLedgerView(results['ledgerView'] as LedgerViewRow[]);
  if (results['ledger']) printLedger(results['ledger'] as LedgerResults);
  if (results['lighthouse']) printLighthouse(results['lighthouse'] as LighthouseResults);
  await mkdir('bench/results', { recursive: true });
  const out = join('bench', 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(out, JSON.stringify(results, null, 2));
  await writeFile(join('bench', 'results', 'latest.json'), JSON.stringify(results, null, 2));
  console.log(`\nwrote ${out}`);
}

async function benchEngine(results: Record<string, unknown>): Promise<void> {
  const files = await makeFolder();
  const server = await startDevServer();
  const browser = await launchChromium({ webgpu: true });
  const rows: Record<string, unknown>[] = [];
  results['perImage'] = rows;
  try {
    const page = await browser.newPage();
    await serveFixtures(page, join(files[0]!, '..'));
    await page.goto(`${server.url}/bench/page/bench.html`);
    await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', null, { timeout: 120_000 });
    const call = <T>(fn: string, ...args: unknown[]) =>
      page.evaluate(
        ([f, a]) =>
          ((window as unknown as BenchWindow).bench[f as string] as (...x: unknown[]) => Promise<unknown>)(
            ...(a as unknown[]),
          ),
        [fn, args] as const,
      ) as Promise<T>;

    for (const backend of BACKENDS) {
      for (const batch of [1, 8]) {
        if (backend === 'webgpu' && batch === 8 && !process.argv.includes('--all')) continue;
        if (backend === 'cpu' && batch === 8 && quick) continue;
        process.stderr.write(`bench: ${backend} batch ${batch}\n`);
        const r = await call<{ pipelineMsPerImage: number; bareMsPerImage: number }>(
          'perImage',
          backend,
          '/__fixtures__/skimage/chelsea.png',
          batch,
          ITERATIONS[backend] ?? 1,
        );
        rows.push({
          backend,
          batch,
          pipelineMs: r.pipelineMsPerImage,
          bareMs: r.bareMsPerImage,
          ratio: r.pipelineMsPerImage / r.bareMsPerImage,
        });
      }
    }
    process.stderr.write('bench: model load\n');
    const cold = await call<Record<string, number>>('load', 'wasm');
    const warm = await call<Record<string, number>>('load', 'wasm');
    results['modelLoad'] = { cold, warm };
    process.stderr.write('bench: folder throughput\n');
    const urls = files.map((f) => `/__fixtures__/generated/${f.split('/').pop()}`);
    results['throughput'] = {
      worker: {
        batch1: await call<Record<string, number>>('throughput', 'wasm', urls, 1),
        batch8: await call<Record<string, number>>('throughput', 'wasm', urls, 8),
      },
      cli: await benchCli(files),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

function printTable(results: Record<string, unknown>): void {
  const f = (x: unknown, d = 1) => (typeof x === 'number' ? x.toFixed(d) : String(x));
  console.log(
    '\nper image, in the worker (ms/image; pipeline = pixels -> vector, bare = model.predict on a ready tensor)',
  );
  console.log('backend  batch  pipeline      bare     ratio');
  for (const r of results['perImage'] as Record<string, number | string>[]) {
    console.log(
      `${String(r['backend']).padEnd(8)} ${String(r['batch']).padStart(5)} ` +
        `${f(r['pipelineMs']).padStart(9)} ${f(r['bareMs']).padStart(9)} ${f(r['ratio'], 3).padStart(9)}`,
    );
  }
  const load = results['modelLoad'] as Record<string, Record<string, number>>;
  console.log(
    `\nmodel load (wasm): cold start ${f(load['cold']!['startMs'])} ms ` +
      `(fetch ${f(load['cold']!['fetchMs'])}, build+warm ${f(load['cold']!['buildMs'])}); ` +
      `warm start ${f(load['warm']!['startMs'])} ms ` +
      `(fetch ${f(load['warm']!['fetchMs'])}, build+warm ${f(load['warm']!['buildMs'])})`,
  );
  const t = results['throughput'] as Record<string, Record<string, Record<string, number>>>;
  for (const [label, r] of [
    ['worker, batch 1', t['worker']!['batch1']],
    ['worker, batch 8', t['worker']!['batch8']],
    ['CLI (Node wasm), batch 8', t['cli']!['batch8']],
    ['CLI (Node wasm), batch 1', t['cli']!['batch1']],
  ] as const) {
    console.log(
      `folder of ${r!['images']} files, ${label}: ${f(r!['imagesPerSecond'])} images/s (${r!['failed']} failed)`,
    );
  }
}

await main();
