/**
 * GET /dashboard: a static page (built by `vite build -c vite.dashboard.config.ts` into
 * dist-dashboard/) that reads the collector's own API from the browser. The page and its
 * assets hold no data, so they are served without the read token; the API calls carry it.
 * Everything is read once at start and served from memory, under a CSP that allows
 * scripts, styles and fetches from the collector itself only.
 *
 * GET /dashboard/codebooks.json lists the codebooks the collector was given (public files:
 * ids, hashes and labels, never a classifier), so the page can name categories.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { Context } from 'hono';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseCodebookJson } from '../src/codebook/load-codebook';
import { describeError } from '../src/errors';
import { hostAllowed } from './access';
import { DEFAULT_CODEBOOKS_DIR, type CodebookRegistry } from './codebooks';
import { errorResponse, HttpError } from '../server-kit/index';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
/** Where `npm run build` writes the page. */
export const DEFAULT_DASHBOARD_DIR = join(PROJECT, 'dist-dashboard');

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** What the page learns of a codebook: enough to label categories and to tell versions apart. */
export interface CodebookLabels {
  readonly id: string;
  readonly hash: string;
  readonly labels: readonly string[];
}

export interface DashboardOptions {
  /** The built page; dist-dashboard/ of the project by default. */
  readonly dir?: string;
  /** The codebooks the collector checks reports against: their labels are the page's, and nothing is read again. */
  readonly codebooks?: CodebookRegistry;
  /** Without `codebooks`: codebook files whose labels the page shows; public/codebooks/ of the project by default. */
  readonly codebooksDir?: string;
}

/** Answers a dashboard path, any method; `allowedHosts` are the collector's live names (see access.ts). */
export type DashboardRoute = (c: Context, allowedHosts: ReadonlySet<string>) => Response;

export interface Dashboard {
  readonly serve: DashboardRoute;
  /** The codebooks whose labels the page is given. */
  readonly codebooks: readonly CodebookLabels[];
  /** False when the page was not built: /dashboard answers 503 then. */
  readonly built: boolean;
}

const PREFIX = '/dashboard/';

/** Reads the built page and the codebooks' labels; a missing build is answered with 503 and what to run. */
export async function loadDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const dir = options.dir ?? DEFAULT_DASHBOARD_DIR;
  const files = new Map<string, { type: string; body: Buffer }>();
  let missing: string | null = null;
  for (const [name, type] of Object.entries(FILES)) {
    try {
      files.set(name, { type, body: await readFile(join(dir, name)) });
    } catch {
      missing ??= join(dir, name);
    }
  }
  const codebooks = options.codebooks
    ? [...options.codebooks.values()].map(({ id, hash, labels }) => ({ id, hash, labels }))
    : await readCodebooks(options.codebooksDir ?? DEFAULT_CODEBOOKS_DIR);
  const codebooksBody = Buffer.from(JSON.stringify({ codebooks }));
  const serve: DashboardRoute = (c, allowedHosts) => {
    const pathname = c.req.path;
    const refuse = (status: 403 | 404 | 405 | 503, name: string, message: string, headers?: Record<string, string>) =>
      errorResponse(c, new HttpError(status, name, message, headers ? { headers } : {}));
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD')
      return refuse(405, 'MethodNotAllowedError', `${pathname} accepts GET, not ${c.req.method}`, {
        Allow: 'GET, HEAD',
      });
    // The page is harmless on any name, but a page rebinding its name to this collector gets nothing.
    const host = c.req.header('host');
    if (!hostAllowed(host, allowedHosts))
      return refuse(
        403,
        'HostNotAllowedError',
        `Host ${host ?? '(none)'} is not a name of this collector; allowed: ${[...allowedHosts].join(', ')}`,
      );
    // Files are looked up by name in memory: no path reaches the file system.
    const name =
      pathname === '/dashboard' || pathname === PREFIX
        ? 'index.html'
        : pathname.startsWith(PREFIX)
          ? pathname.slice(PREFIX.length)
          : '';
    if (name === 'codebooks.json') return send(c, 'application/json; charset=utf-8', codebooksBody);
    const file = files.get(name);
    if (!file && name in FILES)
      return refuse(
        503,
        'DashboardNotBuiltError',
        `the dashboard is not built (${missing} is missing); run npm run build`,
      );
    if (!file)
      return refuse(
        404,
        'NotFoundError',
        `no dashboard file ${pathname}; files: /dashboard, ${[...Object.keys(FILES), 'codebooks.json']
          .map((n) => PREFIX + n)
          .join(', ')}`,
      );
    return send(c, file.type, file.body);
  };
  return { serve, codebooks, built: missing === null };
}

function send(c: Context, type: string, body: Buffer): Response {
  c.header('Content-Type', type);
  c.header('Content-Length', String(body.length));
  c.header('Content-Security-Policy', DASHBOARD_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
  c.header('Cache-Control', 'no-cache');
  return c.body(new Uint8Array(body.buffer, body.byteOffset, body.length) as Uint8Array<ArrayBuffer>, 200);
}

/**
 * Every valid codebook in `dir` (hash-checked, as a device would load it); a file that fails is
 * skipped with a warning, so one bad file costs its labels, not the collector.
 */
async function readCodebooks(dir: string): Promise<CodebookLabels[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const out: CodebookLabels[] = [];
  for (const name of names) {
    try {
      const codebook = await parseCodebookJson(await readFile(join(dir, name), 'utf8'));
      out.push({ id: codebook.id, hash: codebook.hash, labels: codebook.labels });
    } catch (err) {
      console.warn(`collector: codebook ${join(dir, name)} skipped: ${describeError(err).message}`);
    }
  }
  return out;
}
