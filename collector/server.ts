/**
 * The reference collector: validates reports with the client's own schema, stores
 * them once per id in an embedded database and serves unbiased aggregates.
 * Endpoints and storage are described in collector/README.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { describeError, ObscuraError } from '../src/errors';
import { parseReport, type Report } from '../src/report/schema';
import { aggregate, type Aggregates } from './aggregate';
import { applyCors, readBody, sendError, sendJson } from './http';
import { ReportStore } from './store';

/**
 * Test-only fault injection for the client's retry logic. It is set through the
 * programmatic API (the `faults` option or the handle's `faults` object) and is not
 * reachable over HTTP. Faults apply to `POST /reports` only, so tests that poll
 * `GET /reports` or `/health` do not use them up.
 */
export interface Faults {
  /** Answer 500 to this many coming report POSTs (nothing is stored). */
  failNext: number;
  /** Destroy the connection of this many coming report POSTs without answering (nothing is stored). */
  dropNext: number;
  /** Store this many coming reports, then destroy the connection: the client never learns it was delivered. */
  dropAfterStoreNext: number;
}

export interface CollectorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; the default 127.0.0.1 keeps the collector off the network. */
  host?: string;
  /** Folder of the database, kept across restarts; one collector per folder. */
  dataDir?: string;
  /** Keep the database in memory (the default when no dataDir is given). */
  inMemory?: boolean;
  /** Browser origins allowed to call the collector (CORS); requests without an Origin header always pass. */
  allowedOrigins?: readonly string[];
  /** Largest accepted body; 1 MiB by default. */
  maxBodyBytes?: number;
  /** Faults to inject from the start (tests only). */
  faults?: Partial<Faults>;
}

export interface Collector {
  /** Base URL, e.g. http://127.0.0.1:5174; reports go to `${url}/reports`. */
  readonly url: string;
  readonly port: number;
  readonly store: ReportStore;
  /** Live fault counters (tests only): set a field to inject that many faults. */
  readonly faults: Faults;
  /** Whether the collector accepts connections (false between pause and resume). */
  readonly listening: boolean;
  /** Adds a browser origin to the CORS allow-list. */
  allowOrigin(origin: string): void;
  /** Number of stored reports, of one scope or of all. */
  count(scope?: string): Promise<number>;
  /** Stored report ids in arrival order, of one scope or of all. */
  ids(scope?: string): Promise<string[]>;
  /** What `GET /aggregates` answers. */
  aggregates(scope?: string): Promise<Aggregates>;
  /** Stops listening and cuts open connections (as if the collector were down); the database stays open. */
  pause(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  /** Stops listening and closes the database. */
  close(): Promise<void>;
}

const ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/reports': ['GET', 'POST'],
  '/aggregates': ['GET'],
  '/health': ['GET'],
};
const MAX_LIST = 10_000;

export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  if (options.dataDir !== undefined && options.inMemory)
    throw new ObscuraError('InvalidParameterError', 'give either dataDir or inMemory, not both');
  const host = options.host ?? '127.0.0.1';
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const store = await ReportStore.open(options.inMemory ? undefined : options.dataDir);
  const allowed = new Set(options.allowedOrigins ?? []);
  const faults: Faults = { failNext: 0, dropNext: 0, dropAfterStoreNext: 0, ...options.faults };
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const { name, message } = describeError(err);
      sendError(res, 500, name === 'Error' ? 'InternalError' : name, message);
    });
  });
  // A slow or stalled client cannot hold a connection for long.
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

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

    const scope = url.searchParams.get('scope') ?? undefined;
    if (url.pathname === '/health') return sendJson(res, 200, { ok: true, reports: await store.count() });
    if (url.pathname === '/aggregates') return sendJson(res, 200, aggregate(await store.all(scope)));
    if (method === 'GET') {
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
    return receive(req, res);
  }

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (faults.dropNext > 0) {
      faults.dropNext--;
      req.socket.destroy();
      return;
    }
    if (faults.failNext > 0) {
      faults.failNext--;
      return sendError(res, 500, 'InjectedFaultError', 'the collector failed on purpose (test fault injection)');
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type))
      return sendError(
        res,
        415,
        'UnsupportedMediaTypeError',
        `send Content-Type: application/json, got ${type || 'none'}`,
      );
    const body = await readBody(req, maxBody);
    if (!body.ok)
      return sendError(res, 413, 'PayloadTooLargeError', `a report is at most ${maxBody} bytes, got ${body.size}`, {
        Connection: 'close',
      });
    let report: Report;
    try {
      report = parseReport(parseJson(body.text));
    } catch (err) {
      const { name, message } = describeError(err);
      const issues = err instanceof ObscuraError ? err.details?.['issues'] : undefined;
      return sendJson(res, 400, { error: { name, message, ...(issues ? { issues } : {}) } });
    }
    const key = req.headers['idempotency-key'];
    if (key !== undefined && key !== report.id)
      return sendError(
        res,
        400,
        'InvalidReportError',
        `Idempotency-Key must equal the report id: got ${String(key)} for report ${report.id}`,
      );
    const outcome = await store.insert(report);
    if (outcome === 'conflict')
      return sendError(res, 409, 'ReportConflictError', `report ${report.id} was already stored with a different body`);
    if (outcome === 'stored' && faults.dropAfterStoreNext > 0) {
      faults.dropAfterStoreNext--;
      req.socket.destroy();
      return;
    }
    return sendJson(res, outcome === 'stored' ? 201 : 200, { id: report.id, outcome });
  }

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  try {
    await listen(options.port ?? 0);
  } catch (err) {
    await store.close();
    throw err;
  }
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    faults,
    get listening() {
      return server.listening;
    },
    allowOrigin: (origin) => void allowed.add(origin),
    count: (scope) => store.count(scope),
    ids: (scope) => store.ids(scope),
    aggregates: async (scope) => aggregate(await store.all(scope)),
    pause: stopListening,
    resume: async () => {
      if (!server.listening) await listen(port);
    },
    close: async () => {
      await stopListening();
      await store.close();
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ObscuraError('InvalidReportError', `body is not JSON: ${(err as Error).message}`);
  }
}
