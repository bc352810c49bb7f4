/**
 * What one delivery attempt means for the report: delivered, worth another try, or
 * refused for good. Only failures that a later attempt can fix are retried: the
 * network, 5xx, 408 and 429. Any other 4xx (400, 403, 409, 413, 415, …) would fail
 * the same way forever.
 */
export interface FailureReason {
  readonly name: string;
  readonly message: string;
  /** HTTP status, when the collector answered. */
  readonly status?: number;
}

export type AttemptOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly reason: FailureReason; readonly retryAfterMs: number | undefined }
  | { readonly kind: 'rejected'; readonly reason: FailureReason };

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * The wait a `Retry-After` header asks for (RFC 9110 §10.2.3): delay-seconds or an HTTP date, in
 * ms; undefined when absent or unreadable. The one reading of it, for the outbox and `obscura send`.
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
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
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
  if (res.ok) return { kind: 'delivered' };
  const reason = await failureOf(res);
  if (!isRetryableStatus(res.status)) return { kind: 'rejected', reason };
  const retryAfterMs =
    res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get('Retry-After'), now) : undefined;
  return { kind: 'retry', reason, retryAfterMs };
}
