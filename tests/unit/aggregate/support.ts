// Test support for the aggregators: a leader and a helper on loopback, each behind a
// recording TCP proxy (the network audit reads what each one received), and a client
// that uploads each input share to its own aggregator.
import { createServer, connect, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startAggregator, type RunningAggregator } from '../../../aggregator/server';
import type { AggregateReport } from '../../../src/secure-aggregation/shard';
import { aggregatorTemplate } from '../../support/pglite-template';

export interface RecordingProxy {
  readonly url: string;
  /** Every byte sent to the target through this proxy. */
  received(): Buffer;
  close(): Promise<void>;
}

export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const { hostname, port } = new URL(target);
  const chunks: Buffer[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    client.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => Buffer.concat(chunks),
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.unref())),
  };
}

export interface Pair {
  readonly leader: RunningAggregator;
  readonly helper: RunningAggregator;
  /** The addresses clients and the leader use: the recording proxies. */
  readonly leaderUrl: string;
  readonly helperUrl: string;
  readonly leaderProxy: RecordingProxy;
  readonly helperProxy: RecordingProxy;
  readonly analystToken: string;
  readonly peerToken: string;
  close(): Promise<void>;
}

/**
 * `databases`: each aggregator on its own PostgreSQL database (URLs); PGlite in memory otherwise, started from
 * the run's template (tests/support/pglite-template.ts).
 */
export async function startPair(
  task: { dims: number; bits: number; nMin: number },
  databases?: { leader: string; helper: string },
): Promise<Pair> {
  const pglite = databases ? {} : { pgliteTemplate: await aggregatorTemplate() };
  const verifyKey = randomBytes(16).toString('base64url');
  const peerToken = randomBytes(12).toString('hex');
  const analystToken = randomBytes(12).toString('hex');
  const helper = await startAggregator({
    role: 'helper',
    port: 0,
    ...task,
    verifyKey,
    peerToken,
    analystToken,
    ...(databases ? { databaseUrl: databases.helper } : pglite),
  });
  const helperProxy = await recordingProxy(helper.url);
  const leader = await startAggregator({
    role: 'leader',
    port: 0,
    ...task,
    verifyKey,
    peerToken,
    analystToken,
    helperUrl: helperProxy.url,
    ...(databases ? { databaseUrl: databases.leader } : pglite),
  });
  const leaderProxy = await recordingProxy(leader.url);
  return {
    leader,
    helper,
    leaderUrl: leaderProxy.url,
    helperUrl: helperProxy.url,
    leaderProxy,
    helperProxy,
    analystToken,
    peerToken,
    async close() {
      await leaderProxy.close();
      await helperProxy.close();
      await leader.close();
      await helper.close();
    },
  };
}

/** What a browser client does: each share to its own aggregator, under the one report id. */
export async function upload(pair: Pair, report: AggregateReport): Promise<number[]> {
  const put = (base: string, inputShare: string) =>
    fetch(`${base}/reports/${report.reportId}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicShare: report.publicShare, inputShare }),
    }).then(async (r) => (await r.arrayBuffer(), r.status));
  return Promise.all([put(pair.leaderUrl, report.leaderShare), put(pair.helperUrl, report.helperShare)]);
}

export async function call(
  url: string,
  token: string,
  method = 'POST',
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
