/**
 * Per-client token buckets for POST /reports: `rate` reports a second on average,
 * bursts up to `burst`. A client is its remote address. Each process keeps its own
 * buckets, so N processes behind a balancer allow up to N times the rate; the limit
 * is against a single client flooding one process, not a global quota.
 */
export interface RateLimiter {
  /** 0 when the request may go on; otherwise the seconds to wait before a retry can succeed. */
  take(client: string): number;
}

/** Clients remembered at most; the oldest bucket is forgotten first (a full bucket is the same as none). */
const MAX_CLIENTS = 100_000;

export function createRateLimiter(rate: number, burst = Math.max(1, rate * 2), now = () => Date.now()): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(client) {
      const t = now();
      const b = buckets.get(client) ?? { tokens: burst, at: t };
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * rate);
      b.at = t;
      buckets.delete(client); // re-inserted last: the map's order is least recently used first
      if (buckets.size >= MAX_CLIENTS) buckets.delete(buckets.keys().next().value as string);
      buckets.set(client, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / rate));
    },
  };
}
