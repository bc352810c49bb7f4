// Prio3 end to end on a subset: real leader and helper on loopback (PGlite in memory), the
// client library's shares uploaded to each, preparation, one batch, the analyst's sum,
// compared exactly with the mechanism math on the same random words.
import { randomBytes } from 'node:crypto';
import { startAggregator } from '../../aggregator/server';
import { collectBatch } from '../../aggregator/analyst';
import type { AggregatePlan } from '../../src/privacy/aggregate/plan';
import { noisyQuantisedVector } from '../../src/privacy/aggregate/noisy-vector';
import { estimateFromSum } from '../../src/privacy/aggregate/estimate';
import { cryptoRandomSource, type RandomSource } from '../../src/privacy/random/random-source';
import { shardAggregateReport } from '../../src/secure-aggregation/shard';

/** Records the words it hands out, so the same draws can be replayed. */
function teeSource(): { source: RandomSource; replay(): RandomSource } {
  const words: number[] = [];
  return {
    source: {
      fillUint32(t) {
        cryptoRandomSource.fillUint32(t);
        words.push(...t);
      },
    },
    replay() {
      let at = 0;
      return { fillUint32: (t) => t.forEach((_, i) => (t[i] = words[at++]!)) };
    },
  };
}

export interface EndToEnd {
  readonly reports: number;
  readonly exact: boolean;
  readonly maxMeanDifference: number;
  readonly seconds: number;
}

export async function endToEnd(plan: AggregatePlan, prepared: readonly Float64Array[]): Promise<EndToEnd> {
  const t0 = performance.now();
  const verifyKey = randomBytes(16).toString('base64url');
  const tokens = { peerToken: randomBytes(8).toString('hex'), analystToken: randomBytes(8).toString('hex') };
  const task = { dims: plan.dims, bits: plan.bits, nMin: plan.nMin, verifyKey, ...tokens };
  const helper = await startAggregator({ role: 'helper', port: 0, ...task });
  const leader = await startAggregator({ role: 'leader', port: 0, ...task, helperUrl: helper.url });
  try {
    const expected = new Array<number>(plan.dims).fill(0);
    for (const x of prepared) {
      const tee = teeSource();
      const report = await shardAggregateReport(x, plan, tee.source);
      noisyQuantisedVector(x, plan, tee.replay()).forEach((v, i) => (expected[i]! += v));
      for (const [url, inputShare] of [
        [leader.url, report.leaderShare],
        [helper.url, report.helperShare],
      ] as const) {
        const res = await fetch(`${url}/reports/${report.reportId}`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ publicShare: report.publicShare, inputShare }),
        });
        if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
      }
    }
    const post = (path: string) =>
      fetch(`${leader.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${tokens.analystToken}` } });
    await (await post('/prepare')).json();
    const batch = (await (await post('/batches')).json()) as { batchId: string; count: number };
    const got = await collectBatch(
      plan,
      { leader: leader.url, helper: helper.url },
      batch.batchId,
      tokens.analystToken,
    );
    const want = estimateFromSum(expected, prepared.length, plan).mean;
    const maxMeanDifference = Math.max(...got.mean.map((m, i) => Math.abs(m - want[i]!)));
    return {
      reports: got.count,
      exact: got.count === prepared.length && maxMeanDifference === 0,
      maxMeanDifference,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await leader.close();
    await helper.close();
  }
}
