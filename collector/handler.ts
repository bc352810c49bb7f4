/**
 * The collector's HTTP endpoints as one Hono app on the server kit (no listening socket: see
 * server.ts); ROUTES lists them all. Endpoints are described in collector/README.md.
 */
import type { Context, Hono } from 'hono';
import { describeError, ObscuraError } from '../src/errors';
import type { Report } from '../src/report/schema';
import { hostAllowed, tokenMatches } from './access';
import { estimateGroups, withLabels, type Aggregates, type LabelsOf } from './group-estimates';
import { withSimilarity } from './codebook-similarity';
import { parseBucketQuery, type BucketQuery } from './buckets';
import { compareTotals, parseCompareQuery, type CompareQuery, type CompareSide } from './compare';
import type { DashboardRoute } from './dashboard-route';
import { answerSampleSize } from './sample-size-query';
import { parseReportPageQuery, type ReportPageQuery } from './report-pages';
import { groupOf } from './groups';
import type { RateLimiter } from './rate-limit';
import type { ReportStore } from './store';
import { databaseUnavailable, UNAVAILABLE_RETRY_AFTER_S } from './unavailable';
import { verifyReport, type VerifiedReport } from './verify-report';
import { checkCodebook, type CodebookRegistry } from './codebooks';
import { checkReportTask, serveTasks, type DeclaredTasks } from './tasks-route';
import { createApp, HttpError, readText, type Route } from '../server-kit/index';

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
  readonly train?: readonly Route[];
}

/** Methods a page on an allowed origin may use, the request headers it may send, the answer headers it may read. */
export const CORS_METHODS = ['GET', 'POST'] as const;
export const CORS_HEADERS = ['Content-Type', 'Idempotency-Key'] as const;
/** A reporter honours Retry-After on 429 and 503. */
export const CORS_EXPOSED_HEADERS = ['Retry-After'] as const;

const MAX_LIST = 10_000;

export function createHandler(config: HandlerConfig): Hono {
  const { store } = config;
  /** Reads of what is stored: the Host check and, when the collector has one, the read token first. */
  const read =
    (handler: (c: Context) => Promise<Response> | Response) =>
    (c: Context): Promise<Response> | Response => {
      checkRead(c);
      return handler(c);
    };
  const tasks = (c: Context) => serveTasks(c, config.tasks);
  const ROUTES: readonly Route[] = [
    { path: '/reports', methods: { GET: read(listReports), POST: receive } },
    { path: '/aggregates', methods: { GET: read(aggregates) } },
    { path: '/compare', methods: { GET: read(compare) } },
    { path: '/sample-size', methods: { GET: read(sampleSize) } },
    { path: '/health', methods: { GET: health } },
    { path: '/stats', methods: { GET: read(async (c) => c.json({ reports: await store.count() })) } },
    { path: '/tasks', methods: { GET: tasks, HEAD: tasks } },
    { path: '/tasks/*', methods: { GET: tasks, HEAD: tasks } },
    ...(config.dashboard ? dashboardRoutes(config.dashboard, config.allowedHosts) : []),
    ...(config.train ?? []),
  ];
  return createApp({
    routes: ROUTES,
    noStore: true,
    cors: {
      origins: config.allowedOrigins,
      methods: CORS_METHODS,
      headers: CORS_HEADERS,
      exposed: CORS_EXPOSED_HEADERS,
      // The app is cross-origin isolated (COEP require-corp); its fetches need the answer readable.
      crossOriginResource: true,
    },
    classify: (err) =>
      databaseUnavailable(err)
        ? new HttpError(
            503,
            'ServiceUnavailableError',
            `the collector cannot reach its database (${describeError(err).message}); ` +
              `retry in ${UNAVAILABLE_RETRY_AFTER_S} s`,
            { headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_S) } },
          )
        : undefined,
  });

  async function compare(c: Context): Promise<Response> {
    const query: CompareQuery = parameters(() => parseCompareQuery(searchParams(c), new Date()));
    const [a, b] = await Promise.all([sideTotals(query.a), sideTotals(query.b)]);
    return c.json(compareTotals(query, a, b, (id) => config.codebooks?.get(id)?.labels));
  }

  function sampleSize(c: Context): Response {
    try {
      return c.json(answerSampleSize(searchParams(c)));
    } catch (err) {
      if (!(err instanceof ObscuraError) || err.name !== 'InvalidParameterError') throw err;
      throw new HttpError(400, 'InvalidParameterError', err.message);
    }
  }

  async function aggregates(c: Context): Promise<Response> {
    const params = searchParams(c);
    const query: BucketQuery | null = parameters(() => parseBucketQuery(params, new Date()));
    // Category shares carry their labels, vector means their similarity to each codebook of their model.
    const labelsOf: LabelsOf = (id) => config.codebooks?.get(id)?.labels;
    const withNames = <T extends Aggregates>(a: T): T => ({
      ...a,
      vectors: a.vectors.map((v) => withSimilarity(v, config.codebooks)),
      categories: a.categories.map((cat) => withLabels(cat, labelsOf)),
    });
    if (query) {
      const page = await store.buckets(query);
      return c.json({ ...page, buckets: page.buckets.map(withNames) });
    }
    return c.json(withNames(estimateGroups(await store.totals(params.get('scope') ?? undefined))));
  }

  async function listReports(c: Context): Promise<Response> {
    const params = searchParams(c);
    const scope = params.get('scope') ?? undefined;
    const pageQuery: ReportPageQuery | null = parameters(() => parseReportPageQuery(params, new Date()));
    if (pageQuery) return c.json(await store.reportPage(pageQuery));
    const since = params.get('since');
    if (since !== null) return streamSince(c, since, scope);
    const limitParam = params.get('limit');
    const limit = limitParam === null ? 1000 : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)
      throw new HttpError(
        400,
        'InvalidParameterError',
        `limit must be an integer from 1 to ${MAX_LIST}, got ${limitParam}`,
      );
    return c.json({ reports: await store.list(scope, limit) });
  }

  /**
   * Throws unless this request may read what is stored. Reports come from anywhere (and through
   * proxies); what is stored is read by name (the Host check) and, when the collector has a read
   * token, with it.
   */
  function checkRead(c: Context): void {
    const host = c.req.header('host');
    if (!hostAllowed(host, config.allowedHosts))
      throw new HttpError(
        403,
        'HostNotAllowedError',
        `Host ${host ?? '(none)'} is not a name of this collector; allowed: ${[...config.allowedHosts].join(', ')}`,
      );
    if (config.readToken !== undefined && !tokenMatches(c.req.header('authorization'), config.readToken))
      throw new HttpError(401, 'UnauthorizedError', `${c.req.path} needs Authorization: Bearer <read token>`, {
        headers: { 'WWW-Authenticate': 'Bearer realm="obscura-collector"' },
      });
  }

  /**
   * Up and with its database reachable (503 otherwise), to anyone, and nothing more whoever asks:
   * the number of stored reports tells how many people took part, so it is GET /stats, a read.
   */
  async function health(c: Context): Promise<Response> {
    await store.ping();
    return c.json({ ok: true });
  }

  /** A side's totals: the running totals of its scope, or the raw reports of its receive-time range. */
  function sideTotals(side: CompareSide) {
    if (side.since === null || side.until === null) return store.totals(side.scope);
    return store.rangeTotals(side.scope, side.since, side.until);
  }

  /** Every report received since a time, oldest first, one JSON object a line, read and written page by page. */
  function streamSince(c: Context, since: string, scope: string | undefined): Response {
    const t = new Date(since);
    if (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(t.getTime()))
      throw new HttpError(400, 'InvalidParameterError', `since must be an ISO 8601 time, got ${since}`);
    const pages = store.since(t, scope);
    const encoder = new TextEncoder();
    // Pulled page by page as the client reads: a slow reader holds one page, not the whole export.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await pages.next();
        if (next.done) return controller.close();
        controller.enqueue(encoder.encode(next.value.map((r) => JSON.stringify(r)).join('\n') + '\n'));
      },
      async cancel() {
        await pages.return(undefined);
      },
    });
    c.header('Content-Type', 'application/x-ndjson; charset=utf-8');
    return c.body(body, 200);
  }

  async function receive(c: Context): Promise<Response> {
    const client = c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
    const wait = config.rateLimiter?.take(client) ?? 0;
    if (wait > 0)
      throw new HttpError(429, 'RateLimitedError', `too many reports from this client; retry in ${wait} s`, {
        headers: { 'Retry-After': String(wait) },
      });
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type))
      throw new HttpError(
        415,
        'UnsupportedMediaTypeError',
        `send Content-Type: application/json, got ${type || 'none'}`,
      );
    const text = await readText(c, config.maxBodyBytes);
    let verified: VerifiedReport;
    try {
      verified = verifyReport(parseJson(text));
      checkReportTask(config.tasks, verified.report);
      if (config.codebooks) checkCodebook(verified.report, config.codebooks);
    } catch (err) {
      const { name, message } = describeError(err);
      const issues = err instanceof ObscuraError ? err.details?.['issues'] : undefined;
      throw new HttpError(400, name, message, issues ? { extra: { issues } } : {});
    }
    const report: Report = verified.report;
    const key = c.req.header('idempotency-key');
    if (key !== undefined && key !== report.id)
      throw new HttpError(
        400,
        'InvalidReportError',
        `Idempotency-Key must equal the report id: got ${String(key)} for report ${report.id}`,
      );
    const outcome = await store.insert(report, groupOf(verified));
    if (outcome === 'conflict')
      throw new HttpError(409, 'ReportConflictError', `report ${report.id} was already stored with a different body`);
    return c.json({ id: report.id, outcome }, outcome === 'stored' ? 201 : 200);
  }
}

/** The dashboard's page and files: it answers every method itself (GET and HEAD, else 405). */
function dashboardRoutes(dashboard: DashboardRoute, allowedHosts: ReadonlySet<string>): Route[] {
  const any = (c: Context) => dashboard(c, allowedHosts);
  return [
    { path: '/dashboard', any },
    { path: '/dashboard/*', any },
  ];
}

function searchParams(c: Context): URLSearchParams {
  return new URL(c.req.url).searchParams;
}

/** The query `parse` reads, or 400 InvalidParameterError saying what is wrong with it. */
function parameters<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new HttpError(400, 'InvalidParameterError', describeError(err).message);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ObscuraError('InvalidReportError', `body is not JSON: ${(err as Error).message}`);
  }
}
