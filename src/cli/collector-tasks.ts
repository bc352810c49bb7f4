/**
 * The tasks a collector declares (GET /tasks), read by `obscura send` before it sends anything,
 * so a report the collector's task does not allow is refused here and never leaves. Fetched
 * with the same retries as a report (network errors, 5xx, 408, 429 after its Retry-After).
 */
import { describeError, ObscuraError } from '../errors';
import { retryDelay } from '../outbox/backoff';
import { parseRetryAfter } from '../outbox/delivery-outcome';
import { parseTasks, type Task } from '../report/task';
import type { DeliveryOptions } from './deliver-report';

/** The collector's GET /tasks URL from its POST /reports URL. */
export function tasksEndpoint(reportsEndpoint: string): string {
  const url = new URL(reportsEndpoint);
  url.pathname = url.pathname.replace(/\/reports$/, '/tasks');
  return url.href;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function jitter(): number {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0]! / 4294967296;
}

/**
 * The collector's declared tasks, normalised; InvalidTaskError naming the URL when the collector
 * declares none (it answers no /tasks) or its answer is not a valid task list.
 */
export async function fetchTasks(url: string, options: Omit<DeliveryOptions, 'endpoint'>): Promise<Task[]> {
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  let last = 'not fetched';
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    let retryAfter: number | undefined;
    try {
      const res = await send(url, { signal: AbortSignal.timeout(options.timeoutMs) });
      if (res.ok) {
        const body = (await res.json().catch(() => undefined)) as { tasks?: unknown } | undefined;
        return parseTasks(body?.tasks, url);
      }
      if (res.status < 500 && res.status !== 408 && res.status !== 429)
        throw new ObscuraError(
          'InvalidTaskError',
          `${url}: the collector declares no tasks (HTTP ${res.status}); it must serve GET /tasks`,
          { source: url, field: 'tasks' },
        );
      last = `HTTP ${res.status}`;
      if (res.status === 429) retryAfter = parseRetryAfter(res.headers.get('Retry-After'), now());
    } catch (err) {
      if (err instanceof ObscuraError) throw err;
      last = describeError(err).name;
    }
    if (attempt === options.maxAttempts) break;
    const random = options.random ?? jitter;
    const wait = Math.min(
      options.backoffCapMs,
      retryAfter ?? retryDelay(attempt - 1, random(), options.backoffBaseMs, options.backoffCapMs),
    );
    options.onRetry?.(last, wait);
    await sleep(wait);
  }
  throw new ObscuraError('InvalidTaskError', `${url}: the collector's tasks could not be read (${last})`, {
    source: url,
    field: 'tasks',
  });
}
