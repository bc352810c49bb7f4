// Leader and helper on a real PostgreSQL server, each on its own database of one throwaway
// cluster: shard → upload → prepare → batch ≥ n_min → the analyst's sum is the exact noisy sum;
// tampered reports are rejected, a batch below n_min releases nothing, no report is in two batches.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { planAggregate, type AggregatePlan } from '../../../src/privacy/aggregate/plan';
import { noisyQuantisedVector, prepareForAggregate } from '../../../src/privacy/aggregate/noisy-vector';
import { shardAggregateReport, type AggregateReport } from '../../../src/secure-aggregation/shard';
import { fromBase64Url, toBase64Url } from '../../../src/secure-aggregation/codec';
import { collectBatch } from '../../../aggregator/analyst';
import { startPostgresCluster, type PostgresCluster } from '../../support/postgres-cluster';
import { seededSource } from '../privacy/seeded-source';
import { call, startPair, upload, type Pair } from './support';

const DIMS = 8;
const N_MIN = 4;
let plan: AggregatePlan;
let cluster: PostgresCluster;
let pair: Pair;

const person = (k: number) =>
  prepareForAggregate(
    Array.from({ length: DIMS }, (_, i) => Math.sin(k * 0.7 + i) + (i === k % DIMS ? 2 : 0)),
    plan,
  );

before(async () => {
  plan = planAggregate({ epsilon: 2, delta: 1e-6, nMin: N_MIN, dims: DIMS });
  cluster = await startPostgresCluster();
  const databases = {
    leader: await cluster.createDatabase('leader_db'),
    helper: await cluster.createDatabase('helper_db'),
  };
  pair = await startPair({ dims: DIMS, bits: plan.bits, nMin: N_MIN }, databases);
});

after(async () => {
  await pair?.close();
  await cluster?.stop();
});

test('on PostgreSQL: valid reports sum exactly; invalid ones and small batches release nothing', async () => {
  const expected = new Array<number>(DIMS).fill(0);
  const reports: AggregateReport[] = [];
  for (let k = 0; k < 5; k++) {
    reports.push(await shardAggregateReport(person(k), plan, seededSource(500 + k)));
    noisyQuantisedVector(person(k), plan, seededSource(500 + k)).forEach((v, i) => (expected[i]! += v));
  }
  for (const r of reports) assert.deepEqual(await upload(pair, r), [201, 201]);
  const tampered = await shardAggregateReport(person(9), plan, seededSource(9));
  const bytes = fromBase64Url(tampered.leaderShare, 'leaderShare');
  bytes[20]! ^= 1;
  assert.deepEqual(await upload(pair, { ...tampered, leaderShare: toBase64Url(bytes) }), [201, 201]);

  // Stored in the server's databases, each aggregator its own.
  assert.equal(cluster.psql('select count(*) from reports;', 'leader_db').trim(), '6');
  assert.equal(cluster.psql('select count(*) from reports;', 'helper_db').trim(), '6');

  const prepared = await call(`${pair.leaderUrl}/prepare`, pair.analystToken);
  assert.deepEqual(prepared.body, { valid: 5, invalid: 1, waiting: 0 });
  // Input shares are dropped once prepared.
  assert.equal(cluster.psql('select count(*) from reports where input_share is not null;', 'helper_db').trim(), '0');

  const batch = await call(`${pair.leaderUrl}/batches`, pair.analystToken);
  assert.equal(batch.status, 201, JSON.stringify(batch.body));
  const batchId = batch.body['batchId'] as string;
  const result = await collectBatch(
    plan,
    { leader: pair.leaderUrl, helper: pair.helperUrl },
    batchId,
    pair.analystToken,
  );
  assert.equal(result.count, 5);
  assert.deepEqual(
    result.sum.map((x) => Math.round(x * plan.scale)),
    expected.map((s) => s - 5 * plan.offset),
  );

  // Below n_min: refused, nothing released.
  const more = await shardAggregateReport(person(20), plan, seededSource(20));
  assert.deepEqual(await upload(pair, more), [201, 201]);
  await call(`${pair.leaderUrl}/prepare`, pair.analystToken);
  const small = await call(`${pair.leaderUrl}/batches`, pair.analystToken);
  assert.equal(small.status, 409);
  assert.equal(cluster.psql('select count(*) from batches;', 'leader_db').trim(), '1');

  // A batch reusing batched reports is refused by the helper's database, and nothing changes.
  const overlap = [more.reportId, ...reports.slice(0, 3).map((r) => r.reportId)];
  const refused = await call(`${pair.helperUrl}/batches/again`, pair.peerToken, 'POST', { reportIds: overlap });
  assert.equal(refused.status, 409);
  for (const db of ['leader_db', 'helper_db']) {
    const rows = cluster.psql('select batch_id, count(*) from reports where batch_id is not null group by 1;', db);
    assert.deepEqual(rows.trim().split('\n'), [`${batchId}|5`]);
  }
  assert.equal((await call(`${pair.helperUrl}/batches/again/aggregate-share`, pair.analystToken, 'GET')).status, 404);
});
