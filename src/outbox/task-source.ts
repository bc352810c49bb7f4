/**
 * The device's side of declared tasks: before anything is charged, a release to a collector is
 * checked against the task the collector declares for its scope (GET /tasks/SCOPE), with the
 * very comparison the collector applies to what it receives (report/task.ts taskMismatch).
 *
 * Tasks are read again at every release and before every send, and cached with their version
 * (task-cache.ts). Read through `cache: 'no-cache'`: the browser revalidates its own copy with the
 * collector's ETag (a 304 costs no body) and a cross-origin GET stays a simple request.
 *
 * Offline (the collector unreachable or failing): the task last read for the scope serves, so a
 * device that has released before can release while offline, against the declaration it knows;
 * the report carries that version and is checked again before it is sent. A scope whose task was
 * never read on this device is refused, uncharged: nothing says what the collector would accept.
 */
import { ObscuraError } from '../errors';
import type { Report } from '../report/schema';
import { parseTasks, taskMismatch, taskReleaseOfReport, type Task } from '../report/task';
import type { TaskVerdict } from './reporter';
import type { ReportOutboxEntry, TaskStamp } from '../ledger/ledger-schema';
import type { CachedTasks, TaskCache } from './task-cache';

/** A collector's whole declaration, as GET /tasks serves it. */
export interface DeclaredTasks {
  readonly version: string;
  readonly tasks: readonly Task[];
  /** false: read from this device's cache because the collector could not be reached. */
  readonly fresh: boolean;
}

/**
 * The collector's tasks URL for a report destination (its `…/reports` URL): `…/tasks`, or
 * `…/tasks/SCOPE`. Undefined for a destination that is no http(s) URL (a host page the widget
 * hands its report to): there is no collector to ask.
 */
export function tasksUrlOf(destination: string, scope?: string): string | undefined {
  if (!URL.canParse(destination)) return undefined;
  const url = new URL(destination);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const base = url.pathname.replace(/\/reports\/?$/, '').replace(/\/$/, '');
  url.pathname = `${base}/tasks${scope ? `/${encodeURIComponent(scope)}` : ''}`;
  url.search = '';
  url.hash = '';
  return url.href;
}

export class TaskSource {
  constructor(
    private readonly cache: TaskCache,
    private readonly send: typeof fetch = (input, init) => fetch(input, init),
    private readonly now: () => number = Date.now,
  ) {}

  /** Every task the collector behind `destination` declares (for the app's and the widget's choices). */
  async declared(destination: string): Promise<DeclaredTasks> {
    const url = tasksUrlOf(destination);
    if (!url) throw noCollector(destination);
    const read = await this.read(url);
    if (!read.entry.tasks || read.entry.version === undefined)
      throw new ObscuraError('UndeclaredScopeError', `the collector at ${url} declares no tasks`, { url });
    return { version: read.entry.version, tasks: read.entry.tasks, fresh: read.fresh };
  }

  /** The task declared for `scope` and its stamp; UndeclaredScopeError when there is none (or none known offline). */
  async task(destination: string, scope: string): Promise<{ task: Task; stamp: TaskStamp }> {
    const url = tasksUrlOf(destination, scope);
    if (!url) throw noCollector(destination);
    const read = await this.read(url);
    const { fresh, failure } = read;
    const entry = fresh ? read.entry : await this.offlineEntry(read.entry, destination, scope);
    const task = entry.tasks?.[0];
    if (!task || entry.version === undefined) {
      const why = fresh
        ? `the collector declares no task for scope "${scope}"`
        : `no task for scope "${scope}" has been read from ${url} on this device, and it cannot be reached now` +
          (failure ? ` (${failure})` : '');
      throw new ObscuraError('UndeclaredScopeError', `${why}; nothing was charged`, { scope, url, offline: !fresh });
    }
    return { task, stamp: { url, version: entry.version } };
  }

  /**
   * Checks a drawn report against its scope's task before it is charged; the stamp to record
   * with it. TaskMismatchError names the first field that differs; nothing is charged either way.
   */
  async check(destination: string, report: Report): Promise<TaskStamp> {
    const { task, stamp } = await this.task(destination, report.scope);
    const mismatch = taskMismatch(task, taskReleaseOfReport(report));
    if (mismatch !== null)
      throw new ObscuraError(
        'TaskMismatchError',
        `the release does not match the task the collector declares for scope "${report.scope}": ${mismatch}; ` +
          'nothing was charged',
        { scope: report.scope, url: stamp.url, version: stamp.version, mismatch },
      );
    return stamp;
  }

  /**
   * One flush's check of queued reports: each stamped report against its task as it is now, each
   * task URL read once per round. Send: the version it was checked against, or a newer one it still
   * matches. Withdraw: the task no longer admits it. Wait: the task cannot be read now.
   */
  round(): (entry: ReportOutboxEntry) => Promise<TaskVerdict> {
    const reads = new Map<string, ReturnType<TaskSource['read']>>();
    return async (entry) => {
      const stamp = entry.task;
      if (!stamp) return { kind: 'send' };
      let read = reads.get(stamp.url);
      if (!read) reads.set(stamp.url, (read = this.read(stamp.url)));
      const { entry: now, fresh, failure } = await read;
      const scope = entry.report.scope;
      if (!fresh)
        return {
          kind: 'wait',
          reason: { name: 'NetworkError', message: `the task of scope "${scope}" could not be read: ${failure}` },
        };
      if (now.version === stamp.version) return { kind: 'send' };
      const task = now.tasks?.[0];
      if (!task)
        return {
          kind: 'withdraw',
          reason: { name: 'UndeclaredScopeError', message: `the collector no longer declares scope "${scope}"` },
        };
      const mismatch = taskMismatch(task, taskReleaseOfReport(entry.report));
      if (mismatch === null) return { kind: 'send' };
      return {
        kind: 'withdraw',
        reason: { name: 'TaskMismatchError', message: `the task of scope "${scope}" changed: ${mismatch}` },
      };
    };
  }

  /**
   * Offline, the scope's own stored answer, or else its task in the whole declaration last read
   * (GET /tasks, read by the pages to offer the declared scopes): the same version either way,
   * so a page that showed the collector's choices online can release from them offline.
   */
  private async offlineEntry(own: CachedTasks, destination: string, scope: string): Promise<CachedTasks> {
    if (own.tasks || own.version !== undefined) return own;
    const all = await this.cache.get(tasksUrlOf(destination)!).catch(() => undefined);
    const task = all?.tasks?.find((t) => t.scope === scope);
    return task && all?.version !== undefined ? { ...all, url: own.url, tasks: [task] } : own;
  }

  /**
   * The collector's answer at `url`, stored; the stored one when it cannot answer. `fresh` says
   * which. A 404 is the collector saying it declares nothing there, and is stored as such.
   */
  private async read(url: string): Promise<{ entry: CachedTasks; fresh: boolean; failure?: string }> {
    let failure: string;
    try {
      const res = await this.send(url, { cache: 'no-cache', credentials: 'omit' });
      if (res.ok || res.status === 404) {
        const entry = parseAnswer(url, res.status, await res.json(), this.now());
        // A cache that cannot be written costs only the offline fallback; the answer itself is fresh.
        await this.cache.put(entry).catch(() => undefined);
        return { entry, fresh: true };
      }
      failure = `HTTP ${res.status}`;
    } catch (err) {
      // A body that does not parse is the collector's fault, not the network's: say so, never guess.
      if ((err as { name?: unknown }).name === 'InvalidTaskError') throw err;
      failure = (err as Error).message;
    }
    const cached = await this.cache.get(url).catch(() => undefined);
    return { entry: cached ?? { url, tasks: null, readAt: 0 }, fresh: false, failure };
  }
}

/** `{version, tasks}` (GET /tasks), `{version, task}` (GET /tasks/SCOPE), or a 404 (nothing declared there). */
function parseAnswer(url: string, status: number, body: unknown, now: number): CachedTasks {
  if (status === 404) return { url, tasks: null, readAt: now };
  const answer = body as { version?: unknown; tasks?: unknown; task?: unknown };
  if (typeof answer?.version !== 'string' || !answer.version.startsWith('sha256:'))
    throw new ObscuraError('InvalidTaskError', `${url}: version: expected "sha256:…", got ${String(answer?.version)}`);
  const list = 'task' in answer ? [answer.task] : answer.tasks;
  return { url, version: answer.version, tasks: parseTasks(list, url), readAt: now };
}

function noCollector(destination: string): ObscuraError {
  return new ObscuraError('InvalidParameterError', `no collector's tasks can be read for "${destination}"`, {
    parameter: 'destination',
  });
}
