import { createServer, type ViteDevServer } from 'vite';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runDir } from './run-dir';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Where the first dev server of a test run to close leaves its optimised dependencies for the servers
 * after it (the run's shared folder: run-dir.ts). The sources do not change during a run, so the bundles
 * are the ones each server would make (Vite checks the lockfile's and the config's hash before using
 * them), and they already hold the dependencies found while pages loaded, so no page is reloaded for a
 * late one. Outside the runner every server optimises its own.
 */
const seedDir = runDir('vite-deps');

function seedInto(cacheDir: string): void {
  if (!seedDir || !existsSync(join(seedDir, 'deps', '_metadata.json'))) return;
  try {
    cpSync(join(seedDir, 'deps'), join(cacheDir, 'deps'), { recursive: true });
  } catch {
    // Replaced while copied: this server optimises its own.
    rmSync(join(cacheDir, 'deps'), { recursive: true, force: true });
  }
}

function leaveSeed(cacheDir: string): void {
  if (!seedDir || existsSync(join(seedDir, 'deps')) || !existsSync(join(cacheDir, 'deps', '_metadata.json'))) return;
  // Copied beside the seed, then renamed into place: a server starting meanwhile sees all of it or none.
  const staging = mkdtempSync(join(seedDir, 'staging-'));
  try {
    cpSync(join(cacheDir, 'deps'), join(staging, 'deps'), { recursive: true });
    renameSync(join(staging, 'deps'), join(seedDir, 'deps'));
  } catch {
    // Another server left its seed first.
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The project's Vite dev server on a free port, serving src/ and the test pages under tests/e2e/pages.
 * Its optimised dependencies go to a folder of its own: test files run side by side, and two servers
 * writing node_modules/.vite at once could each serve the other's half-written bundles.
 */
export async function startDevServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'obscura-vite-'));
  seedInto(cacheDir);
  const server: ViteDevServer = await createServer({
    root,
    configFile: resolve(root, 'vite.config.ts'),
    cacheDir,
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('dev server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await server.close();
      leaveSeed(cacheDir);
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
