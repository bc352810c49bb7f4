/** Small HTTP helpers of the collector: JSON answers, bounded bodies, CORS. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The error body every non-2xx answer carries. */
export interface ErrorBody {
  readonly error: { readonly name: string; readonly message: string };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Cache-Control', 'no-store');
  if (body === undefined) return void res.end();
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

export function sendError(
  res: ServerResponse,
  status: number,
  name: string,
  message: string,
  headers?: Record<string, string>,
): void {
  sendJson(res, status, { error: { name, message } } satisfies ErrorBody, headers);
}

export type BodyResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly tooLarge: true; readonly size: number };

/**
 * Reads the body as UTF-8 text, at most `limit` bytes. A larger body is read on and
 * dropped up to `drainLimit` bytes so the client still gets its 413; beyond that the
 * connection is cut. Nothing over `limit` is ever held in memory.
 */
export async function readBody(req: IncomingMessage, limit: number, drainLimit = 16 * limit): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > drainLimit) {
    req.socket.destroy();
    return { ok: false, tooLarge: true, size: declared };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > drainLimit) {
      req.socket.destroy();
      return { ok: false, tooLarge: true, size };
    }
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit
    ? { ok: false, tooLarge: true, size }
    : { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

export const CORS_METHODS = ['GET', 'POST'] as const;
export const CORS_HEADERS = ['Content-Type', 'Idempotency-Key'] as const;
/** Answer headers a page on another origin may read: a reporter honours Retry-After on 429 and 503. */
export const CORS_EXPOSED_HEADERS = ['Retry-After'] as const;

/**
 * CORS for an allow-list of origins. Requests without an Origin header (curl, the
 * CLI, tests) pass; a browser request from any other origin is refused. Returns
 * false when the request must be refused.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: ReadonlySet<string>): boolean {
  res.setHeader('Vary', 'Origin');
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (!allowed.has(origin)) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS.join(', '));
  // The app is cross-origin isolated (COEP require-corp); its fetches need the answer readable.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', CORS_METHODS.join(', '));
    res.setHeader('Access-Control-Allow-Headers', CORS_HEADERS.join(', '));
    res.setHeader('Access-Control-Max-Age', '600');
  }
  return true;
}
