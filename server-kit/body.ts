/**
 * Request bodies with a size limit. A body declared larger than the limit is refused before a
 * byte is read (413, and the connection closes); a body sent without a length is counted as it
 * arrives and refused as soon as it passes the limit. Nothing over the limit is held in memory;
 * what the client still sends after the 413 is drained by the Node adapter up to its own cap, then
 * the connection is cut.
 */
import type { Context } from 'hono';
import { HttpError } from './errors';

/** The body as UTF-8 text, at most `limit` bytes; 413 PayloadTooLargeError otherwise. */
export async function readText(c: Context, limit: number): Promise<string> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
    const size = Number(declared);
    if (size > limit) throw tooLarge(limit, size);
    // Within the limit and exact (the HTTP parser holds the client to its length): the adapter's fast path.
    return c.req.text();
  }
  const body = c.req.raw.body;
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      void reader.cancel().catch(() => undefined);
      throw tooLarge(limit, size);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body parsed as JSON (at most `limit` bytes); 400 `invalidName` when it is not JSON. */
export async function readJson(c: Context, limit: number, invalidName: string): Promise<unknown> {
  const text = await readText(c, limit);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, invalidName, `body is not JSON: ${(err as Error).message}`);
  }
}

function tooLarge(limit: number, size: number): HttpError {
  return new HttpError(413, 'PayloadTooLargeError', `the body must be at most ${limit} bytes, got ${size}`, {
    headers: { Connection: 'close' },
  });
}
