/**
 * Serves the built app (dist/) with the headers it is designed for: cross-origin
 * isolation (COOP/COEP), a Content-Security-Policy whose connect-src is the app
 * itself and the collector only, and /config.json telling the app where reports go.
 * `npm start` and the browser tests use it, so both see the same headers.
 */
import type { Context } from 'hono';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, relative, resolve, sep, isAbsolute } from 'node:path';
import { createApp, HttpError, listen, nodeListener } from '../server-kit/index';
import type { TlsCredentials } from '../server-kit/tls';

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

  const configBody = Buffer.from(config);
  const configTag = entityTag(configBody, 'identity');
  const widgetPolicy = contentSecurityPolicy(endpoints.join(' '), frameAncestorsOf(options.widgetAncestors));

  const serveFile = async (c: Context): Promise<Response> => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD')
      throw new HttpError(405, 'MethodNotAllowedError', `${c.req.path} accepts GET and HEAD, not ${method}`, {
        headers: { Allow: 'GET, HEAD' },
      });
    const path = decodePath(c.req.url);
    if (path === undefined)
      throw new HttpError(400, 'InvalidPathError', 'the path is not valid percent-encoding, or holds a NUL');
    if (path === '/config.json') {
      c.header('Content-Type', MIME['.json']!);
      c.header('Cache-Control', 'no-cache');
      return send(c, configBody, configTag);
    }
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    const inside = relative(root, file);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside))
      throw new HttpError(403, 'ForbiddenError', `${path} is outside the served folder`);
    const chosen = (await isFile(file)) ? await pickEncoding(file, c.req.header('accept-encoding')) : undefined;
    if (chosen === undefined) throw new HttpError(404, 'NotFoundError', `no file ${path}`);
    const hashed = inside.startsWith(`assets${sep}`);
    c.header('Content-Type', MIME[extname(file).toLowerCase()] ?? 'application/octet-stream');
    // Fingerprinted assets never change; the shell, the service worker and the model are revalidated
    // by their ETag, so an unchanged one costs a 304 and no body.
    c.header('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    c.header('Vary', 'Accept-Encoding');
    if (chosen.encoding !== 'identity') c.header('Content-Encoding', chosen.encoding);
    if (path === '/sw.js') {
      // The browser checks the service worker for updates on every navigation (past any HTTP cache),
      // and its scope is the whole app.
      c.header('Service-Worker-Allowed', '/');
    }
    if (WIDGET_FILES.has(path)) {
      // Host pages on any origin load the loader and frame the widget page; a cross-origin
      // isolated host (COEP) accepts them only with this resource policy.
      c.header('Cross-Origin-Resource-Policy', 'cross-origin');
      if (path === '/widget.js') c.header('Access-Control-Allow-Origin', '*');
      if (path === '/widget.html') c.header('Content-Security-Policy', widgetPolicy);
    }
    if (path === '/connect.html') {
      // A widget frame on another site opens this window and talks to it: a same-origin opener
      // policy would cut the two apart. Nothing may frame it, so no host can dress it up.
      c.header('Cross-Origin-Opener-Policy', 'unsafe-none');
      c.header('Content-Security-Policy', contentSecurityPolicy(collector.origin, "'none'"));
    }
    return send(c, chosen.body, entityTag(chosen.body, chosen.encoding));
  };

  const app = createApp({ routes: [{ path: '*', any: serveFile }] });
  const listener = nodeListener(app.fetch);
  const { onRequest } = options;
  const served = await listen(
    (req, res) => {
      // Every answer carries the isolation headers and the policy, refusals included; headers a
      // file sets itself (the widget page's policy, connect.html's opener policy) take precedence.
      // Set here, they also keep the answer's headers readable at 'finish' for onRequest.
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      if (onRequest)
        res.once('finish', () => {
          const bodyBytes = Number(res.getHeader('Content-Length') ?? 0);
          const sent = req.method === 'HEAD' || res.statusCode === 304 ? 0 : bodyBytes;
          onRequest({ method: req.method ?? '', url: req.url ?? '', status: res.statusCode, bodyBytes: sent });
        });
      listener(req, res);
    },
    { port: options.port ?? 0, host: options.host ?? '127.0.0.1', ...(options.tls ? { tls: options.tls } : {}) },
  );
  return { url: served.url, port: served.port, close: served.close };
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
function send(c: Context, body: Buffer, tag: string): Response {
  c.header('ETag', tag);
  if (matchesTag(c.req.header('if-none-match'), tag)) {
    c.header('Content-Encoding', undefined);
    return c.body(null, 304);
  }
  c.header('Content-Length', String(body.length));
  // HEAD is answered by this GET handler; the kit's framework sends the headers without the body.
  return c.body(new Uint8Array(body.buffer, body.byteOffset, body.length) as Uint8Array<ArrayBuffer>, 200);
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

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
