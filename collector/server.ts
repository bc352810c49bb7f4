/**
 * The reference collector: validates reports with the client's own schema, verifies
 * their calibration and range (verify-report.ts), stores each report id once and
 * keeps every group's totals as it stores (store.ts), and serves unbiased aggregates.
 * Any number of these processes can serve one PostgreSQL database.
 */
import { ObscuraError } from '../src/errors';
import { defaultHosts, normalizeHost } from './access';
import { estimateGroups, type Aggregates } from './group-estimates';
import { loadDashboard } from './dashboard-route';
import { loadCodebookDir, type CodebookRegistry } from './codebooks';
import type { Task } from '../src/report/task';
import { resolveTasks, type TaskDeclaration } from './tasks';
import { declaredTasks } from './tasks-route';
import { createHandler } from './handler';
import type { TrainTask, TrainTaskInput } from '../src/codebook/train-task';
import { openTraining } from './train-open';
import { createRateLimiter } from './rate-limit';
import { ReportStore } from './store';
import { checkOrigin, listen, nodeListener, type Listening, type NodeListener } from '../server-kit/index';
import type { TlsCredentials } from '../server-kit/tls';

/** Reports a second per client, on average: the default of `collector/main.ts`. */
export const DEFAULT_RATE_LIMIT = 100;

export interface CollectorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; the default 127.0.0.1 keeps the collector off the network. */
  host?: string;
  /** Serve HTTPS with this certificate and key (see server-kit/tls.ts); plain HTTP without. */
  tls?: TlsCredentials;
  /** postgres://… : store in this PostgreSQL database (shared by any number of collector processes). */
  databaseUrl?: string;
  /** Connections of this process to the PostgreSQL server (8). */
  poolSize?: number;
  /** PGlite's folder, kept across restarts; one collector per folder. */
  dataDir?: string;
  /** PGlite in memory (the default when neither databaseUrl nor dataDir is given). */
  inMemory?: boolean;
  /**
   * PGlite only: a new database starts as a copy of this data directory (a tarball from PGlite's
   * `dumpDataDir`, e.g. of a database already migrated) instead of an empty one; migrations still run.
   */
  pgliteTemplate?: Blob;
  /** Browser origins allowed to call the collector (CORS); requests without an Origin header always pass. */
  allowedOrigins?: readonly string[];
  /** Host header values accepted besides the defaults (localhost, 127.0.0.1, [::1] and the host, with the port). */
  allowedHosts?: readonly string[];
  /** When set, GET /reports, /aggregates, /stats and the other reads need `Authorization: Bearer <readToken>`. */
  readToken?: string;
  /**
   * Report POSTs a second per client (token bucket, burst of twice as many); 0 or absent: no limit.
   * The command line (collector/main.ts) sets DEFAULT_RATE_LIMIT unless told otherwise.
   */
  rateLimit?: number;
  /** Largest accepted body; 1 MiB by default. */
  maxBodyBytes?: number;
  /** A client must send its headers within this time (10 s), and its whole request within requestTimeoutMs (30 s). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** On close, requests in flight may finish for this long (5 s) before their connections are cut. */
  graceMs?: number;
  /**
   * The tasks this collector declares (GET /tasks) and takes reports of: a tasks file's path, or
   * tasks given in code. A report to another scope, or with other parameters, is refused (400
   * UndeclaredScopeError / TaskMismatchError). Absent: the app's own scopes (tasks.ts). A task no
   * release can meet stops the start (InvalidTaskError naming the file, the task and the field).
   */
  tasks?: string | readonly (TaskDeclaration | TrainTaskInput)[];
  /** The built dashboard page (GET /dashboard); dist-dashboard/ of the project by default. */
  dashboardDir?: string;
  /** Without `codebooks`: codebook files whose labels the dashboard shows; public/codebooks/ by default. */
  codebooksDir?: string;
  /** The time of receipt recorded with each report (tests inject one); the system clock by default. */
  clock?: () => Date;
  /**
   * The codebooks category reports may name: a folder of codebook files (read at start) or
   * codebooks already loaded. A category report of another codebook is refused (400
   * UnknownCodebookError), and one whose k is not the codebook's label count (400
   * InvalidReportError). Absent: no codebook check (collector/main.ts and `npm start` always
   * pass one, by default the project's public/codebooks).
   */
  codebooks?: string | CodebookRegistry;
  /** The coordinator's bearer token for the training routes' writes (train-routes.ts); absent: they are refused. */
  trainToken?: string;
}

export interface Collector {
  /** Base URL, e.g. http://127.0.0.1:5174; reports go to `${url}/reports`. */
  readonly url: string;
  readonly port: number;
  readonly store: ReportStore;
  /** Adds a browser origin to the CORS allow-list. */
  allowOrigin(origin: string): void;
  /** Adds a Host header value (name:port) that reads may be addressed to. */
  allowHost(host: string): void;
  /** The declared tasks, normalised. */
  readonly tasks: readonly Task[];
  /** Number of stored reports, of one scope or of all. */
  count(scope?: string): Promise<number>;
  /** Stored report ids in arrival order, of one scope or of all. */
  ids(scope?: string): Promise<string[]>;
  /** What `GET /aggregates` answers. */
  aggregates(scope?: string): Promise<Aggregates>;
  /** Stops listening, lets requests in flight finish (up to graceMs), then closes the database. */
  close(): Promise<void>;
}

/** The pieces of a collector before it listens: its store and its request handler. */
export interface CollectorApp {
  readonly store: ReportStore;
  /** The Node listener of the collector's Hono app (see handler.ts). */
  readonly handler: NodeListener;
  readonly allowedOrigins: Set<string>;
  readonly allowedHosts: Set<string>;
  /** The codebooks category reports are checked against, if any. */
  readonly codebooks: CodebookRegistry | undefined;
  /** The declared tasks, normalised. */
  readonly tasks: readonly Task[];
  /** The declared training tasks. */
  readonly train: readonly TrainTask[];
}

/** Opens the store (running migrations) and builds the handler; `listen` then serves it. */
export async function openCollector(options: CollectorOptions = {}): Promise<CollectorApp> {
  const stores = [options.databaseUrl, options.dataDir, options.inMemory || undefined].filter((x) => x !== undefined);
  if (stores.length > 1)
    throw new ObscuraError('InvalidParameterError', 'give one of databaseUrl, dataDir or inMemory, not several');
  if (options.databaseUrl && options.pgliteTemplate)
    throw new ObscuraError('InvalidParameterError', 'pgliteTemplate is for PGlite: a databaseUrl has a database');
  // Read before the database opens: a bad codebook file stops the start with nothing to close.
  const codebooks =
    typeof options.codebooks === 'string' ? await loadCodebookDir(options.codebooks) : options.codebooks;
  const { tasks, train } = await resolveTasks(options.tasks, codebooks);
  const store = await ReportStore.open({
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    ...(options.dataDir && !options.inMemory ? { dataDir: options.dataDir } : {}),
    ...(options.pgliteTemplate ? { pgliteTemplate: options.pgliteTemplate } : {}),
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const rate = options.rateLimit ?? 0;
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map(checkOrigin));
  const allowedHosts = new Set((options.allowedHosts ?? []).map(normalizeHost));
  const dashboard = await loadDashboard({
    ...(options.dashboardDir ? { dir: options.dashboardDir } : {}),
    ...(codebooks ? { codebooks } : options.codebooksDir ? { codebooksDir: options.codebooksDir } : {}),
  });
  const app = createHandler({
    store,
    allowedOrigins,
    allowedHosts,
    readToken: options.readToken || undefined,
    // Tokens refill on the collector's clock, so a test that injects one decides when they do.
    rateLimiter:
      rate > 0 ? createRateLimiter(rate, undefined, () => (options.clock?.() ?? new Date()).getTime()) : undefined,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    dashboard: dashboard.serve,
    codebooks,
    tasks: await declaredTasks(tasks, train),
    ...(train.length > 0 ? { train: await openTraining(store, train, codebooks, options.trainToken) } : {}),
  });
  return { store, handler: nodeListener(app.fetch), allowedOrigins, allowedHosts, codebooks, tasks, train };
}

export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const app = await openCollector(options);
  let http: Listening;
  try {
    http = await listen(app.handler, options);
  } catch (err) {
    await app.store.close();
    throw err;
  }
  for (const h of defaultHosts(options.host ?? '127.0.0.1', http.port)) app.allowedHosts.add(h);
  return collectorHandle(app, http);
}

/** The programmatic handle of a listening collector. */
export function collectorHandle(app: CollectorApp, http: Pick<Listening, 'url' | 'port' | 'close'>): Collector {
  return {
    url: http.url,
    port: http.port,
    store: app.store,
    allowOrigin: (origin) => void app.allowedOrigins.add(checkOrigin(origin)),
    allowHost: (host) => void app.allowedHosts.add(normalizeHost(host)),
    tasks: app.tasks,
    count: (scope) => app.store.count(scope),
    ids: (scope) => app.store.ids(scope),
    aggregates: async (scope) => estimateGroups(await app.store.totals(scope), (id) => app.codebooks?.get(id)?.labels),
    close: async () => {
      await http.close();
      await app.store.close();
    },
  };
}
