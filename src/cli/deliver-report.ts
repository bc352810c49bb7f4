/**
 * Posting one report to a collector the way the app's reporter does, through the same delivery
 * module (src/outbox/delivery.ts): JSON body, `Idempotency-Key` = the report id, retries only for
 * what can succeed later (network errors and timeouts, 5xx, 408, 429 and 503 after their
 * Retry-After). Any other 4xx is final: the collector refused the report, and sending it again
 * would not help.
 */
import { deliverWithRetries, reportRequest, type AttemptOutcome } from '../outbox/delivery';
import type { RandomSource } from '../privacy/random/random-source';
import type { Report } from '../report/schema';

export interface DeliveryOptions {
  /** The collector's POST /reports URL. */
  readonly endpoint: string;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Backoff: full jitter over base·2^(failures−1), capped; Retry-After is honoured up to the cap. */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Per request; an answer slower than this counts as a network error. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Jitter only (Web Crypto by default). */
  readonly random?: RandomSource;
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

/** The shared retry loop with the CLI's options. */
export function retrying(
  url: string,
  init: RequestInit,
  options: Omit<DeliveryOptions, 'endpoint'>,
): Promise<{ readonly outcome: AttemptOutcome; readonly attempts: number }> {
  return deliverWithRetries(url, init, {
    policy: { baseMs: options.backoffBaseMs, capMs: options.backoffCapMs },
    maxAttempts: options.maxAttempts,
    timeoutMs: options.timeoutMs,
    now: options.now ?? Date.now,
    ...(options.fetch ? { send: options.fetch } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
  });
}

export async function deliverReport(report: Report, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const { outcome, attempts } = await retrying(options.endpoint, reportRequest(report), options);
  if (outcome.kind === 'delivered') {
    const answer = outcome.body as { outcome?: unknown } | undefined;
    return { kind: answer?.outcome === 'duplicate' ? 'duplicate' : 'stored', attempts };
  }
  const { status, name, message } = outcome.reason;
  const error = { name, message };
  if (outcome.kind === 'rejected') return { kind: 'rejected', attempts, status: status!, error };
  return { kind: 'failed', attempts, ...(status !== undefined ? { status } : {}), error };
}
