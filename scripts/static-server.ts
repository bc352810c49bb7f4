/**
 * Serves the built app (dist/) with the headers it is designed for: cross-origin
 * isolation (COOP/COEP), a Content-Security-Policy whose connect-src is the app
 * itself and the collector only, and /config.json telling the app where reports go.
 * `npm start` and the browser tests use it, so both see the same headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, relative, resolve, sep, isAbsolute } from 'node:path';
import { createWebServer, type TlsCredentials } from '../server-kit/tls';

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
  /** Hears each answered request: its method, path with query, status and the body bytes sent. */
  onRequest?: (served: ServedRequest) => void;
}

/** One request as the server answered it (for request logs and tests that count fetches). */
export interface ServedRequest {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly bodyBytes: number;
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

  const configTag = entityTag(Buffer.from(config), 'identity');
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
      res.setHeader('Cache-Control', 'no-cache');
      return send(req, res, Buffer.from(config), configTag);
    }
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    const inside = relative(root, file);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return answer(res, 403, 'forbidden');
    try {
      if (!(await stat(file)).isFile()) return answer(res, 404, 'not found');
    } catch {
      return answer(res, 404, 'not found');
    }
    const hashed = inside.startsWith(`assets${sep}`);
    const chosen = await pickEncoding(file, req.headers['accept-encoding']);
    if (chosen === undefined) return answer(res, 404, 'not found');
    res.setHeader('Content-Type', MIME[extname(file).toLowerCase()] ?? 'application/octet-stream');
    // Fingerprinted assets never change; the shell, the service worker and the model are revalidated
    // by their ETag, so an unchanged one costs a 304 and no body.
    res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('Vary', 'Accept-Encoding');
    if (chosen.encoding !== 'identity') res.setHeader('Content-Encoding', chosen.encoding);
    if (path === '/sw.js') {
      // The browser checks the service worker for updates on every navigation (past any HTTP cache),
      // and its scope is the whole app.
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
    send(req, res, chosen.body, entityTag(chosen.body, chosen.encoding));
  }

  const server = createWebServer(
    {},
    (req, res) => {
      const { onRequest } = options;
      if (onRequest) {
        res.once('finish', () => {
          const bodyBytes = Number(res.getHeader('Content-Length') ?? 0);
          const sent = req.method === 'HEAD' || res.statusCode === 304 ? 0 : bodyBytes;
          onRequest({ method: req.method ?? '', url: req.url ?? '', status: res.statusCode, bodyBytes: sent });
        });
      }
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

/** Encodings made at build time beside each hashed asset (`x.js.br`, `x.js.gz`), best first. */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

type Encoding = (typeof PRECOMPRESSED)[number]['encoding'] | 'identity';

/**
 * The file's bytes in the best encoding the request accepts and the build made: brotli, then gzip,
 * else as stored. undefined when the file cannot be read.
 */
async function pickEncoding(
  file: string,
  acceptEncoding: string | string[] | undefined,
): Promise<{ body: Buffer; encoding: Encoding } | undefined> {
  const accepted = acceptedEncodings(acceptEncoding);
  for (const { encoding, suffix } of PRECOMPRESSED) {
    if (!accepted.has(encoding)) continue;
    try {
      return { body: await readFile(file + suffix), encoding };
    } catch {
      // Not made for this file (too small or incompressible): try the next.
    }
  }
  try {
    return { body: await readFile(file), encoding: 'identity' };
  } catch {
    return undefined;
  }
}

/** Content codings an Accept-Encoding header allows (q=0 excludes one). */
export function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    accepted.add(name);
  }
  return accepted;
}

/** A strong validator of the bytes sent: each encoding of a file has its own. */
function entityTag(body: Buffer, encoding: Encoding): string {
  const digest = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  return `"${digest}${encoding === 'identity' ? '' : `-${encoding}`}"`;
}

/** Sends the body with its ETag, or 304 and no body when the request already holds it. */
function send(req: IncomingMessage, res: ServerResponse, body: Buffer, tag: string): void {
  res.setHeader('ETag', tag);
  if (matchesTag(req.headers['if-none-match'], tag)) {
    res.statusCode = 304;
    res.removeHeader('Content-Encoding');
    return void res.end();
  }
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function matchesTag(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => {
    const one = t.trim();
    return one === '*' || one === tag || one === `W/${tag}`;
  });
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
