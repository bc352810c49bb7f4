// Graceful shutdown of a server process: the first SIGTERM (or SIGINT) stops new connections, lets
// the request in flight finish and exits 0; a second signal while closing exits at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/held-server.ts', import.meta.url));

interface Held {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves once the process has written `pattern` to stderr. */
  said(pattern: RegExp): Promise<void>;
}

async function start(): Promise<Held> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
    for (const w of waiting.filter((w) => w.pattern.test(stderr))) w.resolve();
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return {
    child,
    url: line.toString().trim(),
    said: (pattern) =>
      pattern.test(stderr) ? Promise.resolve() : new Promise((resolve) => waiting.push({ pattern, resolve })),
  };
}

/** Sends the headers and the first half of a 10-byte body; `finish` sends the rest and gives the answer. */
function halfUpload(url: string): { finish(): Promise<{ status: number; body: string }> } {
  const req = request(`${url}/upload`, { method: 'POST', headers: { 'content-length': '10', 'x-upload': 'half' } });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  // A process that exits first cuts the request: that rejection is read when the test asks for the answer.
  answer.catch(() => undefined);
  req.write('01234');
  req.flushHeaders();
  return { finish: () => (req.end('56789'), answer) };
}

test('SIGTERM lets the request in flight finish, refuses new ones, and exits 0', async () => {
  const held = await start();
  const exited = once(held.child, 'exit');
  const upload = halfUpload(held.url);
  await held.said(/upload half in flight/);
  held.child.kill('SIGTERM');
  await held.said(/SIGTERM, stopping/);
  await assert.rejects(fetch(`${held.url}/upload`, { method: 'POST', body: 'late' }));
  const answer = await upload.finish();
  assert.deepEqual([answer.status, JSON.parse(answer.body)], [200, { text: '0123456789' }]);
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0);
});

test('a second signal while closing exits at once, with status 1', async () => {
  const held = await start();
  const exited = once(held.child, 'exit');
  const upload = halfUpload(held.url);
  await held.said(/upload half in flight/);
  held.child.kill('SIGINT');
  await held.said(/SIGINT, stopping/);
  held.child.kill('SIGINT');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 1);
  await assert.rejects(upload.finish());
});
