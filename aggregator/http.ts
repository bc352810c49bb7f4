/** Small HTTP helpers of the aggregators: JSON in and out with a size limit, typed error bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** The JSON body, at most `limit` bytes. */
export async function readJson(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'PayloadTooLargeError', `the body must be at most ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'InvalidReportError', 'the body must be a JSON object');
  }
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
    throw new HttpError(res.status, error?.name ?? 'PeerError', `${url}: ${error?.message ?? res.status}`);
  }
  return answer;
}

export function requireToken(req: IncomingMessage, token: string): void {
  if (req.headers['authorization'] !== `Bearer ${token}`)
    throw new HttpError(401, 'UnauthorizedError', 'a valid bearer token is required');
}
