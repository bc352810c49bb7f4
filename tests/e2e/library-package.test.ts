// The library as a user gets it: `npm run pack:lib` (the library built into dist-lib/ and packed from there),
// the tarball installed into a fresh project, and the README's library example, read from the packed
// README.md, built into a tiny page with vite against 'obscura' through the package's exports map, served,
// and run in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startStaticServer, type StaticServer } from '../../scripts/static-server';
import { startCollector, type TestCollector } from '../support/collector';
import { SKIMAGE_DIR } from '../support/data-paths';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The destination the README's example names; the page posts to the test's collector instead. */
const README_DESTINATION = "'https://collector.example/reports'";
/** The scope the README's example creates, which the test's collector declares. */
const README_SCOPE = 'product-photos';

interface PackedFile {
  readonly path: string;
}

let work: string;
let project: string;
let tarball: string;
let packed: readonly string[];
let examples: readonly string[];
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

/** The TypeScript blocks between the library-example markers of a README. */
function readmeExamples(readme: string): string[] {
  const section = /<!-- library-example:start[^>]*-->([\s\S]*?)<!-- library-example:end -->/.exec(readme);
  assert.ok(section, 'the README has the library-example section');
  const blocks = [...section[1]!.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 2, 'the extractor alone, then extractor and release');
  return blocks;
}

/** One example as the body of an async function: its imports lifted out (they are the page's). */
function body(example: string): string {
  return example
    .split('\n')
    .filter((line) => !line.startsWith('import '))
    .join('\n');
}

/** The names every example imports from 'obscura'. */
function imported(blocks: readonly string[]): string[] {
  const names = blocks.flatMap((b) =>
    [...b.matchAll(/^import \{([^}]*)\} from 'obscura';$/gm)].flatMap((m) => m[1]!.split(',').map((n) => n.trim())),
  );
  return [...new Set(names)].sort();
}

/**
 * The page: each README example as a function on window, posting to `destination`. What they return are
 * the README's own variables, so a renamed one fails here rather than passing unseen.
 */
function page(blocks: readonly string[], destination: string): string {
  const [extractOnly, withRelease] = blocks.map(body);
  return `import { ${imported(blocks).join(', ')} } from 'obscura';

window.extractOnly = async (file, signal) => {
${extractOnly}
  return { dims: vector.length, backend, contentHash, status };
};
window.withRelease = async (file) => {
${withRelease!.replace(README_DESTINATION, JSON.stringify(destination))}
  stop();
  return { reportId: report.id, reportScope: report.scope, budget, cosine };
};
`;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'obscura-lib-'));
  // As the README says: `npm run pack:lib`, with npm pack's own flags passed on to it.
  const pack = packListing(npm(['run', 'pack:lib', '--', '--json', '--pack-destination', work], root));
  tarball = join(work, pack.filename);
  packed = pack.files.map((f) => f.path);

  project = join(work, 'page');
  await mkdir(join(project, 'public'), { recursive: true });
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'tiny-page', private: true, type: 'module' }));
  // The package bundles what it runs; only its declarations need packages: comlink, idb and zod's types.
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], project);
  examples = readmeExamples(await readFile(join(project, 'node_modules', 'obscura', 'README.md'), 'utf8'));

  collector = await startCollector({
    allowedOrigins: [],
    tasks: [{ scope: README_SCOPE, mechanism: 'privunit', epsilon: 1 }],
  });
  await writeFile(
    join(project, 'index.html'),
    '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>',
  );
  await writeFile(join(project, 'main.js'), page(examples, `${collector.url}/reports`));
  // The default model comes with the package; the page serves it at its base (the extractor's default).
  await cp(join(project, 'node_modules', 'obscura', 'models'), join(project, 'public', 'models'), {
    recursive: true,
  });
  await copyFile(join(SKIMAGE_DIR, 'chelsea.png'), join(project, 'public', 'chelsea.png'));
  // Files, not data: URLs: a CSP refuses data: scripts, and WASM threads load their script by URL.
  await build({ root: project, configFile: false, logLevel: 'error', build: { assetsInlineLimit: 0 } });

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

test("the packed package.json is the library's own: no scripts (no prepare), no devDependencies", async () => {
  const manifest = JSON.parse(await readFile(join(project, 'node_modules', 'obscura', 'package.json'), 'utf8')) as {
    name: string;
    scripts?: unknown;
    devDependencies?: unknown;
    exports: Record<string, unknown>;
  };
  assert.equal(manifest.name, 'obscura');
  assert.equal(manifest.scripts, undefined);
  assert.equal(manifest.devDependencies, undefined);
  assert.deepEqual(Object.keys(manifest.exports).sort(), ['.', './models/*', './package.json']);
});

test('the tarball holds only what a user needs: the bundle, its workers and WASM, the cut model, the types', () => {
  const allowed = [
    /^(package\.json|README\.md|obscura\.js)$/,
    /^assets\/[\w.-]+\.(js|wasm)$/,
    /^models\/mobilenet_v2\/block_12_add\/(model\.json|group1-shard1of1\.bin)$/,
    /^types\/[\w/.-]+\.d\.ts$/,
  ];
  const unexpected = packed.filter((p) => !allowed.some((a) => a.test(p)));
  assert.deepEqual(unexpected, [], `unexpected files in the tarball: ${unexpected.join(', ')}`);
  for (const needed of [
    /^obscura\.js$/,
    /^types\/index\.d\.ts$/,
    /^assets\/engine\.worker-[\w-]+\.js$/,
    /^assets\/release\.worker-[\w-]+\.js$/,
    /^assets\/tfjs-backend-wasm-simd-[\w-]+\.wasm$/,
    /^models\/mobilenet_v2\/block_12_add\/model\.json$/,
  ])
    assert.ok(
      packed.some((p) => needed.test(p)),
      `missing from the tarball: ${needed}`,
    );
  // --dry-run lists the same files (what `npm publish` would send).
  const dry = packListing(npm(['pack', '--dry-run', '--json', '--ignore-scripts', './dist-lib'], root));
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

test('the declarations type-check the README example and a typed use, resolved through the exports map', async () => {
  const typescript = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  await writeFile(join(project, 'use.ts'), TYPED_USE);
  // The README's example as written, its free variables declared.
  const [extractOnly, withRelease] = examples.map(body);
  await writeFile(
    join(project, 'readme-example.ts'),
    `import { ${imported(examples).join(', ')} } from 'obscura';\n` +
      'declare const file: Blob;\ndeclare const signal: AbortSignal;\n' +
      `export async function extractOnly() {\n${extractOnly}}\n` +
      `export async function withRelease() {\n${withRelease}}\n`,
  );
  // A wrong use is refused: the types are real, not \`any\`.
  await writeFile(
    join(project, 'misuse.ts'),
    "import { createRelease } from 'obscura';\ncreateRelease().budget(42);\n",
  );
  // One tsc over the three modules (each is checked on its own, as in three runs, for one start-up and one read
  // of the declarations): its diagnostics (on stdout, a message's further lines indented) are the misuse's alone.
  const output = spawnSync(
    process.execPath,
    [typescript, ...TSC_FLAGS, '--lib', 'es2022,dom', 'use.ts', 'readme-example.ts', 'misuse.ts'],
    { cwd: project, encoding: 'utf8' },
  ).stdout.trim();
  const diagnostics = output.split('\n').filter((line) => line !== '' && !/^\s/.test(line));
  assert.equal(diagnostics.length, 1, output);
  assert.match(diagnostics[0]!, /^misuse\.ts\(2,\d+\): error TS2345/, output);
});

interface ExtractOnly {
  readonly dims: number;
  readonly backend: string;
  readonly contentHash: string;
  readonly status: { readonly backend: string };
}
interface WithRelease {
  readonly reportId: string;
  readonly reportScope: string;
  readonly budget: { readonly spent: number; readonly remaining: number; readonly total: number };
  readonly cosine: number;
}

/** Runs one README example in a new page of `context`, on the image the page serves. */
async function runExample<T>(context: BrowserContext, name: 'extractOnly' | 'withRelease', errors: string[]) {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForFunction((n) => n in window, name, { timeout: 30_000 });
  const result = await page.evaluate(async (n) => {
    const file = await (await fetch('chelsea.png')).blob();
    const run = (window as unknown as Record<string, (f: Blob, s: AbortSignal) => Promise<unknown>>)[n]!;
    return run(file, new AbortController().signal);
  }, name);
  await page.close();
  return result as T;
}

test(
  "the README's example runs as written in a page built against the tarball: extract; create a scope, release",
  { timeout: 180_000 },
  async () => {
    const context = await browser.newContext();
    const errors: string[] = [];
    const extracted = await runExample<ExtractOnly>(context, 'extractOnly', errors);
    assert.equal(extracted.dims, 96);
    assert.equal(extracted.backend, extracted.status.backend);
    assert.match(extracted.contentHash, /\S/);

    const first = await runExample<WithRelease>(context, 'withRelease', errors);
    assert.equal(first.reportScope, README_SCOPE);
    assert.deepEqual([first.budget.spent, first.budget.total, first.budget.remaining], [1, 4, 3]);
    assert.ok(first.cosine > -1 && first.cosine <= 1, String(first.cosine));
    // A second visit: the scope exists (it is not created twice) and the same image's report is the stored one.
    const again = await runExample<WithRelease>(context, 'withRelease', errors);
    assert.equal(again.reportId, first.reportId);
    assert.equal(again.budget.spent, 1);
    // The first page closed as soon as its release returned: its report went out then, or, queued, with the
    // second page's release worker, which sends what earlier pages left when it starts.
    await collector.waitForStored(1, README_SCOPE);
    assert.deepEqual(errors, []);
    await context.close();
  },
);
