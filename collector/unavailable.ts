/**
 * Which failures mean "the database cannot be reached right now" rather than "this request
 * is wrong": the collector answers those with 503 and a Retry-After, so a reporter keeps its
 * report and sends it again later instead of treating the failure as final.
 */

/** Seconds a client is asked to wait when the database is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

/** Socket errors of a connection to the database server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
/**
 * PostgreSQL SQLSTATEs of a server that is going away or full: connection exceptions (class 08),
 * admin / crash shutdown and "cannot connect now" (57P01–57P03), too many connections (53300).
 */
const SERVER_STATES = /^(08...|57P0[123]|53300)$/;

export function databaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_STATES.test(code))) return true;
  // pg ends a pooled client whose server went away with a plain Error of this message.
  if (/^Connection terminated|timeout exceeded when trying to connect/.test(err.message)) return true;
  return err instanceof AggregateError && err.errors.some(databaseUnavailable);
}
