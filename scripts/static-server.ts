/**
 * Serves the built app (dist/) with the headers it is designed for: cross-origin
 * isolation (COOP/COEP), a Content-Security-Policy whose connect-src is the app
 * itself and the collector only, and /config.json telling the app where reports go.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
};

export interface StaticServerOptions {
  root: string;
  port?: number;
  host?: string;
  /** Origin of the collector's /reports endpoint, e.g. http://127.0.0.1:5174. */
  collectorUrl: string;
}

export function contentSecurityPolicy(collectorOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    `connect-src 'self' ${collectorOrigin}`,
    "img-src 'self' blob: data:",
    "media-src 'self' blob: mediastream:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

export async function startStaticServer(options: StaticServerOptions): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const root = resolve(options.root);
  const collectorOrigin = new URL(options.collectorUrl).origin;
  const headers = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy(collectorOrigin),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  const server: Server = createServer(async (req, res) => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      return res.end();
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/config.json') {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-store');
      return res.end(JSON.stringify({ collectorUrl: `${options.collectorUrl.replace(/\/$/, '')}/reports` }));
    }
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep)) {
      res.statusCode = 403;
      return res.end('forbidden');
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      res.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
      // Fingerprinted assets never change; the shell and the model are revalidated.
      res.setHeader('Cache-Control', file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.end(req.method === 'HEAD' ? undefined : await readFile(file));
    } catch {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://${options.host ?? '127.0.0.1'}:${port}`, port, close: () => new Promise((r) => server.close(() => r())) };
}
