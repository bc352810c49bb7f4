import { createServer, type ViteDevServer } from 'vite';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The project's Vite dev server on a free port, serving src/ and the test pages under tests/e2e/pages.
 * Its optimised dependencies go to a folder of its own: test files run side by side, and two servers
 * writing node_modules/.vite at once could each serve the other's half-written bundles.
 */
export async function startDevServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'obscura-vite-'));
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
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
