// Rounds of the federated evaluation replayed end to end: each device of a recorded round shards its
// clipped update with Prio3SumVec (the same rounding and Skellam words as in the mechanism math, from
// its replayable source), uploads a share to a real leader and a real helper on loopback (PGlite in
// memory), the leader prepares with the helper and forms one batch, and the analyst adds the two
// aggregate shares. The released sum must equal the mechanism math's exactly.
// A full round of 500 devices of 970 coordinates takes about 2 s of CPU a report (sharding and both
// aggregators' proof checks), so a replay may take the round's first `devices` only: the aggregators'
// n_min is then that count, and the sum compared is the mechanism math's over the same devices.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { collectBatch } from '../../aggregator/analyst';
import { startAggregator } from '../../aggregator/server';
import { estimateFromSum } from '../../src/privacy/aggregate/estimate';
import { noisyQuantisedVector } from '../../src/privacy/aggregate/noisy-vector';
import type { AggregatePlan } from '../../src/privacy/aggregate/plan';
import { shardAggregateReport } from '../../src/secure-aggregation/shard';
import { seededSource } from './seeded-source';
import type { DeviceRound } from './simulate';

export interface SliceRound {
  readonly round: number;
  readonly reports: number;
  /** The devices of the round (the replay may take fewer: `reports`). */
  readonly roundDevices: number;
  /** Every coordinate of the released sum equals the mechanism math's. */
  readonly exact: boolean;
  readonly maxSumDifference: number;
  readonly seconds: number;
}

/**
 * One share uploaded on a connection of its own, closed after it. The leader, the helper and the devices
 * share this process: a kept-alive socket from an upload, left idle while the leader checks proofs (its
 * event loop busy for many seconds), would be closed by the helper and then reused by the leader's own
 * request to the helper, which fails with a reset.
 */
function upload(url: string, reportId: string, publicShare: string, inputShare: string): Promise<void> {
  const body = JSON.stringify({ publicShare, inputShare });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/reports/${reportId}`,
      { method: 'PUT', agent: false, headers: { 'Content-Type': 'application/json', Connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 201
            ? resolve()
            : reject(new Error(`upload to ${url}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The offset sum the mechanism math gives for the round's first `count` devices, recomputed from their
 * replayable sources; null if recomputing the whole round does not give the sum the simulation recorded.
 */
function mathSum(plan: AggregatePlan, recorded: DeviceRound, count: number): readonly number[] | null {
  const sum = new Array<number>(plan.dims).fill(0);
  let first: number[] = [];
  recorded.devices.forEach((device, i) => {
    const sent = noisyQuantisedVector(recorded.updates[i]!, plan, seededSource(recorded.seed, recorded.round, device));
    for (let j = 0; j < plan.dims; j++) sum[j]! += sent[j]!;
    if (i === count - 1) first = [...sum];
  });
  return sum.every((x, j) => x === recorded.offsetSum[j]) ? first : null;
}

export async function replayRound(
  plan: AggregatePlan,
  recorded: DeviceRound,
  devices = recorded.devices.length,
): Promise<SliceRound> {
  const t0 = performance.now();
  const count = Math.min(devices, recorded.devices.length);
  const tokens = { peerToken: randomBytes(8).toString('hex'), analystToken: randomBytes(8).toString('hex') };
  const task = { dims: plan.dims, bits: plan.bits, nMin: count, verifyKey: randomBytes(16).toString('base64url') };
  const helper = await startAggregator({ role: 'helper', port: 0, ...task, ...tokens });
  const leader = await startAggregator({ role: 'leader', port: 0, ...task, ...tokens, helperUrl: helper.url });
  try {
    for (let i = 0; i < count; i++) {
      const source = seededSource(recorded.seed, recorded.round, recorded.devices[i]!);
      const report = await shardAggregateReport(recorded.updates[i]!, plan, source);
      await upload(leader.url, report.reportId, report.publicShare, report.leaderShare);
      await upload(helper.url, report.reportId, report.publicShare, report.helperShare);
    }
    const post = (path: string) =>
      fetch(`${leader.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${tokens.analystToken}` } });
    const prepared = (await (await post('/prepare')).json()) as Record<string, unknown>;
    const batch = (await (await post('/batches')).json()) as { batchId?: string };
    if (batch.batchId === undefined) {
      throw new Error(`no batch: prepared ${JSON.stringify(prepared)}, batches ${JSON.stringify(batch)}`);
    }
    const got = await collectBatch(
      plan,
      { leader: leader.url, helper: helper.url },
      batch.batchId!,
      tokens.analystToken,
    );
    const math = mathSum(plan, recorded, count);
    const want = math ? estimateFromSum(math, count, plan).sum : [];
    const maxSumDifference = math ? Math.max(...got.sum.map((x, i) => Math.abs(x - want[i]!))) : Infinity;
    return {
      round: recorded.round,
      reports: got.count,
      roundDevices: recorded.devices.length,
      exact: got.count === count && maxSumDifference === 0,
      maxSumDifference,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await leader.close();
    await helper.close();
  }
}
