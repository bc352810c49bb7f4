/**
 * A server's Hono app as the kit builds it: the one error shape for every refusal and failure,
 * CORS from an allow-list, a time limit on each handler, and the server's route table.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { corsAllowList, type CorsOptions } from './cors';
import { errorResponse, toHttpError, type HttpError } from './errors';
import { mountRoutes, type Route } from './routes';

export interface AppOptions {
  readonly routes: readonly Route[];
  /** CORS from an allow-list; absent: no CORS headers at all (same-origin pages only). */
  readonly cors?: CorsOptions;
  /**
   * A handler that has not answered within this time is answered with 503 TimeoutError (a
   * reporter retries it later; the work it started may still finish). 30 s by default; a route
   * may set its own (Route.timeoutMs).
   */
  readonly handlerTimeoutMs?: number;
  /** Answers are never cached unless a handler says otherwise (Cache-Control: no-store). */
  readonly noStore?: boolean;
  /** Maps failures that are not the request's fault to their answer (e.g. a database away: 503). */
  readonly classify?: (err: unknown) => HttpError | undefined;
  /** Runs before CORS and the routes (e.g. a server's own headers on every answer). */
  readonly before?: readonly MiddlewareHandler[];
}

export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  app.onError((err, c) => errorResponse(c, toHttpError(err, options.classify)));
  if (options.noStore) app.use(async (c, next) => (c.header('Cache-Control', 'no-store'), next()));
  for (const m of options.before ?? []) app.use(m);
  if (options.cors) app.use(corsAllowList(options.cors));
  mountRoutes(app, options.routes, options.handlerTimeoutMs ?? 30_000);
  return app;
}
