/**
 * Who may read what. Reports come in from anyone (POST /reports); the stored reports
 * and the aggregates (GET /reports, GET /aggregates) can be locked behind a bearer
 * token. Every request's Host header must name this collector: a web page cannot use
 * DNS rebinding (its own name resolving to 127.0.0.1) to read a local collector.
 */
import { timingSafeEqual, createHash } from 'node:crypto';

/** The Host values a collector listening on `host:port` answers to by default. */
export function defaultHosts(host: string, port: number): string[] {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  if (host !== '0.0.0.0' && host !== '::') names.add(host.includes(':') ? `[${host}]` : host);
  return [...names].map((n) => `${n}:${port}`);
}

/** Normalises a Host header or a configured name (lower case; default HTTP port made explicit). */
export function normalizeHost(value: string): string {
  const v = value.trim().toLowerCase();
  return /:\d+$/.test(v) ? v : `${v}:80`;
}

/** Whether a request's Host header names this collector. */
export function hostAllowed(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  return host !== undefined && allowed.has(normalizeHost(host));
}

/** Constant-time comparison of `Authorization: Bearer <token>` with the configured token. */
export function tokenMatches(authorization: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}
