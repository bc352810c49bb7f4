/**
 * When to try a failed delivery again: exponential backoff with full jitter
 * (delay uniform in [0, min(cap, base·2^attempt)]), so many clients coming back
 * online do not retry in step. `random` is any uniform in [0, 1): timing jitter,
 * not privacy noise.
 */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 60_000;

export function retryDelay(attempt: number, random: number, base = BACKOFF_BASE_MS, cap = BACKOFF_CAP_MS): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt));
  // Never zero: at least a tenth of the base, so a failing endpoint is not hammered.
  return Math.max(base / 10, Math.floor(random * ceiling));
}
