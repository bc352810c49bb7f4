// A test-side HTTP proxy in front of the real collector that fails a share of the requests,
// in every way a network and a server can fail a POST, some of them after the collector stored it.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SeededRandom } from '../../../eval/seeded-random';

export const FAILURES = [
  'status-503', // refused before the collector saw it
  'status-429', // too many requests, come back after Retry-After
  'status-408', // request timeout
  'drop', // connection cut before forwarding
  'forward-then-502', // the collector stored it, the client is told it failed
  'forward-then-drop', // the collector stored it, the connection is cut before the answer
] as const;
export type Failure = (typeof FAILURES)[number];

export interface FailingProxy {
  readonly url: string;
  /** Requests seen, and failures injected of each kind. */
  readonly counts: { requests: number } & Record<Failure, number>;
  close(): Promise<void>;
}

/**
 * Fails each request with probability `failRate` (seeded, so runs are comparable),
 * picking the kind uniformly; `plan`, when given, decides instead (request number → failure or undefined).
 */
export async function startFailingProxy(
  target: string,
  options: {
    failRate?: number;
    seed?: number;
    plan?: (n: number) => Failure | undefined;
    /** The Retry-After of a 429 ('0' when not given), and of a 503 (none when not given). */
    retryAfter?: string;
    retryAfter503?: string;
  },
): Promise<FailingProxy> {
  const rng = new SeededRandom(options.seed ?? 1);
  const counts = { requests: 0, ...Object.fromEntries(FAILURES.map((f) => [f, 0])) } as FailingProxy['counts'];
  const choose = (n: number): Failure | undefined => {
    if (options.plan) return options.plan(n);
    return rng.next() < (options.failRate ?? 0) ? FAILURES[rng.int(0, FAILURES.length - 1)] : undefined;
  };
  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const out = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  const fail = (res: ServerResponse, status: number, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { name: 'ProxyFault', message: `injected ${status}` } }));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = counts.requests++;
      const failure = choose(n);
      if (failure) counts[failure]++;
      const body = Buffer.concat(chunks);
      if (failure === 'status-503')
        return fail(res, 503, options.retryAfter503 !== undefined ? { 'Retry-After': options.retryAfter503 } : {});
      if (failure === 'status-429') return fail(res, 429, { 'Retry-After': options.retryAfter ?? '0' });
      if (failure === 'status-408') return fail(res, 408);
      if (failure === 'drop') return req.socket.destroy();
      forward(req, body).then(
        (answer) => {
          if (failure === 'forward-then-502') return fail(res, 502);
          if (failure === 'forward-then-drop') return req.socket.destroy();
          res.writeHead(answer.status, { 'Content-Type': answer.headers['content-type'] ?? 'application/json' });
          res.end(answer.body);
        },
        () => fail(res, 502),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
