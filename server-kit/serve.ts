/**
 * Serving a Hono app on Node: HTTP or HTTPS, limits against slow clients, and a graceful stop.
 *
 * Slow clients: headers must arrive within `headersTimeoutMs` (10 s) and the whole request within
 * `requestTimeoutMs` (30 s), else Node answers 408 and closes the connection (checked every quarter
 * of the headers timeout), so a trickling client holds a socket, never the process.
 *
 * Stopping: the server stops accepting connections and closes idle ones at once; requests in flight
 * finish (their connections close after them) for up to `graceMs` (5 s), after which whatever is
 * left is cut. Only then does `close()` resolve, so a caller closes its stores after the last
 * request that could use them.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createWebServer, type TlsCredentials } from './tls';

/** What handles a request: a Hono app's `fetch`. */
export type FetchHandler = (request: Request, env: { incoming: IncomingMessage; outgoing: ServerResponse }) => unknown;

/** A Node request listener (what a test wraps to inject faults). */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface ListenOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Interface to listen on; 127.0.0.1 by default. */
  readonly host?: string;
  /** Serve HTTPS with this certificate and key; plain HTTP without. */
  readonly tls?: TlsCredentials;
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** How long requests in flight may take to finish once stopping (5 s). */
  readonly graceMs?: number;
}

export interface Listening {
  readonly server: Server | HttpsServer;
  /** e.g. http://127.0.0.1:5174 */
  readonly url: string;
  readonly port: number;
  /** Requests being answered now. */
  readonly inFlight: number;
  /** Stops accepting, lets requests in flight finish (up to graceMs), then cuts what is left. */
  close(): Promise<void>;
}

/** The Node listener of a Hono app's fetch. */
export function nodeListener(fetch: FetchHandler): NodeListener {
  const listener = getRequestListener(fetch as Parameters<typeof getRequestListener>[0]);
  return (req, res) => void listener(req, res);
}

/** Serves `listener` (a Hono app's: `nodeListener(app.fetch)`) until `close()`. */
export async function listen(listener: NodeListener, options: ListenOptions = {}): Promise<Listening> {
  const host = options.host ?? '127.0.0.1';
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  let stopping = false;
  const answering = new Set<ServerResponse>();
  let drained: (() => void) | undefined;
  const sockets = new Set<Socket>();
  const server = createWebServer(
    { connectionsCheckingInterval: Math.max(100, Math.floor(headersTimeout / 4)), keepAliveTimeout: 5_000 },
    (req, res) => {
      answering.add(res);
      // A connection that asked during the stop is not kept alive after its answer.
      if (stopping) res.setHeader('Connection', 'close');
      res.once('close', () => {
        answering.delete(res);
        if (stopping && answering.size === 0) drained?.();
      });
      listener(req, res);
    },
    options.tls,
  );
  server.headersTimeout = headersTimeout;
  server.requestTimeout = Math.max(headersTimeout, options.requestTimeoutMs ?? 30_000);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  let closing: Promise<void> | undefined;
  const close = async () => {
    stopping = true;
    const closed = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    server.closeIdleConnections();
    // Answers still to come tell their clients the connection ends with them.
    for (const res of answering) if (!res.headersSent) res.setHeader('Connection', 'close');
    if (answering.size > 0) {
      const grace = new Promise<void>((resolve) => setTimeout(resolve, options.graceMs ?? 5_000).unref());
      await Promise.race([new Promise<void>((resolve) => (drained = resolve)), grace]);
    }
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    server,
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get inFlight() {
      return answering.size;
    },
    close: () => (closing ??= close()),
  };
}
