/**
 * The wait a Retry-After header asks for (RFC 9110 §10.2.3): a number of seconds, or
 * an HTTP date. Undefined when the header is missing or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only the date forms carry letters; a bare number with a sign or a fraction is malformed, not a date.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
