// Rounds of the federated evaluation replayed end to end: each device of a recorded round shards its
// clipped update with Prio3SumVec (the same rounding and Skellam words as in the mechanism math, from
// its replayable source), uploads a share to a real leader and a real helper on loopback (PGlite in
// memory), the leader prepares with the helper and forms one batch, and the analyst adds the two
// aggregate shares. The released sum must equal the mechanism math's exactly.
import { randomBytes } from 'node:crypto';
import { collectBatch } from '../../aggregator/analyst';
import { startAggregator } from '../../aggregator/server';
import { estimateFromSum } from '../../src/privacy/aggregate/estimate';
import type { AggregatePlan } from '../../src/privacy/aggregate/plan';
import { shardAggregateReport } from '../../src/secure-aggregation/shard';
import { seededSource } from './seeded-source';
import type { DeviceRound } from './simulate';

export interface SliceRound {
  readonly round: number;
  readonly reports: number;
  /** Every coordinate of the released sum equals the mechanism math's. */
  readonly exact: boolean;
  readonly maxSumDifference: number;
  readonly seconds: number;
}

async function upload(url: string, reportId: string, publicShare: string, inputShare: string): Promise<void> {
  const res = await fetch(`${url}/reports/${reportId}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ publicShare, inputShare }),
  });
  if (res.status !== 201) throw new Error(`upload to ${url}: ${res.status} ${await res.text()}`);
}

export async function replayRound(plan: AggregatePlan, recorded: DeviceRound): Promise<SliceRound> {
  const t0 = performance.now();
  const tokens = { peerToken: randomBytes(8).toString('hex'), analystToken: randomBytes(8).toString('hex') };
  const task = { dims: plan.dims, bits: plan.bits, nMin: plan.nMin, verifyKey: randomBytes(16).toString('base64url') };
  const helper = await startAggregator({ role: 'helper', port: 0, ...task, ...tokens });
  const leader = await startAggregator({ role: 'leader', port: 0, ...task, ...tokens, helperUrl: helper.url });
  try {
    for (let i = 0; i < recorded.devices.length; i++) {
      const source = seededSource(recorded.seed, recorded.round, recorded.devices[i]!);
      const report = await shardAggregateReport(recorded.updates[i]!, plan, source);
      await upload(leader.url, report.reportId, report.publicShare, report.leaderShare);
      await upload(helper.url, report.reportId, report.publicShare, report.helperShare);
    }
    const post = (path: string) =>
      fetch(`${leader.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${tokens.analystToken}` } });
    await (await post('/prepare')).json();
    const batch = (await (await post('/batches')).json()) as { batchId: string };
    const got = await collectBatch(
      plan,
      { leader: leader.url, helper: helper.url },
      batch.batchId,
      tokens.analystToken,
    );
    const want = estimateFromSum(recorded.offsetSum, recorded.devices.length, plan).sum;
    const maxSumDifference = Math.max(...got.sum.map((x, i) => Math.abs(x - want[i]!)));
    return {
      round: recorded.round,
      reports: got.count,
      exact: got.count === recorded.devices.length && maxSumDifference === 0,
      maxSumDifference,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await leader.close();
    await helper.close();
  }
}
