/**
 * One delivery attempt and what follows it, the same for the outbox's reporter and `obscura send`:
 * - attempt: one request, bounded by a timeout; a network error or a timeout is worth another try.
 * - classify: delivered (2xx), retry (network, 5xx, 408, 429) or rejected (any other 4xx, which
 *   would fail the same way forever), with the collector's `{error: {name, message}}` as the reason.
 * - wait: what a 429 or 503 asks by `Retry-After`, or else exponential backoff with full jitter
 *   (uniform in [0, min(cap, base·2^(failures−1))]), so many clients coming back online do not retry
 *   in step; never less than nothing, never more than the cap.
 * The jitter comes from a RandomSource (Web Crypto by default): it spreads retries in time only.
 */
import { describeError } from '../errors';
import { cryptoRandomSource, type RandomSource } from '../privacy/random/random-source';

export interface FailureReason {
  readonly name: string;
  readonly message: string;
  /** HTTP status, when the collector answered. */
  readonly status?: number;
}

export type AttemptOutcome =
  /** `body`: the answer's JSON, when it had one. */
  | { readonly kind: 'delivered'; readonly status: number; readonly body?: unknown }
  | { readonly kind: 'retry'; readonly reason: FailureReason; readonly retryAfterMs: number | undefined }
  | { readonly kind: 'rejected'; readonly reason: FailureReason };

/** How long to wait between attempts and for one answer. */
export interface RetryPolicy {
  readonly baseMs: number;
  /** No wait is longer, whatever backoff or a Retry-After asks. */
  readonly capMs: number;
  /** An answer slower than this counts as a network failure. */
  readonly timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 500, capMs: 60_000, timeoutMs: 30_000 };

/** A report on the wire: POSTed as JSON, its id the Idempotency-Key, so a retry can never store it twice. */
export function reportRequest(report: { readonly id: string }): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': report.id },
    body: JSON.stringify(report),
    credentials: 'omit',
  };
}

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * The wait a `Retry-After` header asks for (RFC 9110 §10.2.3): delay-seconds or an HTTP date, in
 * ms; undefined when absent or unreadable, never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only the date forms carry letters: '-1' or '1.5' is malformed, not a date already past.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The collector's `{error: {name, message}}` body, or the HTTP status line when it sent none. */
export async function failureOf(res: Response): Promise<FailureReason> {
  const body = await jsonOf(res);
  const error = (body as { error?: { name?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.name === 'string' && typeof error.message === 'string')
    return { name: error.name, message: error.message, status: res.status };
  return {
    name: `HTTP ${res.status}`,
    message: res.statusText || `the collector answered ${res.status}`,
    status: res.status,
  };
}

export async function outcomeOf(res: Response, now: number): Promise<AttemptOutcome> {
  if (res.ok) {
    const body = await jsonOf(res);
    return { kind: 'delivered', status: res.status, ...(body !== undefined ? { body } : {}) };
  }
  const reason = await failureOf(res);
  if (!isRetryableStatus(res.status)) return { kind: 'rejected', reason };
  const asksToWait = res.status === 429 || res.status === 503;
  const retryAfterMs = asksToWait ? parseRetryAfter(res.headers.get('Retry-After'), now) : undefined;
  return { kind: 'retry', reason, retryAfterMs };
}

/** A request that got no answer: the network failed it, or the answer did not come in time. */
export function networkFailure(err: unknown): AttemptOutcome {
  const { name, message } = describeError(err);
  const reason = name === 'TimeoutError' ? { name, message } : { name: 'NetworkError', message };
  return { kind: 'retry', reason, retryAfterMs: undefined };
}

export interface AttemptContext {
  readonly send?: typeof fetch;
  readonly now: () => number;
  readonly timeoutMs: number;
}

/** One request, classified. Never throws: a failure to reach the collector is a `retry`. */
export async function attemptDelivery(
  url: string,
  init: RequestInit,
  context: AttemptContext,
): Promise<AttemptOutcome> {
  const send = context.send ?? fetch;
  try {
    const res = await send(url, { ...init, signal: AbortSignal.timeout(context.timeoutMs) });
    return await outcomeOf(res, context.now());
  } catch (err) {
    return networkFailure(err);
  }
}

/** A uniform draw in [0, 1) for jitter, from one 32-bit word of the source. */
export function jitter(source: RandomSource = cryptoRandomSource): number {
  const word = new Uint32Array(1);
  source.fillUint32(word);
  return word[0]! / 4294967296;
}

/**
 * How long to wait after the `failures`-th failed attempt (1 for the first): the collector's
 * Retry-After when it gave one, else backoff with full jitter; in [0, cap] either way. Never zero by
 * backoff: at least a tenth of the base, so a failing endpoint is not hammered.
 */
export function retryWait(
  failures: number,
  retryAfterMs: number | undefined,
  policy: Pick<RetryPolicy, 'baseMs' | 'capMs'> = DEFAULT_RETRY_POLICY,
  source: RandomSource = cryptoRandomSource,
): number {
  const { baseMs, capMs } = policy;
  if (retryAfterMs !== undefined) return Math.min(capMs, Math.max(0, retryAfterMs));
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.min(capMs, Math.max(baseMs / 10, Math.floor(jitter(source) * ceiling)));
}

export interface RetryingOptions extends AttemptContext {
  readonly policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: RandomSource;
  /** Called before each retry, with the reason's name (`HTTP 503`, `NetworkError`, …) and the wait. */
  readonly onRetry?: (reason: string, waitMs: number) => void;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Attempts until delivered, rejected or `maxAttempts` are spent, waiting in between; for a sender
 * that holds the report in memory (`obscura send`). The outbox keeps its schedule in IndexedDB
 * instead and calls attemptDelivery and retryWait once per round.
 */
export async function deliverWithRetries(
  url: string,
  init: RequestInit,
  options: RetryingOptions,
): Promise<{ readonly outcome: AttemptOutcome; readonly attempts: number }> {
  const sleep = options.sleep ?? sleepFor;
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptDelivery(url, init, options);
    if (outcome.kind !== 'retry' || attempt >= options.maxAttempts) return { outcome, attempts: attempt };
    const wait = retryWait(attempt, outcome.retryAfterMs, options.policy, options.random);
    const reason = outcome.reason.status !== undefined ? `HTTP ${outcome.reason.status}` : outcome.reason.name;
    options.onRetry?.(reason, wait);
    await sleep(wait);
  }
}

async function jsonOf(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}
