/**
 * Posting one report to a collector the way the app's reporter does: JSON body,
 * `Idempotency-Key` = the report id, and retries only for what can succeed later
 * (network errors and timeouts, 5xx, 408, 429 after its Retry-After). Any other 4xx
 * is final: the collector refused the report, and sending it again would not help.
 */
import { describeError } from '../errors';
import { retryDelay } from '../outbox/backoff';
import type { Report } from '../report/schema';
import { parseRetryAfter } from '../outbox/delivery-outcome';

export interface DeliveryOptions {
  /** The collector's POST /reports URL. */
  readonly endpoint: string;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Backoff: full jitter over base·2^attempt, capped; Retry-After is honoured up to the cap. */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Per request; an answer slower than this counts as a network error. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Uniform in [0, 1), for jitter only. */
  readonly random?: () => number;
  /** Called before each retry, with the reason. */
  readonly onRetry?: (reason: string, waitMs: number) => void;
}

export type DeliveryOutcome =
  | { readonly kind: 'stored'; readonly attempts: number }
  | { readonly kind: 'duplicate'; readonly attempts: number }
  | { readonly kind: 'rejected'; readonly attempts: number; readonly status: number; readonly error: ErrorInfo }
  | { readonly kind: 'failed'; readonly attempts: number; readonly status?: number; readonly error: ErrorInfo };

export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function jitter(): number {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0]! / 4294967296;
}

/** The collector's `{error: {name, message}}`, or the status line when the body says nothing usable. */
async function errorOf(res: Response): Promise<ErrorInfo> {
  const text = await res.text().catch(() => '');
  try {
    const error = (JSON.parse(text) as { error?: { name?: unknown; message?: unknown } }).error;
    if (error && typeof error.name === 'string' && typeof error.message === 'string')
      return { name: error.name, message: error.message };
  } catch {
    // Not JSON: fall through to the status line.
  }
  return { name: `HTTP${res.status}`, message: `${res.status} ${res.statusText}`.trim() };
}

function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export async function deliverReport(report: Report, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const random = options.random ?? jitter;
  const body = JSON.stringify(report);
  let last: { status?: number; error: ErrorInfo } = { error: { name: 'Error', message: 'not sent' } };
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    let retryAfter: number | undefined;
    try {
      const res = await send(options.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': report.id },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (res.ok) {
        const answer = (await res.json().catch(() => ({}))) as { outcome?: unknown };
        return { kind: answer.outcome === 'duplicate' ? 'duplicate' : 'stored', attempts: attempt };
      }
      const error = await errorOf(res);
      if (!retryable(res.status)) return { kind: 'rejected', attempts: attempt, status: res.status, error };
      last = { status: res.status, error };
      if (res.status === 429) retryAfter = parseRetryAfter(res.headers.get('Retry-After'), now());
    } catch (err) {
      last = { error: describeError(err) };
    }
    if (attempt === options.maxAttempts) break;
    const wait = Math.min(
      options.backoffCapMs,
      retryAfter ?? retryDelay(attempt - 1, random(), options.backoffBaseMs, options.backoffCapMs),
    );
    options.onRetry?.(last.status !== undefined ? `HTTP ${last.status}` : last.error.name, wait);
    await sleep(wait);
  }
  return { kind: 'failed', attempts: options.maxAttempts, ...last };
}
