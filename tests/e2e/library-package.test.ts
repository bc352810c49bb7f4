// The library as a user gets it: `npm pack`, installed into a fresh project, a tiny page built with vite
// against 'obscura' through the package's exports map, served, and run in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startStaticServer, type StaticServer } from '../../scripts/static-server';
import { startCollector, type TestCollector } from '../support/collector';
import { SKIMAGE_DIR } from '../support/data-paths';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface PackedFile {
  readonly path: string;
}

let work: string;
let tarball: string;
let packed: readonly string[];
let collector: TestCollector;
let server: StaticServer;
let browser: Browser;

function npm(args: readonly string[], cwd: string): string {
  return execFileSync('npm', [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The JSON `npm pack` prints, without the lifecycle scripts' own output before it. */
function packListing(output: string): { filename: string; files: PackedFile[] } {
  const listing = JSON.parse(output.slice(output.indexOf('[\n'))) as { filename: string; files: PackedFile[] }[];
  return listing[0]!;
}

const PAGE = `import { createExtractor, createRelease } from 'obscura';

const release = createRelease();
const extractor = createExtractor({ release });
window.run = async (imageUrl, destination) => {
  const { vector, contentHash } = await extractor.extract(await (await fetch(imageUrl)).blob());
  const outcome = await release.release(contentHash, { mechanism: { name: 'privunit', epsilon: 1 }, destination });
  const budget = await release.budget();
  return { dims: vector.length, charged: outcome.charged, reportId: outcome.report.id, budget };
};
`;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'obscura-lib-'));
  // `npm pack` runs prepack: the library build (vite.lib.config.ts and the declarations).
  const pack = packListing(npm(['pack', '--json', '--pack-destination', work], root));
  tarball = join(work, pack.filename);
  packed = pack.files.map((f) => f.path);

  const project = join(work, 'page');
  await mkdir(join(project, 'public'), { recursive: true });
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'tiny-page', private: true, type: 'module' }));
  // The package bundles what it runs; only its declarations need packages: comlink, idb and zod's types.
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], project);
  await writeFile(
    join(project, 'index.html'),
    '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>',
  );
  await writeFile(join(project, 'main.js'), PAGE);
  // The default model comes with the package; the page serves it at its base (the extractor's default).
  await cp(join(project, 'node_modules', 'obscura', 'dist-lib', 'models'), join(project, 'public', 'models'), {
    recursive: true,
  });
  await copyFile(join(SKIMAGE_DIR, 'chelsea.png'), join(project, 'public', 'chelsea.png'));
  // Files, not data: URLs: a CSP refuses data: scripts, and WASM threads load their script by URL.
  await build({ root: project, configFile: false, logLevel: 'error', build: { assetsInlineLimit: 0 } });

  collector = await startCollector({ allowedOrigins: [] });
  server = await startStaticServer({ root: join(project, 'dist'), collectorUrl: collector.url });
  collector.allowOrigin(server.url);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await collector?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test('the tarball holds only what a user needs: the bundle, its workers and WASM, the cut model, the types', () => {
  const allowed = [
    /^(package\.json|README\.md|dist-lib\/obscura\.js)$/,
    /^dist-lib\/assets\/[\w.-]+\.(js|wasm)$/,
    /^dist-lib\/models\/mobilenet_v2\/block_12_add\/(model\.json|group1-shard1of1\.bin)$/,
    /^dist-lib\/types\/[\w/.-]+\.d\.ts$/,
  ];
  const unexpected = packed.filter((p) => !allowed.some((a) => a.test(p)));
  assert.deepEqual(unexpected, [], `unexpected files in the tarball: ${unexpected.join(', ')}`);
  for (const needed of [
    /^dist-lib\/obscura\.js$/,
    /^dist-lib\/types\/index\.d\.ts$/,
    /^dist-lib\/assets\/engine\.worker-[\w-]+\.js$/,
    /^dist-lib\/assets\/release\.worker-[\w-]+\.js$/,
    /^dist-lib\/assets\/tfjs-backend-wasm-simd-[\w-]+\.wasm$/,
    /^dist-lib\/models\/mobilenet_v2\/block_12_add\/model\.json$/,
  ])
    assert.ok(
      packed.some((p) => needed.test(p)),
      `missing from the tarball: ${needed}`,
    );
  // --dry-run lists the same files (what `npm publish` would send).
  const dry = packListing(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], root));
  assert.deepEqual(dry.files.map((f) => f.path).sort(), [...packed].sort());
});

const TYPED_USE = `import { createExtractor, createRelease, type BudgetStatus, type Extraction } from 'obscura';

const release = createRelease();
const extractor = createExtractor({ release, backend: 'auto' });
export async function run(file: Blob): Promise<[Extraction, BudgetStatus]> {
  const extraction = await extractor.extract(file);
  const mechanism = { name: 'privunit', epsilon: 1 } as const;
  await release.release(extraction.contentHash, { mechanism, destination: 'https://collector.example/reports' });
  return [extraction, await release.budget()];
}
`;
const TSC_FLAGS = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler'];

test('the declarations type-check a TypeScript user of the package, resolved through its exports map', async () => {
  const project = join(work, 'page');
  /** tsc's diagnostics (it prints them on stdout), empty when the file type-checks. */
  const tsc = (file: string) =>
    spawnSync(process.execPath, [typescript, ...TSC_FLAGS, '--lib', 'es2022,dom', file], {
      cwd: project,
      encoding: 'utf8',
    }).stdout.trim();
  const typescript = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  await writeFile(join(project, 'use.ts'), TYPED_USE);
  assert.equal(tsc('use.ts'), '');
  // A wrong use is refused: the types are real, not \`any\`.
  await writeFile(
    join(project, 'misuse.ts'),
    "import { createRelease } from 'obscura';\ncreateRelease().budget(42);\n",
  );
  assert.match(tsc('misuse.ts'), /misuse\.ts\(2,\d+\): error TS2345/);
});

test(
  'a tiny page built against the packed tarball extracts, releases and reads the budget',
  { timeout: 120_000 },
  async () => {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => 'run' in window, undefined, { timeout: 30_000 });
    const result = await page.evaluate(
      (destination) =>
        (window as unknown as { run: (u: string, d: string) => Promise<unknown> }).run('chelsea.png', destination),
      `${collector.url}/reports`,
    );
    const { dims, charged, reportId, budget } = result as {
      dims: number;
      charged: boolean;
      reportId: string;
      budget: { spent: number; remaining: number; total: number };
    };
    assert.equal(dims, 96);
    assert.equal(charged, true);
    assert.match(reportId, /\S/);
    assert.equal(budget.spent, 1);
    assert.equal(budget.remaining, budget.total - 1);
    assert.deepEqual(errors, []);
  },
);
