import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { describeError } from '../src/errors';
import { parseReport, type Report } from '../src/report/schema';
import { aggregateCategories, aggregateVectors, groupKeyOf, type CategoryAggregate, type VectorAggregate } from './aggregate';
import { ReportStore } from './store';

/** Test-only fault injection: set through the programmatic API, never reachable over HTTP. */
export interface Faults {
  /** Answer 500 to this many coming POSTs. */
  failNext: number;
  /** Destroy the connection of this many coming POSTs without answering. */
  dropNext: number;
}

export interface CollectorOptions {
  port?: number;
  host?: string;
  /** Folder for the database; omit for an in-memory database. */
  dataDir?: string;
  /** Origins allowed to POST from a browser (CORS). */
  allowedOrigins?: readonly string[];
}

export interface Collector {
  readonly url: string;
  readonly port: number;
  readonly store: ReportStore;
  readonly faults: Faults;
  /** Adds an origin allowed to POST from a browser. */
  allowOrigin(origin: string): void;
  /** Stops accepting connections (as if down) but keeps the database; `resume` listens again on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const store = await ReportStore.open(options.dataDir);
  const allowed = new Set(options.allowedOrigins ?? []);
  const faults: Faults = { failNext: 0, dropNext: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void handle(req, res).catch((err) => send(res, 500, { error: describeError(err) })));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!origin) return true; // not a browser cross-origin request
    if (!allowed.has(origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Idempotency-Key');
    res.setHeader('Access-Control-Max-Age', '600');
    // The app is cross-origin isolated (COEP require-corp); its fetches need this.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://collector');
    if (!cors(req, res)) return send(res, 403, { error: { name: 'ForbiddenOrigin', message: `origin ${req.headers.origin} is not allowed` } });
    if (req.method === 'OPTIONS') return send(res, 204);
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { ok: true });
    if (req.method === 'GET' && url.pathname === '/reports') {
      const limit = Math.min(10_000, Math.max(1, Number(url.searchParams.get('limit') ?? 1000) || 1000));
      return send(res, 200, { reports: await store.list(url.searchParams.get('scope') ?? undefined, limit) });
    }
    if (req.method === 'GET' && url.pathname === '/aggregates') return send(res, 200, await aggregates(store));
    if (url.pathname !== '/reports') return send(res, 404, { error: { name: 'NotFound', message: `no route ${req.method} ${url.pathname}` } });
    if (req.method !== 'POST') return send(res, 405, { error: { name: 'MethodNotAllowed', message: 'use POST or GET' } });

    if (faults.dropNext > 0) {
      faults.dropNext--;
      req.socket.destroy();
      return;
    }
    if (faults.failNext > 0) {
      faults.failNext--;
      return send(res, 500, { error: { name: 'InjectedFault', message: 'the collector failed on purpose' } });
    }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return send(res, 415, { error: { name: 'UnsupportedMediaType', message: 'send application/json' } });
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { error: { name: 'PayloadTooLarge', message: `reports are at most ${MAX_BODY} bytes` } });
    let report: Report;
    try {
      report = parseReport(JSON.parse(body));
    } catch (err) {
      return send(res, 400, { error: describeError(err instanceof SyntaxError ? Object.assign(new Error(`body is not JSON: ${err.message}`), { name: 'InvalidReportError' }) : err) });
    }
    const key = req.headers['idempotency-key'];
    if (key !== undefined && key !== report.id) return send(res, 400, { error: { name: 'InvalidReportError', message: 'Idempotency-Key must equal the report id' } });
    const outcome = await store.insert(report);
    if (outcome === 'conflict') return send(res, 409, { error: { name: 'Conflict', message: `report ${report.id} was already stored with a different body` } });
    return send(res, outcome === 'stored' ? 201 : 200, { id: report.id, outcome });
  }

  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(options.port ?? 0);
  const port = (server.address() as { port: number }).port;
  const closeServer = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    store,
    faults,
    allowOrigin: (origin: string) => void allowed.add(origin),
    pause: closeServer,
    resume: () => listen(port),
    close: async () => {
      await closeServer();
      await store.close();
    },
  };
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  res.statusCode = status;
  if (body !== undefined) res.setHeader('Content-Type', 'application/json');
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/** The body as text, or undefined when it is over the limit (the rest is read and dropped, so the client gets the 413). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * MAX_BODY) {
      req.socket.destroy();
      return undefined;
    }
    if (size <= MAX_BODY) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8');
}

async function aggregates(store: ReportStore): Promise<{ vectors: VectorAggregate[]; categories: CategoryAggregate[] }> {
  const groups = new Map<string, Report[]>();
  for (const r of await store.all()) {
    const shape = 'vector' in r ? `v${r.vector.length}` : `c${r.category.codebook}/${r.category.k}`;
    const k = JSON.stringify([groupKeyOf(r), shape]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const vectors: VectorAggregate[] = [];
  const categories: CategoryAggregate[] = [];
  for (const reports of groups.values()) {
    const first = reports[0]!;
    if ('vector' in first) vectors.push(aggregateVectors(groupKeyOf(first), reports.map((r) => (r as { vector: number[] }).vector)));
    else categories.push(aggregateCategories(groupKeyOf(first), first.category.codebook, first.category.k, first.mechanism.name as 'krr' | 'oue', first.mechanism.epsilon, reports.map((r) => (r as { category: { value: number } | { bits: number[] } }).category)));
  }
  return { vectors, categories };
}
