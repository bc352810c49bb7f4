import { preview, type PreviewServer } from 'vite';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The production build (dist/, made by `npm run build`) served with the app's headers on a free port. */
export async function startAppServer(): Promise<{ url: string; close: () => Promise<void> }> {
  if (!existsSync(resolve(root, 'dist', 'index.html'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
  const server: PreviewServer = await preview({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'error', preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}
