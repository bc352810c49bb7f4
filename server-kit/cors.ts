/**
 * CORS from an allow-list. A request without an Origin header (curl, the CLI, a peer server)
 * passes; a browser request from a listed origin gets its CORS headers; any other origin is
 * refused with 403 OriginNotAllowedError, preflight included. There is no wildcard: a server
 * names the pages that may call it.
 */
import type { MiddlewareHandler } from 'hono';
import { ObscuraError } from '../src/errors';
import { HttpError } from './errors';

export interface CorsOptions {
  /** Allowed origins, read on every request (so origins can be added while serving). */
  readonly origins: ReadonlySet<string>;
  /** Methods and request headers a preflight allows. */
  readonly methods: readonly string[];
  readonly headers: readonly string[];
  /** Answer headers a page may read (e.g. Retry-After). */
  readonly exposed?: readonly string[];
  /** How long a browser may keep a preflight's answer (600 s). */
  readonly maxAgeS?: number;
  /** Answers to allowed origins carry Cross-Origin-Resource-Policy: cross-origin, for pages under COEP. */
  readonly crossOriginResource?: boolean;
}

/** Throws InvalidParameterError for `*` or anything that is not an origin (scheme://host[:port]). */
export function checkOrigin(origin: string): string {
  if (origin === '*' || !URL.canParse(origin) || new URL(origin).origin !== origin)
    throw new ObscuraError(
      'InvalidParameterError',
      `${origin} is not an origin: list each page's origin (e.g. https://app.example), there is no wildcard`,
    );
  return origin;
}

export function corsAllowList(options: CorsOptions): MiddlewareHandler {
  for (const origin of options.origins) checkOrigin(origin);
  const methods = options.methods.join(', ');
  const headers = options.headers.join(', ');
  const exposed = options.exposed?.join(', ');
  const maxAge = String(options.maxAgeS ?? 600);
  return async (c, next) => {
    c.header('Vary', 'Origin');
    const origin = c.req.header('origin');
    if (origin === undefined) return next();
    if (!options.origins.has(origin))
      throw new HttpError(
        403,
        'OriginNotAllowedError',
        `origin ${origin} is not allowed; allowed: ${[...options.origins].join(', ') || 'none'}`,
      );
    c.header('Access-Control-Allow-Origin', origin);
    if (exposed) c.header('Access-Control-Expose-Headers', exposed);
    if (options.crossOriginResource) c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (c.req.method === 'OPTIONS') {
      c.header('Access-Control-Allow-Methods', methods);
      c.header('Access-Control-Allow-Headers', headers);
      c.header('Access-Control-Max-Age', maxAge);
    }
    return next();
  };
}
