// Aggregate-only release end to end: the real release worker in Chromium shards each image's
// noisy vector and sends each share to its own aggregator (a leader and a helper on two
// loopback ports, two origins). Network audit: each aggregator receives its own share and
// nothing else; nothing else leaves. Then the aggregators prepare, batch and release the sum.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { startedEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import { startAggregator, type RunningAggregator } from '../../aggregator/server';
import { aggregatorTemplate } from '../support/pglite-template';
import { collectBatch } from '../../aggregator/analyst';
import { planAggregate } from '../../src/privacy/aggregate/plan';
import { prepareForAggregate } from '../../src/privacy/aggregate/noisy-vector';
import { projectionFor } from '../../src/report/privatize-features';
import { fromBase64Url, inputShareLength } from '../../src/secure-aggregation/codec';
import { sumVecFor } from '../../src/secure-aggregation/task';
import { EPSILON_GRID, epsilonUnitsUp } from '../../src/privacy/accountant';
import type { LedgerEntry, ReleaseOptions, ScopeConfig } from '../../src/release/release-api';
import type { AggregateCommitment } from '../../src/ledger/share-commitment';

const DIMS = 16;
const N_MIN = 3;
const EPSILON = 2;
const plan = planAggregate({ epsilon: EPSILON, delta: 1e-8, nMin: N_MIN, dims: DIMS });
const analystToken = randomBytes(12).toString('hex');

let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let leader: RunningAggregator;
let helper: RunningAggregator;
let browser: Browser;
let context: BrowserContext;
let fixtures: string;
let photos: string[];
const requests: { url: string; method: string; body: Buffer | null; headers: Record<string, string> }[] = [];

before(async () => {
  fixtures = await makeGeneratedFixtures();
  photos = await makeDistinctPhotos(fixtures, 3);
  server = await startEnginePageServer();
  const task = {
    port: 0,
    dims: DIMS,
    bits: plan.bits,
    nMin: N_MIN,
    verifyKey: randomBytes(16).toString('base64url'),
    peerToken: randomBytes(12).toString('hex'),
    analystToken,
    allowedOrigins: [server.url],
    pgliteTemplate: await aggregatorTemplate(),
  };
  helper = await startAggregator({ role: 'helper', ...task });
  leader = await startAggregator({ role: 'leader', ...task, helperUrl: helper.url });
  browser = await launchChromium();
  context = await browser.newContext();
  context.on('request', (r: Request) =>
    requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer(), headers: r.headers() }),
  );
});
after(async () => {
  await browser?.close();
  await leader?.close();
  await helper?.close();
  await server?.close();
});

/** The task the test's leader and helper run, as a scope states it. */
function aggregateTask() {
  return {
    leader: leader.url,
    helper: helper.url,
    nMin: N_MIN,
    trust: 'the two aggregators do not collude',
    epsilon: EPSILON,
    delta: 1e-8,
    dims: DIMS,
  };
}

/** Every store of the page's ledger database (but the key store), as one JSON text: what the device holds at rest. */
async function ledgerDatabase(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('obscura-ledger');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const stores: Record<string, unknown[]> = {};
    for (const name of Array.from(db.objectStoreNames).filter((n) => n !== 'deviceKeys'))
      stores[name] = await new Promise<unknown[]>((resolve, reject) => {
        const r = db.transaction(name).objectStore(name).getAll();
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    db.close();
    return JSON.stringify(stores);
  });
}

const sha256 = (base64url: string) => createHash('sha256').update(Buffer.from(base64url, 'base64url')).digest('hex');

test('aggregate-only: one share to each aggregator, central ε charged, both guarantees in the ledger', async () => {
  const page = await startedEnginePage(context, server.url, fixtures);
  const scope: ScopeConfig = {
    name: 'survey',
    totalEpsilon: 10,
    window: { kind: 'lifetime' },
    mode: 'aggregate-only',
    aggregate: aggregateTask(),
  };
  // Typed refusals: two aggregators on one origin, a task too demanding to sample, a change of mode.
  // No named functions inside evaluate: the test runner's transform would reference a helper the page lacks.
  const refusals = await page.evaluate(async (s) => {
    const releases = (window as unknown as PageWindow).obscura.releases();
    const a = s.aggregate!;
    const sameOrigin = await releases
      .createScope({ ...s, name: 'one-origin', aggregate: { ...a, helper: `${a.leader}/other` } })
      .then(
        () => 'accepted',
        (e: Error & { details?: { parameter?: string } }) => `${e.name}:${e.details?.parameter}`,
      );
    const tooSmall = await releases
      .createScope({ ...s, name: 'tiny', aggregate: { ...a, nMin: 2, epsilon: 0.05 } })
      .then(
        () => 'accepted',
        (e: Error & { details?: { parameter?: string } }) => `${e.name}:${e.details?.parameter}`,
      );
    await releases.createScope(s);
    const local = await releases
      .configureScope({ name: s.name, totalEpsilon: s.totalEpsilon, window: s.window, mode: 'local' })
      .then(
        () => 'accepted',
        (e: Error & { details?: { parameter?: string } }) => `${e.name}:${e.details?.parameter}`,
      );
    return { sameOrigin, tooSmall, local, scopes: await releases.scopes() };
  }, scope);
  assert.equal(refusals.sameOrigin, 'InvalidParameterError:aggregate.helper');
  assert.equal(refusals.tooSmall, 'InvalidParameterError:aggregate.epsilon');
  assert.equal(refusals.local, 'InvalidParameterError:mode');
  assert.deepEqual(
    refusals.scopes.find((s) => s.name === 'survey'),
    scope,
  );

  const options: ReleaseOptions = {
    scope: 'survey',
    // The scope's task decides: this mechanism and destination are not used.
    mechanism: { name: 'privunit', epsilon: 1 },
    destination: 'http://collector.invalid/reports',
  };
  // The local ε (if the aggregators collude) is known before the first release.
  const quote = await page.evaluate(
    (o) => (window as unknown as PageWindow).obscura.releases().quote(o as ReleaseOptions),
    options,
  );
  assert.deepEqual(quote, { scope: 'survey', mode: 'aggregate-only', local: plan.local, central: plan.central });
  const released = await page.evaluate(
    async ([paths, o]) => {
      const ob = (window as unknown as PageWindow).obscura;
      const out = [];
      for (const p of paths as string[]) {
        const extraction = await ob.bridge().extract(await ob.fixture(p));
        const outcome = await ob.releases().release(extraction.contentHash, o as ReleaseOptions);
        out.push({ clean: Array.from(extraction.vector), outcome });
      }
      for (let i = 0; i < 5 && (await ob.releases().flushOutbox()).waiting > 0; i++);
      const releases = ob.releases();
      return { out, ledger: await releases.ledger('survey'), budget: await releases.budget('survey') };
    },
    [photos, options] as const,
  );

  // The ledger: delivered only because both shares were; central (charged) and local guarantees.
  const charge = epsilonUnitsUp(plan.central.epsilon) * EPSILON_GRID;
  assert.equal(released.ledger.length, 3);
  for (const e of released.ledger as LedgerEntry[]) {
    assert.equal(e.state, 'delivered');
    assert.equal(e.mechanism, 'prio3-skellam');
    assert.deepEqual(
      [e.aggregate!.deliveries.leader.state, e.aggregate!.deliveries.helper.state],
      ['delivered', 'delivered'],
    );
    assert.deepEqual(e.aggregate!.central, plan.central);
    assert.deepEqual(e.aggregate!.local, plan.local);
    assert.ok(e.aggregate!.central.epsilon <= EPSILON && e.aggregate!.local.epsilon > EPSILON);
    assert.equal(e.epsilon, plan.central.epsilon);
  }
  assert.ok(Math.abs(released.budget.spent - 3 * charge) < 1e-9, `spent ${released.budget.spent}`);
  assert.ok(Math.abs(released.budget.remaining - (10 - 3 * charge)) < 1e-9);
  for (const { outcome } of released.out) {
    assert.equal(outcome.kind, 'aggregate');
    if (outcome.kind === 'aggregate') assert.deepEqual(outcome.aggregate, { central: plan.central, local: plan.local });
  }

  // Network audit: each aggregator got exactly its own share of each report, and nothing else left.
  const vdaf = sumVecFor(plan);
  const commitments = new Map(released.ledger.map((e) => [e.id, e.payload as AggregateCommitment] as const));
  const sentShares: string[] = [];
  const cleanValues = released.out
    .flatMap((r) => r.clean)
    .filter((x) => Math.abs(x) > 1e-4)
    .map(String);
  const put: Record<string, number> = { leader: 0, helper: 0 };
  for (const r of requests) {
    const origin = new URL(r.url).origin;
    const role = origin === leader.url ? 'leader' : origin === helper.url ? 'helper' : undefined;
    if (!role) {
      assert.equal(r.method, 'GET', `only GETs of the app's own assets: ${r.method} ${r.url}`);
      assert.equal(origin, server.url, `nothing goes elsewhere: ${r.url}`);
      continue;
    }
    if (r.method === 'OPTIONS') continue;
    assert.equal(r.method, 'PUT', `${role}: ${r.method} ${r.url}`);
    const id = /\/reports\/([A-Za-z0-9_-]{22})$/.exec(new URL(r.url).pathname)?.[1];
    const sent = commitments.get(id ?? '');
    assert.ok(sent, `a report id of the ledger: ${r.url}`);
    assert.equal(sent.kind, 'aggregate-commitment');
    assert.equal(r.headers['idempotency-key'], undefined);
    assert.equal(r.headers['authorization'], undefined);
    const body = JSON.parse(r.body!.toString('utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['inputShare', 'publicShare']);
    // The ledger committed to exactly what each aggregator received.
    assert.equal(sha256(body['inputShare']!), sent[role].inputShareSha256);
    assert.equal(sha256(body['publicShare']!), sent.publicShareSha256);
    assert.equal(r.url, sent[role].url);
    sentShares.push(body['inputShare']!);
    assert.equal(
      fromBase64Url(body['inputShare'], 'inputShare').length,
      inputShareLength(vdaf, role === 'leader' ? 0 : 1),
    );
    for (const v of cleanValues) assert.ok(!r.body!.toString('utf8').includes(v), `clean value ${v} sent`);
    put[role]!++;
  }
  assert.deepEqual(put, { leader: 3, helper: 3 });
  assert.equal(new Set(sentShares).size, 6, 'each aggregator got its own share, not the other one');

  // Once both aggregators have acknowledged, no share is left on the device: not in the ledger,
  // not in the outbox, not in any store of the database, and not in the ledger as exported.
  const atRest = await ledgerDatabase(page);
  const exported = JSON.stringify(
    await page.evaluate(() => (window as unknown as PageWindow).obscura.releases().ledger()),
  );
  for (const share of sentShares) {
    assert.ok(!atRest.includes(share.slice(0, 40)), 'no input share in the ledger database after delivery');
    assert.ok(!exported.includes(share.slice(0, 40)), 'no input share in the export');
  }
  assert.ok(!exported.includes('inputShare"') && !atRest.includes('"inputShare"'));
  for (const r of released.out) {
    assert.equal(r.outcome.kind, 'aggregate');
    if (r.outcome.kind === 'aggregate') assert.equal(r.outcome.report.kind, 'aggregate-commitment');
    assert.ok(!JSON.stringify(r.outcome).includes('inputShare"'), 'the release outcome holds no share either');
  }

  // The aggregators: all three valid, one batch of n_min, and the analyst's mean within 8σ of the noise.
  const prepared = await fetch(`${leader.url}/prepare`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${analystToken}` },
  }).then((r) => r.json());
  assert.deepEqual(prepared, { valid: 3, invalid: 0, waiting: 0 });
  const batch = (await fetch(`${leader.url}/batches`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${analystToken}` },
  }).then((r) => r.json())) as { batchId: string; count: number };
  assert.equal(batch.count, 3);
  const result = await collectBatch(plan, { leader: leader.url, helper: helper.url }, batch.batchId, analystToken);
  const projection = projectionFor(96, DIMS);
  const truth = new Array<number>(DIMS).fill(0);
  for (const r of released.out) prepareForAggregate(r.clean, plan, projection).forEach((x, i) => (truth[i]! += x / 3));
  const sigma = Math.sqrt(2 * 3 * plan.mu + 3 / 4) / (3 * plan.scale);
  result.mean.forEach((m, i) => assert.ok(Math.abs(m - truth[i]!) < 8 * sigma, `coordinate ${i}: ${m} vs ${truth[i]}`));
  await page.close();
});

test('an entry is delivered only when both shares are; a refused share stops its sibling', async () => {
  const page = await startedEnginePage(context, server.url, fixtures);
  const closed = await new Promise<string>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
  const aggregate = aggregateTask();
  const base = { totalEpsilon: 10, window: { kind: 'lifetime' as const }, mode: 'aggregate-only' as const };
  const scopes: ScopeConfig[] = [
    // The helper is down: the leader has its share, the entry waits for the other.
    { ...base, name: 'helper-down', aggregate: { ...aggregate, helper: closed } },
    // Both aggregators run a 16-coordinate task: shares of 8 coordinates are refused for good.
    { ...base, name: 'wrong-task', aggregate: { ...aggregate, dims: 8 } },
  ];
  const entries = await page.evaluate(
    async ([list, path]) => {
      const ob = (window as unknown as PageWindow).obscura;
      const releases = ob.releases();
      await releases.configureDevice({ totalEpsilon: 30, window: { kind: 'lifetime' } });
      const extraction = await ob.bridge().extract(await ob.fixture(path as string));
      const out = [];
      for (const s of list as ScopeConfig[]) {
        await releases.createScope(s);
        await releases.release(extraction.contentHash, {
          scope: s.name,
          mechanism: { name: 'privunit', epsilon: 1 },
          destination: 'http://collector.invalid/reports',
        });
        await releases.flushOutbox();
        out.push((await releases.ledger(s.name))[0]!);
      }
      return out;
    },
    [scopes, photos[0]!] as const,
  );
  const [down, wrong] = entries as LedgerEntry[];
  // At rest: the helper's share of the waiting entry, which must still go; the leader's (acknowledged)
  // and both of the refused entry's are gone. The ledger rows hold no share.
  const stored = JSON.parse(await ledgerDatabase(page)) as {
    outbox: { id: string; share?: unknown }[];
    ledger: { id: string; payload: { kind?: string } }[];
  };
  assert.deepEqual(
    stored.outbox.filter((o) => o.share !== undefined).map((o) => o.id),
    [`${down!.id}.helper`],
  );
  for (const e of stored.ledger.filter((x) => x.id === down!.id || x.id === wrong!.id))
    assert.equal(e.payload.kind, 'aggregate-commitment');
  assert.equal(down!.state, 'retrying');
  assert.equal(down!.aggregate!.deliveries.leader.state, 'delivered');
  assert.equal(down!.aggregate!.deliveries.helper.state, 'retrying');
  assert.equal(down!.aggregate!.deliveries.helper.error?.name, 'NetworkError');

  // The leader's share goes first and is refused (its length is the task's); the helper's is then never sent.
  assert.equal(wrong!.state, 'rejected');
  const d = wrong!.aggregate!.deliveries;
  assert.equal(d.leader.state, 'rejected');
  assert.deepEqual([d.leader.error?.name, d.leader.error?.status], ['InvalidReportError', 400]);
  assert.equal(d.helper.state, 'rejected');
  assert.equal(d.helper.error?.name, 'NotSentError');
  assert.ok(
    !requests.some((r) => r.url === `${helper.url}/reports/${wrong!.id}` && r.method === 'PUT'),
    'the share whose sibling was refused never left',
  );
  await page.close();
});
