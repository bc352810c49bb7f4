import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly error?: { name: string; message: string };
}

export interface ScriptedCollector {
  readonly url: string;
  /** Answers for the next POSTs, in order; when empty, POSTs are stored (201). */
  readonly script: ScriptedAnswer[];
  /** Every POST: its Idempotency-Key and the answer it got. */
  readonly posts: { id: string; status: number }[];
  /** Ids stored (answered 201), once each. */
  readonly stored: Set<string>;
  close(): Promise<void>;
}

/** The ε values the scripted collector's tasks take (privunit, in any scope), and their fixed version. */
export const SCRIPTED_EPSILONS = [0.01, 0.5, 1, 2];
const SCRIPTED_TASKS_VERSION = `sha256:${'0'.repeat(64)}`;

/**
 * A real HTTP endpoint on loopback that answers report POSTs as a test scripts it
 * (400, 409, 429 with Retry-After, …), with CORS for the page, exposing Retry-After. GET /tasks/SCOPE
 * declares a privunit task at SCRIPTED_EPSILONS for every scope (GET /tasks lists "default" alone).
 */
export async function startScriptedCollector(): Promise<ScriptedCollector> {
  const script: ScriptedAnswer[] = [];
  const posts: { id: string; status: number }[] = [];
  const stored = new Set<string>();
  const server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Methods', 'POST');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, idempotency-key');
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && (path === '/tasks' || path.startsWith('/tasks/'))) {
      // Every scope declared alike, so the device's task check passes and the script is about the POSTs.
      const task = (scope: string) => ({ scope, mechanism: 'privunit', epsilon: SCRIPTED_EPSILONS });
      const scope = decodeURIComponent(path.slice('/tasks/'.length));
      const body = path === '/tasks' ? { tasks: [task('default')] } : { task: task(scope) };
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ version: SCRIPTED_TASKS_VERSION, ...body }));
    }
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['idempotency-key']);
      const answer = script.shift() ?? { status: 201 };
      posts.push({ id, status: answer.status });
      if (answer.status === 201) stored.add(id);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(
        JSON.stringify(answer.status === 201 ? { id } : { error: answer.error ?? { name: 'Error', message: '' } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    script,
    posts,
    stored,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
