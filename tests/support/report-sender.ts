/**
 * A load client for collectors: sends bodies with a fixed number of requests in
 * flight, spread over several collector URLs, and retries what can succeed (network
 * errors, 5xx, 429) on the next URL, as the app's reporter would. Used by the fault
 * tests and bench/collector.ts.
 */
import { request, Agent } from 'node:http';

export interface SendItem {
  /** JSON text of the body (a report, or something invalid). */
  readonly body: string;
  /** The report id sent as Idempotency-Key, if any. */
  readonly id?: string;
}

export interface SendResult {
  readonly item: SendItem;
  /** Final status (0 if every attempt failed on the network). */
  readonly status: number;
  readonly attempts: number;
  /** Milliseconds of the final attempt. */
  readonly latencyMs: number;
}

export interface SendOptions {
  readonly concurrency: number;
  /** Attempts per item before giving up (network errors and 5xx / 429 are retried). */
  readonly maxAttempts?: number;
  /** performance.now() after which no new item is started (items not started have no result). */
  readonly until?: number;
  /** Called after each finished item, with the number finished so far. */
  readonly onProgress?: (done: number) => void;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function postOnce(url: string, item: SendItem): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/reports`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(item.body),
          ...(item.id ? { 'idempotency-key': item.id } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(item.body);
  });
}

const retryable = (status: number) => status === 0 || status >= 500 || status === 429;

export async function sendAll(
  urls: () => readonly string[],
  items: readonly SendItem[],
  options: SendOptions,
): Promise<SendResult[]> {
  const results: SendResult[] = [];
  const maxAttempts = options.maxAttempts ?? 50;
  let next = 0;
  let done = 0;
  let turn = 0;
  const worker = async () => {
    for (;;) {
      if (options.until !== undefined && performance.now() >= options.until) return;
      const i = next++;
      if (i >= items.length) return;
      const item = items[i]!;
      let status = 0;
      let attempts = 0;
      let latencyMs = 0;
      do {
        const live = urls();
        const url = live[turn++ % live.length]!;
        const t0 = performance.now();
        status = await postOnce(url, item);
        latencyMs = performance.now() - t0;
        attempts++;
        if (retryable(status)) await new Promise<void>((r) => setImmediate(r));
      } while (retryable(status) && attempts < maxAttempts);
      results[i] = { item, status, attempts, latencyMs };
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return results.filter((r) => r !== undefined);
}

/** Closes the client's kept-alive sockets. */
export function closeSender(): void {
  agent.destroy();
}
