/**
 * The real collector (collector/server.ts) started by a test, with fault injection
 * wrapped around its request handler, so that the client's retry logic can be
 * tested while the shipped collector carries no test doors.
 *
 * Faults apply to `POST /reports` only, so a test polling `GET /reports` or `/health`
 * does not use them up:
 *   faults.failNext = 3;           // answer 500 InjectedFaultError to the next 3 report POSTs (nothing stored)
 *   faults.dropNext = 2;           // destroy the connection of the next 2 report POSTs without answering
 *   faults.dropAfterStoreNext = 1; // store the next new report, then destroy its connection (the answer is lost)
 * `pause()` stops listening and cuts connections (as if the collector were down);
 * `resume()` listens again on the same port.
 */
import { EventEmitter, once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultHosts } from '../../collector/access';
import { collectorHandle, openCollector, type Collector, type CollectorOptions } from '../../collector/server';
import { errorBody, listen, type Listening } from '../../server-kit/index';
import { collectorTemplate } from './pglite-template';

export interface Faults {
  /** Answer 500 to this many coming report POSTs (nothing is stored). */
  failNext: number;
  /** Destroy the connection of this many coming report POSTs without answering (nothing is stored). */
  dropNext: number;
  /** Store this many coming new reports, then destroy the connection: the client never learns it was delivered. */
  dropAfterStoreNext: number;
}

export interface TestCollectorOptions extends CollectorOptions {
  /** Faults to inject from the start. */
  faults?: Partial<Faults>;
}

export interface TestCollector extends Collector {
  /** Live fault counters: set a field to inject that many faults. */
  readonly faults: Faults;
  /** Whether the collector accepts connections (false between pause and resume). */
  readonly listening: boolean;
  /** Stops listening and cuts open connections; the database stays open. */
  pause(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  /**
   * Resolves once the store holds `count` reports (of `scope`, when given), checking again after
   * every report it stores: no polling. Fails after `timeoutMs` naming what it saw.
   */
  waitForStored(count: number, scope?: string, timeoutMs?: number): Promise<void>;
}

/**
 * Starts a collector on a free loopback port (PGlite in memory unless told otherwise). A new PGlite database
 * starts from the run's migrated template (pglite-template.ts) rather than from initdb.
 */
export async function startCollector(options: TestCollectorOptions = {}): Promise<TestCollector> {
  const { faults: initial, ...collectorOptions } = options;
  const app = await openCollector(
    collectorOptions.databaseUrl || collectorOptions.pgliteTemplate
      ? collectorOptions
      : { ...collectorOptions, pgliteTemplate: await collectorTemplate() },
  );
  const faults: Faults = { failNext: 0, dropNext: 0, dropAfterStoreNext: 0, ...initial };
  const stored = new EventEmitter();

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === 'POST' && (req.url ?? '').split('?')[0] === '/reports') {
      res.once('finish', () => res.statusCode === 201 && stored.emit('stored'));
      if (faults.dropNext > 0) {
        faults.dropNext--;
        req.socket.destroy();
        return;
      }
      if (faults.failNext > 0) {
        faults.failNext--;
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(
          JSON.stringify(errorBody('InjectedFaultError', 'the collector failed on purpose (test fault injection)')),
        );
        return;
      }
      if (faults.dropAfterStoreNext > 0) {
        const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
        res.end = ((...args: unknown[]) => {
          if (res.statusCode === 201 && faults.dropAfterStoreNext > 0) {
            faults.dropAfterStoreNext--;
            req.socket.destroy();
            return res;
          }
          return end(...args);
        }) as ServerResponse['end'];
      }
    }
    app.handler(req, res);
  };

  let http: Listening;
  try {
    http = await listen(handler, collectorOptions);
  } catch (err) {
    await app.store.close();
    throw err;
  }
  for (const h of defaultHosts(collectorOptions.host ?? '127.0.0.1', http.port)) app.allowedHosts.add(h);
  let current: Listening | null = http;
  const base = collectorHandle(app, http);
  return {
    ...base,
    faults,
    get listening() {
      return current !== null && current.server.listening;
    },
    pause: async () => {
      await current?.close();
      current = null;
    },
    resume: async () => {
      if (current) return;
      current = await listen(handler, { ...collectorOptions, port: http.port });
    },
    close: async () => {
      await current?.close();
      current = null;
      await app.store.close();
    },
    waitForStored: async (count, scope, timeoutMs = 60_000) => {
      const have = async () => (scope ? (await app.store.list(scope, count + 1)).length : await app.store.count());
      const signal = AbortSignal.timeout(timeoutMs);
      for (;;) {
        // Listen before reading, so a report stored between the read and the wait is not missed.
        const next = once(stored, 'stored', { signal });
        if ((await have()) >= count) {
          next.catch(() => undefined);
          return;
        }
        await next.catch(async () => {
          throw new Error(
            `timed out waiting for ${count} stored reports${scope ? ` of ${scope}` : ''}: ${await have()}`,
          );
        });
      }
    },
  };
}
