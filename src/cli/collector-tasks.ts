/**
 * The tasks a collector declares (GET /tasks), read by `obscura send` before it sends anything,
 * so a report the collector's task does not allow is refused here and never leaves. Fetched
 * with the same retries as a report (src/outbox/delivery.ts).
 */
import { ObscuraError } from '../errors';
import { parseTasks, type Task } from '../report/task';
import { retrying, type DeliveryOptions } from './deliver-report';

/** The collector's GET /tasks URL from its POST /reports URL. */
export function tasksEndpoint(reportsEndpoint: string): string {
  const url = new URL(reportsEndpoint);
  url.pathname = url.pathname.replace(/\/reports$/, '/tasks');
  return url.href;
}

/**
 * The collector's declared tasks, normalised; InvalidTaskError naming the URL when the collector
 * declares none (it answers no /tasks) or its answer is not a valid task list.
 */
export async function fetchTasks(url: string, options: Omit<DeliveryOptions, 'endpoint'>): Promise<Task[]> {
  const { outcome } = await retrying(url, { method: 'GET' }, options);
  if (outcome.kind === 'delivered') return parseTasks((outcome.body as { tasks?: unknown } | undefined)?.tasks, url);
  const { status, name } = outcome.reason;
  if (outcome.kind === 'rejected')
    throw new ObscuraError(
      'InvalidTaskError',
      `${url}: the collector declares no tasks (HTTP ${status}); it must serve GET /tasks`,
      { source: url, field: 'tasks' },
    );
  const last = status !== undefined ? `HTTP ${status}` : name;
  throw new ObscuraError('InvalidTaskError', `${url}: the collector's tasks could not be read (${last})`, {
    source: url,
    field: 'tasks',
  });
}
