// Leader and helper as real HTTP services on loopback, each with its own PGlite: uploads,
// VDAF preparation between them, rejection of invalid reports, batch rules, the analyst's
// combination, and a network audit of what each aggregator received.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Prio3SumVec } from '@divviup/prio3';
import { planAggregate, type AggregatePlan } from '../../../src/privacy/aggregate/plan';
import { noisyQuantisedVector, prepareForAggregate } from '../../../src/privacy/aggregate/noisy-vector';
import { shardAggregateReport, type AggregateReport } from '../../../src/secure-aggregation/shard';
import { fromBase64Url, toBase64Url } from '../../../src/secure-aggregation/codec';
import { sumVecFor } from '../../../src/secure-aggregation/task';
import { collectBatch } from '../../../aggregator/analyst';
import { startAggregator } from '../../../aggregator/server';
import { seededSource } from '../privacy/seeded-source';
import { call, startPair, upload, type Pair } from './support';

const run = promisify(execFile);
const DIMS = 16;
const N_MIN = 5;
let plan: AggregatePlan;
let pair: Pair;

function person(k: number): Float64Array {
  return prepareForAggregate(
    Array.from({ length: DIMS }, (_, i) => Math.cos(k * 1.3 + i) + (i === k % DIMS ? 3 : 0)),
    plan,
  );
}

before(async () => {
  plan = planAggregate({ epsilon: 2, delta: 1e-6, nMin: N_MIN, dims: DIMS });
  pair = await startPair({ dims: DIMS, bits: plan.bits, nMin: N_MIN });
});

after(async () => {
  await pair.close();
});

/** The bodies of the HTTP/1.1 requests in a recorded byte stream (Content-Length framing). */
function requestBodies(stream: string): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < stream.length) {
    const end = stream.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const length = Number(/content-length: *(\d+)/i.exec(stream.slice(at, end))?.[1] ?? 0);
    out.push(stream.slice(end + 4, end + 4 + length));
    at = end + 4 + length;
  }
  return out.filter((b) => b.length > 0);
}

/** A dishonest client: one coordinate encoded as 2^bits, with a proof made for that encoding. */
async function outOfRangeReport(): Promise<AggregateReport> {
  const honest = await shardAggregateReport(person(99), plan, seededSource(99));
  const forged = new Prio3SumVec({
    shares: 2,
    length: DIMS,
    bits: plan.bits,
    chunkLength: sumVecFor(plan).chunkLength,
  });
  const encode = forged.flp.encode.bind(forged.flp);
  forged.flp.encode = (x: number[]) => {
    const e = encode(x);
    e[plan.bits - 1] = 2n;
    return e;
  };
  const nonce = randomBytes(16);
  const { publicShare, inputShares } = await forged.shardEncoded(
    new Array<number>(DIMS).fill(plan.offset),
    nonce,
    randomBytes(forged.randSize),
  );
  return {
    ...honest,
    reportId: toBase64Url(nonce),
    publicShare: toBase64Url(publicShare),
    leaderShare: toBase64Url(inputShares[0]!),
    helperShare: toBase64Url(inputShares[1]!),
  };
}

test('valid reports are prepared, batched and combined into the exact noisy sum; invalid ones are not', async () => {
  const expected = new Array<number>(DIMS).fill(0);
  const reports: AggregateReport[] = [];
  for (let k = 0; k < 7; k++) {
    reports.push(await shardAggregateReport(person(k), plan, seededSource(1000 + k)));
    noisyQuantisedVector(person(k), plan, seededSource(1000 + k)).forEach((v, i) => (expected[i]! += v));
  }
  for (const r of reports) assert.deepEqual(await upload(pair, r), [201, 201]);
  // A retry of the same upload is accepted once; the same id with other bytes is refused.
  assert.deepEqual(await upload(pair, reports[0]!), [200, 200]);
  assert.deepEqual(await upload(pair, { ...reports[0]!, leaderShare: reports[1]!.leaderShare }), [409, 200]);
  // A share of the wrong size is refused at upload.
  assert.deepEqual(
    await upload(pair, {
      ...reports[0]!,
      reportId: toBase64Url(randomBytes(16)),
      leaderShare: reports[0]!.helperShare,
    }),
    [400, 201],
  );

  // Invalid: a tampered leader share, and a coordinate out of range.
  const tampered = await shardAggregateReport(person(50), plan, seededSource(50));
  const bytes = fromBase64Url(tampered.leaderShare, 'leaderShare');
  bytes[40]! ^= 4;
  assert.deepEqual(await upload(pair, { ...tampered, leaderShare: toBase64Url(bytes) }), [201, 201]);
  assert.deepEqual(await upload(pair, await outOfRangeReport()), [201, 201]);

  const prepared = await call(`${pair.leaderUrl}/prepare`, pair.analystToken);
  assert.equal(prepared.status, 200);
  assert.deepEqual(prepared.body, { valid: 7, invalid: 2, waiting: 0 });

  const batch = await call(`${pair.leaderUrl}/batches`, pair.analystToken);
  assert.equal(batch.status, 201, JSON.stringify(batch.body));
  assert.equal(batch.body['count'], 7);
  const batchId = batch.body['batchId'] as string;

  const result = await collectBatch(
    plan,
    { leader: pair.leaderUrl, helper: pair.helperUrl },
    batchId,
    pair.analystToken,
  );
  assert.equal(result.count, 7);
  const mean = expected.map((s) => (s - 7 * plan.offset) / (7 * plan.scale));
  assert.deepEqual(
    result.sum.map((x) => Math.round(x * plan.scale)),
    expected.map((s) => s - 7 * plan.offset),
  );
  result.mean.forEach((m, i) => assert.ok(Math.abs(m - mean[i]!) < 1e-12));

  // The analyst's command line says the same.
  const cli = await run(process.execPath, [
    '--import',
    'tsx',
    'aggregator/analyst.ts',
    ...['--leader', pair.leaderUrl, '--helper', pair.helperUrl, '--batch', batchId, '--token', pair.analystToken],
    ...['--epsilon', '2', '--delta', '1e-6', '--n-min', String(N_MIN), '--dims', String(DIMS)],
  ]);
  assert.deepEqual(JSON.parse(cli.stdout), result);

  for (const agg of [pair.leader, pair.helper]) {
    const counts = await agg.store.counts();
    assert.equal(counts['valid'], 7);
    assert.equal(counts['batched'], 7);
  }
  assert.equal((await pair.helper.store.counts())['invalid'], 2);
});

test('batch rules: nothing below n_min, no report in two batches, no release without the analyst token', async () => {
  const extra: AggregateReport[] = [];
  for (let k = 0; k < 3; k++) extra.push(await shardAggregateReport(person(20 + k), plan, seededSource(2000 + k)));
  for (const r of extra) assert.deepEqual(await upload(pair, r), [201, 201]);
  assert.equal((await call(`${pair.leaderUrl}/prepare`, pair.analystToken)).body['valid'], 3);

  const small = await call(`${pair.leaderUrl}/batches`, pair.analystToken);
  assert.equal(small.status, 409);
  assert.match(JSON.stringify(small.body), /at least 5/);

  // Asking the helper directly to batch already-batched reports with new ones: refused, and nothing changes.
  const batched = await pair.helper.store.db.query<{ report_id: string }>(
    'select report_id from reports where batch_id is not null limit 2',
  );
  const overlap = [...extra.map((r) => r.reportId), ...batched.rows.map((r) => r.report_id)];
  const refused = await call(`${pair.helperUrl}/batches/overlap`, pair.peerToken, 'POST', { reportIds: overlap });
  assert.equal(refused.status, 409);
  assert.match(JSON.stringify(refused.body), /already batched/);
  assert.equal((await pair.helper.store.counts())['batched'], 7);
  assert.equal((await call(`${pair.helperUrl}/batches/overlap/aggregate-share`, pair.analystToken, 'GET')).status, 404);

  // Once n_min valid unbatched reports exist, the next batch holds exactly those.
  for (let k = 0; k < 2; k++) {
    assert.deepEqual(
      await upload(pair, await shardAggregateReport(person(30 + k), plan, seededSource(3000 + k))),
      [201, 201],
    );
  }
  await call(`${pair.leaderUrl}/prepare`, pair.analystToken);
  const second = await call(`${pair.leaderUrl}/batches`, pair.analystToken);
  assert.equal(second.status, 201);
  assert.equal(second.body['count'], 5);
  for (const agg of [pair.leader, pair.helper]) {
    const per = await agg.store.db.query<{ batch_id: string; n: number }>(
      'select batch_id, count(*)::int as n from reports where batch_id is not null group by 1 order by 2',
    );
    assert.deepEqual(
      per.rows.map((r) => r.n),
      [5, 7],
    );
  }
  const id = second.body['batchId'] as string;
  assert.equal((await call(`${pair.leaderUrl}/batches/${id}/aggregate-share`, 'wrong', 'GET')).status, 401);
  assert.equal(
    (await call(`${pair.helperUrl}/aggregate-init`, pair.analystToken, 'POST', { prepareShares: [] })).status,
    401,
  );
  // The counts by state tell how many people took part: they are the analyst's as well.
  for (const url of [pair.leaderUrl, pair.helperUrl]) {
    const anonymous = await fetch(`${url}/status`);
    assert.equal(anonymous.status, 401, url);
    assert.equal(((await anonymous.json()) as Record<string, unknown>)['reports'], undefined, url);
    assert.equal((await call(`${url}/status`, 'wrong', 'GET')).status, 401, url);
    assert.equal(typeof (await call(`${url}/status`, pair.analystToken, 'GET')).body['reports'], 'object', url);
  }
});

test('network audit: each aggregator received its own share and never the other one', async () => {
  const report = await shardAggregateReport(person(77), plan, seededSource(77));
  assert.deepEqual(await upload(pair, report), [201, 201]);
  await call(`${pair.leaderUrl}/prepare`, pair.analystToken);
  const toLeader = pair.leaderProxy.received().toString('latin1');
  const toHelper = pair.helperProxy.received().toString('latin1');
  assert.ok(toLeader.includes(report.leaderShare) && toHelper.includes(report.helperShare));
  assert.ok(toLeader.includes(report.publicShare) && toHelper.includes(report.publicShare));

  // The helper's seeds, whole or one by one, in base64url, hex or raw bytes, never reach the leader.
  const helperBytes = fromBase64Url(report.helperShare, 'helperShare');
  const leaderRaw = pair.leaderProxy.received();
  assert.ok(!toLeader.includes(report.helperShare));
  for (let i = 0; i < 48; i += 16) {
    const seed = helperBytes.subarray(i, i + 16);
    assert.ok(!toLeader.includes(toBase64Url(seed)) && !toLeader.includes(seed.toString('hex')));
    assert.ok(!leaderRaw.includes(seed));
  }
  // No 24-character aligned window of the leader's share (18 bytes) reaches the helper, nor its raw bytes.
  const helperRaw = pair.helperProxy.received();
  const leaderBytes = fromBase64Url(report.leaderShare, 'leaderShare');
  for (let c = 0; c + 24 <= report.leaderShare.length; c += 4) {
    assert.ok(!toHelper.includes(report.leaderShare.slice(c, c + 24)), `leader share chars ${c}…`);
  }
  for (let b = 0; b + 16 <= leaderBytes.length; b += 16) {
    assert.ok(!helperRaw.includes(leaderBytes.subarray(b, b + 16)));
    assert.ok(!toHelper.includes(leaderBytes.subarray(b, b + 16).toString('hex')));
  }
  // Every body the helper received is an upload of a 48-byte helper share, or the leader's preparation
  // shares (one verifier share and one joint-randomness part each), or a batch's list of report ids.
  const vdaf = sumVecFor(plan);
  const prepareShareBytes = (vdaf.flp.verifierLen * vdaf.proofs + 1) * 16;
  const bodies = requestBodies(toHelper);
  assert.ok(bodies.length > 10);
  for (const text of bodies) {
    const body = JSON.parse(text) as Record<string, unknown>;
    const keys = Object.keys(body).sort().join(',');
    if (keys === 'inputShare,publicShare') {
      assert.equal(fromBase64Url(body['inputShare'], 'inputShare').length, 48);
    } else if (keys === 'prepareShares') {
      for (const p of body['prepareShares'] as { prepareShare: string }[])
        assert.equal(fromBase64Url(p.prepareShare, 'prepareShare').length, prepareShareBytes);
    } else {
      assert.equal(keys, 'reportIds');
    }
  }
});

test('a report whose helper share has not arrived waits, and is prepared once it has', async () => {
  const report = await shardAggregateReport(person(88), plan, seededSource(88));
  const put = (base: string, inputShare: string) =>
    fetch(`${base}/reports/${report.reportId}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ publicShare: report.publicShare, inputShare }),
    }).then((r) => r.status);
  assert.equal(await put(pair.leaderUrl, report.leaderShare), 201);
  assert.deepEqual((await call(`${pair.leaderUrl}/prepare`, pair.analystToken)).body, {
    valid: 0,
    invalid: 0,
    waiting: 1,
  });
  assert.equal(await put(pair.helperUrl, report.helperShare), 201);
  assert.deepEqual((await call(`${pair.leaderUrl}/prepare`, pair.analystToken)).body, {
    valid: 1,
    invalid: 0,
    waiting: 0,
  });
});

test('a share body outside its schema is refused for good (400, named), never a 500 a sender would retry', async () => {
  const report = await shardAggregateReport(person(89), plan, seededSource(89));
  const put = async (body: unknown) => {
    const res = await fetch(`${pair.helperUrl}/reports/${report.reportId}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return [res.status, ((await res.json()) as { error?: { name: string } }).error?.name];
  };
  const share = { publicShare: report.publicShare, inputShare: report.helperShare };
  for (const bad of [
    { ...share, publicShare: 'not base64url!' },
    { ...share, inputShare: 42 },
    { publicShare: share.publicShare },
    { ...share, extra: 'a share holds exactly two fields' },
  ])
    assert.deepEqual(await put(bad), [400, 'InvalidReportError'], JSON.stringify(bad));
  assert.deepEqual(await put(share), [201, undefined]);
});

test('uploads from a browser: CORS for each listed page by name, 403 for any other, never a wildcard', async () => {
  const page = 'http://app.test:5173';
  const preflight = (origin: string) =>
    fetch(`${pair.helper.url}/reports/${'A'.repeat(22)}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });
  const before = await preflight(page);
  assert.equal(before.status, 403, 'a page not yet listed');
  assert.equal(((await before.json()) as { error: { name: string } }).error.name, 'OriginNotAllowedError');
  pair.helper.allowOrigin(page);
  const listed = await preflight(page);
  assert.equal(listed.status, 204);
  assert.equal(listed.headers.get('access-control-allow-origin'), page);
  assert.equal(listed.headers.get('access-control-allow-methods'), 'PUT');
  assert.equal((await preflight('http://other.test')).status, 403);
  assert.throws(() => pair.helper.allowOrigin('*'), { name: 'InvalidParameterError' });
  await assert.rejects(
    startAggregator({
      role: 'helper',
      port: 0,
      dims: DIMS,
      bits: plan.bits,
      nMin: N_MIN,
      verifyKey: randomBytes(16).toString('base64url'),
      peerToken: 'p',
      analystToken: 'a',
      allowedOrigins: ['*'],
    }),
    { name: 'InvalidParameterError' },
  );
});
