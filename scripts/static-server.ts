/**
 * Serves the built app (dist/) with the headers it is designed for: cross-origin
 * isolation (COOP/COEP), a Content-Security-Policy whose connect-src is the app
 * itself and the collector only, and /config.json telling the app where reports go.
 * `npm start` and the browser tests use it, so both see the same headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, relative, resolve, sep, isAbsolute } from 'node:path';
import { createWebServer, type TlsCredentials } from '../collector/tls';

export const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface StaticServerOptions {
  /** Folder to serve (the vite build output). */
  root: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** Serve HTTPS with this certificate and key; plain HTTP without. */
  tls?: TlsCredentials;
  /**
   * Base URL of the collector, e.g. http://127.0.0.1:5174: the CSP allows its origin and
   * /config.json points at its /reports.
   */
  collectorUrl: string;
  /**
   * Origins allowed to embed the widget (/widget.html) in a frame: its CSP frame-ancestors.
   * Default: any origin (the widget then shows the embedding origin to the person).
   */
  widgetAncestors?: readonly string[];
  /**
   * Origins, besides the collector's, a widget host may name as its `endpoint`: they are listed in
   * /config.json (`widgetEndpoints`) and added to the widget page's CSP connect-src, and no other is.
   */
  widgetEndpoints?: readonly string[];
  /**
   * Origins of aggregators (leaders and helpers) that aggregate-only scopes may send shares to:
   * added to the app's CSP connect-src and listed in /config.json (`aggregators`), and no other is.
   */
  aggregators?: readonly string[];
}

export interface StaticServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The policy every answer carries; `connect-src` is the app and the collector's origin, nothing else.
 * Pages may be framed by the app alone, except the widget page, framed by `frameAncestors`.
 */
export function contentSecurityPolicy(collectorOrigin: string, frameAncestors = "'self'"): string {
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
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.root);
  const collector = new URL(options.collectorUrl);
  const endpoints = [...new Set([collector.origin, ...(options.widgetEndpoints ?? []).map((o) => new URL(o).origin)])];
  const aggregators = [...new Set((options.aggregators ?? []).map((o) => new URL(o).origin))];
  const config = JSON.stringify({
    collectorUrl: `${collector.href.replace(/\/$/, '')}/reports`,
    widgetEndpoints: endpoints,
    ...(aggregators.length > 0 ? { aggregators } : {}),
  });
  const headers = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy([collector.origin, ...aggregators].join(' ')),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };

  const widgetPolicy = contentSecurityPolicy(endpoints.join(' '), frameAncestorsOf(options.widgetAncestors));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return answer(res, 405, 'method not allowed');
    }
    const path = decodePath(req.url ?? '/');
    if (path === undefined) return answer(res, 400, 'bad path');
    if (path === '/config.json') {
      res.setHeader('Content-Type', MIME['.json']!);
      res.setHeader('Cache-Control', 'no-store');
      return void res.end(req.method === 'HEAD' ? undefined : config);
    }
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    const inside = relative(root, file);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return answer(res, 403, 'forbidden');
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) return answer(res, 404, 'not found');
      body = await readFile(file);
    } catch {
      return answer(res, 404, 'not found');
    }
    res.setHeader('Content-Type', MIME[extname(file).toLowerCase()] ?? 'application/octet-stream');
    // Fingerprinted assets never change; the shell and the model are revalidated.
    res.setHeader(
      'Cache-Control',
      inside.startsWith(`assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    if (path === '/sw.js') {
      // The browser checks the service worker for updates on every navigation: never from a cache,
      // and its scope is the whole app.
      res.setHeader('Cache-Control', 'no-cache, no-store');
      res.setHeader('Service-Worker-Allowed', '/');
    }
    if (WIDGET_FILES.has(path)) {
      // Host pages on any origin load the loader and frame the widget page; a cross-origin
      // isolated host (COEP) accepts them only with this resource policy.
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      if (path === '/widget.js') res.setHeader('Access-Control-Allow-Origin', '*');
      if (path === '/widget.html') res.setHeader('Content-Security-Policy', widgetPolicy);
    }
    if (path === '/connect.html') {
      // A widget frame on another site opens this window and talks to it: a same-origin opener
      // policy would cut the two apart. Nothing may frame it, so no host can dress it up.
      res.setHeader('Cross-Origin-Opener-Policy', 'unsafe-none');
      res.setHeader('Content-Security-Policy', contentSecurityPolicy(collector.origin, "'none'"));
    }
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createWebServer(
    {},
    (req, res) => {
      handle(req, res).catch(() => answer(res, 500, 'internal error'));
    },
    options.tls,
  );
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as { port: number }).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

const WIDGET_FILES = new Set(['/widget.js', '/widget.html']);

/** The CSP frame-ancestors source list for the widget page: any origin by default, else the listed ones. */
export function frameAncestorsOf(origins: readonly string[] | undefined): string {
  if (origins === undefined || origins.length === 0 || origins.includes('*')) return '*';
  return origins.map((o) => new URL(o).origin).join(' ');
}

/** The URL's path, percent-decoded; undefined when it cannot be decoded or holds a NUL. */
function decodePath(url: string): string | undefined {
  try {
    const path = decodeURIComponent(new URL(url, 'http://app').pathname);
    return path.includes('\0') ? undefined : path;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return void res.end();
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(text);
}
