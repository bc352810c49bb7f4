/**
 * GET /tasks and GET /tasks/SCOPE: the collector's declared tasks, public (no token, no Host
 * check: they hold no data, and every device must read them before it releases). The answer
 * carries the tasks' version as its ETag, so a device revalidates cheaply.
 *
 * And the check of every received report against its scope's task: a report to an undeclared
 * scope, or with parameters its task does not allow, is refused before it is stored.
 */
import type { Context } from 'hono';
import { ObscuraError } from '../src/errors';
import type { Report } from '../src/report/schema';
import { requireTaskMatch, taskReleaseOfReport, tasksVersion, type Task } from '../src/report/task';
import { HttpError } from '../server-kit/index';
import type { TrainTask } from '../src/codebook/train-task';

/** The tasks as served: the list, its version and each task by scope. */
export interface DeclaredTasks {
  readonly tasks: readonly Task[];
  /** "sha256:<hex>" (tasksVersion). */
  readonly version: string;
  readonly byScope: ReadonlyMap<string, Task>;
  /** The training tasks (kind `train`), served beside the release tasks as `train`. */
  readonly train: readonly TrainTask[];
}

export async function declaredTasks(tasks: readonly Task[], train: readonly TrainTask[] = []): Promise<DeclaredTasks> {
  return { tasks, version: await tasksVersion(tasks), byScope: new Map(tasks.map((t) => [t.scope, t])), train };
}

/** Answers GET (and HEAD) of /tasks and /tasks/SCOPE. */
export function serveTasks(c: Context, declared: DeclaredTasks): Response {
  // The path as sent (still percent-encoded): a scope is decoded once, here.
  const pathname = new URL(c.req.url).pathname;
  let body: unknown;
  if (pathname === '/tasks' || pathname === '/tasks/') {
    body = {
      version: declared.version,
      tasks: declared.tasks,
      ...(declared.train.length > 0 ? { train: declared.train } : {}),
    };
  } else {
    let scope: string;
    try {
      scope = decodeURIComponent(pathname.slice('/tasks/'.length));
    } catch {
      throw new HttpError(400, 'InvalidParameterError', `${pathname} is not a scope`);
    }
    const task = declared.byScope.get(scope) ?? declared.train.find((t) => t.scope === scope);
    if (!task)
      throw new HttpError(
        404,
        'UndeclaredScopeError',
        `scope ${JSON.stringify(scope)} is not declared; declared: ` +
          ([...declared.byScope.keys(), ...declared.train.map((t) => t.scope)].join(', ') || 'none'),
      );
    body = { version: declared.version, task };
  }
  const etag = `"${declared.version}"`;
  c.header('ETag', etag);
  // Cached, but revalidated on every use: a device must learn of a changed task before it releases.
  c.header('Cache-Control', 'no-cache');
  if (ifNoneMatch(c.req.header('if-none-match'), etag)) return c.body(null, 304);
  return c.json(body);
}

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((s) => s.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

/**
 * Throws UndeclaredScopeError or TaskMismatchError (with `issues` naming the field, as the
 * collector's other refusals) when the report is not one its scope's task allows.
 */
export function checkReportTask(declared: DeclaredTasks, report: Report): void {
  try {
    requireTaskMatch(declared.tasks, taskReleaseOfReport(report));
  } catch (err) {
    if (!(err instanceof ObscuraError)) throw err;
    const field = err.name === 'UndeclaredScopeError' ? 'scope' : String(err.details?.['field'] ?? 'report');
    throw new ObscuraError(err.name, err.message, { ...err.details, issues: [{ path: field, message: err.message }] });
  }
}
