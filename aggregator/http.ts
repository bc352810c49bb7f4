/** The aggregators' own HTTP pieces over the server kit: JSON object bodies, bearer tokens, calls to the peer. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HttpError, readJson } from '../server-kit/index';

/** The JSON object body, at most `limit` bytes. */
export async function readObject(c: Context, limit: number): Promise<Record<string, unknown>> {
  const value = await readJson(c, limit, 'InvalidReportError');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'InvalidReportError', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** POSTs JSON with a bearer token; returns the parsed answer or throws HttpError with the peer's status. */
export async function postJson(url: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  if (!res.ok) {
    const error = answer['error'] as { name?: string; message?: string } | undefined;
    throw new HttpError(
      res.status as ContentfulStatusCode,
      error?.name ?? 'PeerError',
      `${url}: ${error?.message ?? res.status}`,
    );
  }
  return answer;
}

export function requireToken(c: Context, token: string): void {
  if (c.req.header('authorization') !== `Bearer ${token}`)
    throw new HttpError(401, 'UnauthorizedError', 'a valid bearer token is required');
}
