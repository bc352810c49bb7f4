/**
 * A server's endpoints as one table: each path with the handler of each method it accepts. The
 * kit answers the rest alike on every server: OPTIONS with the methods a path allows (204, or 405
 * when a preflight asks for another), another method with 405 and Allow, an unknown path with 404
 * listing the endpoints. Each handler runs under a time limit.
 */
import type { Context, Hono } from 'hono';
import { errorResponse, HttpError } from './errors';

export type Handler = (c: Context) => Response | Promise<Response>;

/** Handlers by method; HEAD is served by GET's handler and is listed only to be announced in Allow. */
export type MethodHandlers = Readonly<Partial<Record<'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE', Handler>>>;

/** A path (a Hono pattern: `/reports`, `/reports/:id`, `/dashboard/*`) and its handlers by method. */
export type Route = (
  | { readonly path: string; readonly methods: MethodHandlers }
  /** A path whose handler takes every method and answers each itself (its own Allow and 405). */
  | { readonly path: string; readonly any: Handler }
) & {
  /**
   * This route's time limit instead of the app's; Infinity for none, for work whose time grows
   * with what is stored and whose caller waits for the whole answer.
   */
  readonly timeoutMs?: number;
};

/** Adds the routes to `app`, each answering its methods, OPTIONS and 405; unknown paths get 404. */
export function mountRoutes(app: Hono, routes: readonly Route[], timeoutMs: number): void {
  for (const route of routes) {
    const limit = route.timeoutMs ?? timeoutMs;
    if ('any' in route) {
      app.all(route.path, withTimeout(route.any, limit));
      continue;
    }
    const methods = Object.keys(route.methods);
    const allow = [...methods, 'OPTIONS'].join(', ');
    const refuse = (path: string, method: string) =>
      new HttpError(405, 'MethodNotAllowedError', `${path} accepts ${methods.join(', ')}, not ${method}`, {
        headers: { Allow: allow },
      });
    const handlers = new Map(Object.entries(route.methods).map(([m, h]) => [m, withTimeout(h, limit)]));
    app.all(route.path, (c) => {
      const method = c.req.method;
      const handler = handlers.get(method);
      if (handler) return handler(c);
      if (method !== 'OPTIONS') throw refuse(c.req.path, method);
      const wanted = c.req.header('access-control-request-method');
      if (wanted !== undefined && !methods.includes(wanted)) throw refuse(c.req.path, wanted);
      c.header('Allow', allow);
      return c.body(null, 204);
    });
  }
  const paths = routes.map((r) => r.path).join(', ');
  app.notFound((c) =>
    errorResponse(c, new HttpError(404, 'NotFoundError', `no endpoint ${c.req.path}; endpoints: ${paths}`)),
  );
}

/** `handler`, answered with 503 TimeoutError when it takes longer than `ms` (the work it started may finish). */
export function withTimeout(handler: Handler, ms: number): Handler {
  if (ms === Infinity) return handler;
  return async (c) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HttpError(503, 'TimeoutError', `the server did not answer within ${ms} ms; retry later`)),
        ms,
      );
    });
    try {
      return await Promise.race([handler(c), late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
