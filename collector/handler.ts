/**
 * The collector's HTTP endpoints as one request handler (no listening socket: see
 * server.ts). Endpoints are described in collector/README.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, ObscuraError } from '../src/errors';
import type { Report } from '../src/report/schema';
import { hostAllowed, tokenMatches } from './access';
import { aggregateTotals, withLabels, type Aggregates, type LabelsOf } from './aggregate';
import { withSimilarity } from './codebook-similarity';
import { parseBucketQuery, type BucketQuery } from './buckets';
import { compareTotals, parseCompareQuery, type CompareQuery, type CompareSide } from './compare';
import { isDashboardPath, type DashboardRoute } from './dashboard-route';
import { answerSampleSize } from './sample-size-query';
import { parseReportPageQuery, type ReportPageQuery } from './report-pages';
import { groupOf } from './groups';
import { applyCors, readBody, sendError, sendJson } from './http';
import type { RateLimiter } from './rate-limit';
import type { ReportStore } from './store';
import { databaseUnavailable, UNAVAILABLE_RETRY_AFTER_S } from './unavailable';
import { verifyReport, type VerifiedReport } from './verify-report';
import { checkCodebook, type CodebookRegistry } from './codebooks';
import { checkReportTask, isTasksPath, serveTasks, type DeclaredTasks } from './tasks-route';
import type { TrainRouteHandler } from './train-routes';

export interface HandlerConfig {
  readonly store: ReportStore;
  /** Browser origins allowed by CORS (live: origins can be added while serving). */
  readonly allowedOrigins: Set<string>;
  /** Accepted Host header values, normalised (see access.ts); live as well. */
  readonly allowedHosts: Set<string>;
  /** When set, GET /reports, /aggregates, /stats (and the other reads) need `Authorization: Bearer <token>`. */
  readonly readToken: string | undefined;
  /** Limits report POSTs per client; undefined: no limit. */
  readonly rateLimiter: RateLimiter | undefined;
  readonly maxBodyBytes: number;
  /** Serves GET /dashboard and its files (no token: the page holds no data). */
  readonly dashboard?: DashboardRoute;
  /** The codebooks category reports may name (codebooks.ts); undefined: any id and k are taken. */
  readonly codebooks?: CodebookRegistry | undefined;
  /** The declared tasks (GET /tasks); a report no task allows is refused. */
  readonly tasks: DeclaredTasks;
  /** The training routes (/train/…, train-routes.ts), when the collector declares training tasks. */
  readonly train?: TrainRouteHandler;
}

/** A read refused: the answer's status, error name, message and extra headers. */
interface ReadRefusal {
  readonly status: number;
  readonly name: string;
  readonly message: string;
  readonly headers?: Record<string, string>;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

const ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/reports': ['GET', 'POST'],
  '/aggregates': ['GET'],
  '/compare': ['GET'],
  '/sample-size': ['GET'],
  '/health': ['GET'],
  '/stats': ['GET'],
};
const MAX_LIST = 10_000;

export function createHandler(config: HandlerConfig): RequestHandler {
  const { store, allowedOrigins: allowed } = config;
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const { name, message } = describeError(err);
      if (res.headersSent) return void res.destroy();
      if (databaseUnavailable(err))
        return sendError(
          res,
          503,
          'ServiceUnavailableError',
          `the collector cannot reach its database (${message}); retry in ${UNAVAILABLE_RETRY_AFTER_S} s`,
          { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_S) },
        );
      sendError(res, 500, name === 'Error' ? 'InternalError' : name, message);
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://collector');
    const method = req.method ?? 'GET';
    if (!applyCors(req, res, allowed))
      return sendError(
        res,
        403,
        'OriginNotAllowedError',
        `origin ${req.headers.origin} is not allowed; allowed: ${[...allowed].join(', ') || 'none'}`,
      );
    if (config.dashboard && isDashboardPath(url.pathname))
      return config.dashboard(req, res, url.pathname, config.allowedHosts);
    if (isTasksPath(url.pathname)) return serveTasks(req, res, url.pathname, config.tasks);
    if (config.train && (await config.train(req, res, url.pathname))) return;
    const methods = ROUTES[url.pathname];
    if (!methods)
      return sendError(
        res,
        404,
        'NotFoundError',
        `no endpoint ${url.pathname}; endpoints: ${Object.keys(ROUTES).join(', ')}`,
      );
    const allow = { Allow: [...methods, 'OPTIONS'].join(', ') };
    if (method === 'OPTIONS') {
      const wanted = req.headers['access-control-request-method'];
      if (wanted !== undefined && !methods.includes(wanted))
        return sendError(
          res,
          405,
          'MethodNotAllowedError',
          `${url.pathname} accepts ${methods.join(', ')}, not ${wanted}`,
          allow,
        );
      return sendJson(res, 204, undefined, allow);
    }
    if (!methods.includes(method))
      return sendError(
        res,
        405,
        'MethodNotAllowedError',
        `${url.pathname} accepts ${methods.join(', ')}, not ${method}`,
        allow,
      );

    if (url.pathname === '/health') return health(res);
    if (method === 'POST') return receive(req, res);
    const refused = readRefusal(req, url.pathname);
    if (refused) return sendError(res, refused.status, refused.name, refused.message, refused.headers);
    if (url.pathname === '/stats') return sendJson(res, 200, { reports: await store.count() });
    const scope = url.searchParams.get('scope') ?? undefined;
    if (url.pathname === '/compare') {
      let query: CompareQuery;
      try {
        query = parseCompareQuery(url.searchParams, new Date());
      } catch (err) {
        return sendError(res, 400, 'InvalidParameterError', describeError(err).message);
      }
      const [a, b] = await Promise.all([sideTotals(query.a), sideTotals(query.b)]);
      return sendJson(
        res,
        200,
        compareTotals(query, a, b, (id) => config.codebooks?.get(id)?.labels),
      );
    }
    if (url.pathname === '/sample-size') {
      try {
        return sendJson(res, 200, answerSampleSize(url.searchParams));
      } catch (err) {
        if (!(err instanceof ObscuraError) || err.name !== 'InvalidParameterError') throw err;
        return sendError(res, 400, 'InvalidParameterError', err.message);
      }
    }
    if (url.pathname === '/aggregates') {
      let query: BucketQuery | null;
      try {
        query = parseBucketQuery(url.searchParams, new Date());
      } catch (err) {
        return sendError(res, 400, 'InvalidParameterError', describeError(err).message);
      }
      // Category shares carry their labels, vector means their similarity to each codebook of their model.
      const labelsOf: LabelsOf = (id) => config.codebooks?.get(id)?.labels;
      const read = <T extends Aggregates>(a: T): T => ({
        ...a,
        vectors: a.vectors.map((v) => withSimilarity(v, config.codebooks)),
        categories: a.categories.map((c) => withLabels(c, labelsOf)),
      });
      if (query) {
        const page = await store.buckets(query);
        return sendJson(res, 200, { ...page, buckets: page.buckets.map(read) });
      }
      return sendJson(res, 200, read(aggregateTotals(await store.totals(scope))));
    }
    let pageQuery: ReportPageQuery | null;
    try {
      pageQuery = parseReportPageQuery(url.searchParams, new Date());
    } catch (err) {
      return sendError(res, 400, 'InvalidParameterError', describeError(err).message);
    }
    if (pageQuery) return sendJson(res, 200, await store.reportPage(pageQuery));
    const since = url.searchParams.get('since');
    if (since !== null) return streamSince(res, since, scope);
    const limitParam = url.searchParams.get('limit');
    const limit = limitParam === null ? 1000 : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)
      return sendError(
        res,
        400,
        'InvalidParameterError',
        `limit must be an integer from 1 to ${MAX_LIST}, got ${limitParam}`,
      );
    return sendJson(res, 200, { reports: await store.list(scope, limit) });
  }

  /**
   * Why this request may not read what is stored, or null when it may. Reports come from anywhere
   * (and through proxies); what is stored is read by name (the Host check) and, when the collector
   * has a read token, with it.
   */
  function readRefusal(req: IncomingMessage, path: string): ReadRefusal | null {
    if (!hostAllowed(req, config.allowedHosts))
      return {
        status: 403,
        name: 'HostNotAllowedError',
        message:
          `Host ${req.headers.host ?? '(none)'} is not a name of this collector; ` +
          `allowed: ${[...config.allowedHosts].join(', ')}`,
      };
    if (config.readToken !== undefined && !tokenMatches(req, config.readToken))
      return {
        status: 401,
        name: 'UnauthorizedError',
        message: `${path} needs Authorization: Bearer <read token>`,
        headers: { 'WWW-Authenticate': 'Bearer realm="obscura-collector"' },
      };
    return null;
  }

  /**
   * Up and with its database reachable (503 otherwise), to anyone, and nothing more whoever asks:
   * the number of stored reports tells how many people took part, so it is GET /stats, a read.
   */
  async function health(res: ServerResponse): Promise<void> {
    await store.ping();
    return sendJson(res, 200, { ok: true });
  }

  /** A side's totals: the running totals of its scope, or the raw reports of its receive-time range. */
  function sideTotals(side: CompareSide) {
    if (side.since === null || side.until === null) return store.totals(side.scope);
    return store.rangeTotals(side.scope, side.since, side.until);
  }

  /** Every report received since a time, oldest first, one JSON object a line, read and written page by page. */
  async function streamSince(res: ServerResponse, since: string, scope: string | undefined): Promise<void> {
    const t = new Date(since);
    if (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(t.getTime()))
      return sendError(res, 400, 'InvalidParameterError', `since must be an ISO 8601 time, got ${since}`);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    for await (const page of store.since(t, scope)) {
      if (res.destroyed) return;
      const chunk = page.map((r) => JSON.stringify(r)).join('\n') + '\n';
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    }
    res.end();
  }

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const wait = config.rateLimiter?.take(req.socket.remoteAddress ?? 'unknown') ?? 0;
    if (wait > 0) {
      req.resume();
      return sendError(res, 429, 'RateLimitedError', `too many reports from this client; retry in ${wait} s`, {
        'Retry-After': String(wait),
      });
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type))
      return sendError(
        res,
        415,
        'UnsupportedMediaTypeError',
        `send Content-Type: application/json, got ${type || 'none'}`,
      );
    const body = await readBody(req, config.maxBodyBytes);
    if (!body.ok)
      return sendError(
        res,
        413,
        'PayloadTooLargeError',
        `a report is at most ${config.maxBodyBytes} bytes, got ${body.size}`,
        { Connection: 'close' },
      );
    let verified: VerifiedReport;
    try {
      verified = verifyReport(parseJson(body.text));
      checkReportTask(config.tasks, verified.report);
      if (config.codebooks) checkCodebook(verified.report, config.codebooks);
    } catch (err) {
      const { name, message } = describeError(err);
      const issues = err instanceof ObscuraError ? err.details?.['issues'] : undefined;
      return sendJson(res, 400, { error: { name, message, ...(issues ? { issues } : {}) } });
    }
    const report: Report = verified.report;
    const key = req.headers['idempotency-key'];
    if (key !== undefined && key !== report.id)
      return sendError(
        res,
        400,
        'InvalidReportError',
        `Idempotency-Key must equal the report id: got ${String(key)} for report ${report.id}`,
      );
    const outcome = await store.insert(report, groupOf(verified));
    if (outcome === 'conflict')
      return sendError(res, 409, 'ReportConflictError', `report ${report.id} was already stored with a different body`);
    return sendJson(res, outcome === 'stored' ? 201 : 200, { id: report.id, outcome });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ObscuraError('InvalidReportError', `body is not JSON: ${(err as Error).message}`);
  }
}
