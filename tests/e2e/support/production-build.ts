import { build, loadConfigFromFile, type PluginOption } from 'vite';
import { createHash } from 'node:crypto';
import { existsSync, watch as watchFolder } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIME } from '../../../scripts/static-server';
import { runDir } from './run-dir';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * A production build (the project's vite.config.ts: bundled, minified, assets fingerprinted)
 * of the given HTML pages (paths from the project root), in a fresh temp folder that also
 * holds public/ (the models). Test and bench pages are built exactly as the app is.
 */
export async function buildPages(pages: readonly string[]): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'obscura-build-'));
  await build({
    root,
    configFile: resolve(root, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, rollupOptions: { input: pages.map((p) => resolve(root, p)) } },
  });
  return outDir;
}

/** The plugin that writes a .br and a .gz copy beside every file of a build (scripts/vite-precompress.ts). */
const PRECOMPRESS = 'obscura-precompress-assets';

/**
 * The given pages alone, built as the app is but without the compressed copies the static server may
 * send instead: buildPages adds them to the config's own pages (Vite merges the input lists) and
 * compresses every file, the models included, at brotli's highest quality, which costs a test run
 * about 15 s of CPU for copies the tests' pages may do without.
 */
async function buildPagesAlone(pages: readonly string[]): Promise<string> {
  const loaded = await loadConfigFromFile(
    { command: 'build', mode: 'production' },
    resolve(root, 'vite.config.ts'),
    root,
    'error',
  );
  if (!loaded) throw new Error('vite.config.ts was not found');
  const { config } = loaded;
  const withoutCopies = (p: PluginOption): PluginOption =>
    Array.isArray(p) ? p.map(withoutCopies) : p && 'name' in p && p.name === PRECOMPRESS ? false : p;
  const outDir = await mkdtemp(join(tmpdir(), 'obscura-build-'));
  await build({
    ...config,
    root,
    configFile: false,
    logLevel: 'error',
    plugins: (config.plugins ?? []).map(withoutCopies),
    build: {
      ...config.build,
      outDir,
      emptyOutDir: true,
      rollupOptions: { ...config.build?.rollupOptions, input: pages.map((p) => resolve(root, p)) },
    },
  });
  return outDir;
}

/**
 * A production build of test pages that the files of one test run share: built by the first file that
 * asks and kept in the run's folder (run-dir.ts), which the sources cannot change under; a file asking
 * while it is built waits for it. Outside the runner, or when the first file's build failed, the file's own
 * build, which `remove` deletes.
 */
export async function sharedPageBuild(pages: readonly string[]): Promise<{ dir: string; remove: () => Promise<void> }> {
  const shared = runDir('page-builds');
  const key = createHash('sha256')
    .update(JSON.stringify([...pages].sort()))
    .digest('hex')
    .slice(0, 16);
  const own = async () => {
    const outDir = await buildPagesAlone(pages);
    return { dir: outDir, remove: () => rm(outDir, { recursive: true, force: true }) };
  };
  if (!shared) return own();
  const dir = join(shared, key);
  const kept = { dir, remove: async () => {} };
  const exists = async (path: string) => (await stat(path).catch(() => undefined)) !== undefined;
  if (await exists(dir)) return kept;
  const lock = `${dir}.building`;
  const building = await mkdir(lock).then(
    () => true,
    () => false,
  );
  if (building) {
    try {
      // Another file may have built it between the look above and the lock.
      if (await exists(dir)) return kept;
      const outDir = await buildPagesAlone(pages);
      // Renamed into place whole, so a file that finds it sees all of it.
      await rename(outDir, dir);
      return kept;
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
  await untilGone(shared, lock);
  return (await exists(dir)) ? kept : own();
}

/** Resolves when `path`, in `folder`, no longer exists: watched, not polled. */
function untilGone(folder: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (existsSync(path)) return;
      watcher.close();
      resolve();
    };
    const watcher = watchFolder(folder, check);
    watcher.on('error', reject);
    // Checked once the watcher is up: a removal before it would be missed.
    check();
  });
}

/** What the app's server and the dev server send so that a page may use SharedArrayBuffer (tfjs-wasm threads). */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Serves a folder WITHOUT cross-origin isolation (no COOP/COEP), as a host page that is
 * not isolated would be: SharedArrayBuffer is missing there, so tfjs-wasm runs one thread.
 */
export function startPlainServer(folder: string): Promise<{ url: string; close: () => Promise<void> }> {
  return serveFolder(folder, {});
}

/**
 * Serves a folder cross-origin isolated (COOP/COEP, as the dev server does) with no Content-Security-Policy:
 * test pages talk to collectors and aggregators on ports of their own.
 */
export function startIsolatedServer(folder: string): Promise<{ url: string; close: () => Promise<void> }> {
  return serveFolder(folder, ISOLATION_HEADERS);
}

async function serveFolder(
  folder: string,
  headers: Readonly<Record<string, string>>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = resolve(folder, `.${path}`);
      const inside = relative(folder, file);
      if (inside.startsWith('..') || isAbsolute(inside) || !(await stat(file).catch(() => undefined))?.isFile()) {
        res.statusCode = 404;
        return void res.end('not found');
      }
      res.setHeader('Content-Type', MIME[extname(file).toLowerCase()] ?? 'application/octet-stream');
      res.end(await readFile(file));
    })().catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
