// A page learns that the engine worker's script has been received from the first of two signs: its own
// Resource Timing lists the script (Node's fetch records entries as a page's does), or the worker says its
// script runs. Either settles it, and a script of another name does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scriptReceived } from '../../../src/client/script-received';
import { SCRIPT_ARRIVED } from '../../../src/engine/worker/script-arrived';

let server: Server;
let base: string;

before(async () => {
  server = createServer((_req, res) => res.end('// a script'));
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const isEngineScript = (url: URL) => /\/engine\.worker[^/]*$/.test(url.pathname);

/** A worker as the bridge sees one: something that posts messages. */
function fakeWorker(): Worker & { say(data: unknown): void } {
  const target = new EventTarget() as Worker & { say(data: unknown): void };
  target.say = (data) => target.dispatchEvent(new MessageEvent('message', { data }));
  return target;
}

/** Fetches `path`, and resolves once Resource Timing observers have been told of it (ours after the bridge's). */
async function fetchObserved(path: string): Promise<void> {
  const url = `${base}${path}`;
  const told = new Promise<void>((resolve) => {
    const observer = new PerformanceObserver((list) => {
      if (!list.getEntries().some((e) => e.name === url)) return;
      observer.disconnect();
      resolve();
    });
    observer.observe({ type: 'resource' });
  });
  await (await fetch(url)).text();
  await told;
}

/** Whether `p` has settled once the callbacks queued so far have run. */
async function settledNow(p: Promise<void>): Promise<boolean> {
  let settled = false;
  void p.then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

test('the Resource Timing entry of the engine script settles it, before the worker says anything', async () => {
  const worker = fakeWorker();
  const received = scriptReceived(worker, isEngineScript);
  await fetchObserved('/assets/other-chunk.js');
  assert.equal(await settledNow(received), false, 'another script is not the engine');
  await fetchObserved('/assets/engine.worker-Ab12_c.js');
  assert.equal(await settledNow(received), true);
});

test("the worker's own message settles it, and is the only sign without a script name", async () => {
  const worker = fakeWorker();
  const received = scriptReceived(worker);
  await fetchObserved('/assets/engine.worker-Ab12_c.js');
  assert.equal(await settledNow(received), false, 'without a name, a fetched script says nothing');
  worker.say({ other: true });
  assert.equal(await settledNow(received), false);
  worker.say({ [SCRIPT_ARRIVED]: true });
  assert.equal(await settledNow(received), true);
});
