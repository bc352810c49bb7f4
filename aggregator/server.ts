/**
 * One program, two roles. Leader and helper each keep their own database and accept
 * uploads of their own input share under the report id; the leader drives preparation
 * and batching, the helper answers it; each releases its aggregate share of a batch only
 * to the analyst, and only for a batch of at least nMin valid reports.
 *
 *   PUT  /reports/{reportId}                 {publicShare, inputShare}        anyone (CORS)
 *   POST /prepare                            leader, analyst token
 *   POST /aggregate-init                     helper, leader's token: {prepareShares: [{reportId, prepareShare}]}
 *   POST /batches                            leader, analyst token: forms a batch of the valid unbatched reports
 *   POST /batches/{batchId}                  helper, leader's token: {reportIds}
 *   GET  /batches/{batchId}/aggregate-share  both, analyst token
 *   GET  /status                             both, analyst token
 *   GET  /rounds/{prefix}/status, POST /rounds/{prefix}/batches: batches of one round (round-batches.ts)
 */
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import {
  fromBase64Url,
  inputShareLength,
  decodeFieldVector,
  encodeFieldVector,
  toBase64Url,
} from '../src/secure-aggregation/codec';
import { sumVecFor, type SumVec } from '../src/secure-aggregation/task';
import { parseShareBody, SHARE_REPORT_ID, type ShareBody } from '../src/report/share-body';
import { checkOrigin, createApp, HttpError, listen, nodeListener, type Route } from '../server-kit/index';
import type { AggregatorConfig } from './config';
import { postJson, readObject, requireToken } from './http';
import {
  aggregateInitAnswerSchema,
  aggregateInitSchema,
  batchClaimSchema,
  parseMessage,
  type AggregateInit,
  type BatchClaim,
  type HelperVerdict,
} from './messages';
import { helperPrepare, leaderPrepare } from './preparation';
import { AggregatorStore } from './store';
import { roundBatchRoutes } from './round-batches';

export interface RunningAggregator {
  readonly url: string;
  readonly store: AggregatorStore;
  /** Adds a browser origin (a page that uploads shares) to the CORS allow-list. */
  allowOrigin(origin: string): void;
  /** Stops accepting, lets requests in flight finish, then closes the database. */
  close(): Promise<void>;
}

const PREPARE_CHUNK = 50;
const BATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function startAggregator(config: AggregatorConfig): Promise<RunningAggregator> {
  const vdaf = sumVecFor({ dims: config.dims, bits: config.bits });
  const verifyKey = fromBase64Url(config.verifyKey, 'verifyKey');
  if (verifyKey.length !== vdaf.verifyKeySize) throw new Error(`verifyKey must be ${vdaf.verifyKeySize} bytes`);
  if (config.role === 'leader' && !config.helperUrl) throw new Error('the leader needs helperUrl');
  // Only pages that upload shares call an aggregator from a browser: each is named, there is no wildcard.
  const origins = new Set((config.allowedOrigins ?? []).map(checkOrigin));
  const store = await AggregatorStore.open({
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.pgliteTemplate ? { pgliteTemplate: config.pgliteTemplate } : {}),
  });
  const aggregatorId = config.role === 'leader' ? 0 : 1;
  const app = createApp({
    routes: routes(config, vdaf, verifyKey, store, aggregatorId),
    noStore: true,
    cors: { origins, methods: ['PUT'], headers: ['Content-Type'] },
  });
  let http;
  try {
    http = await listen(nodeListener(app.fetch), { port: config.port, host: config.host ?? '127.0.0.1' });
  } catch (err) {
    await store.close();
    throw err;
  }
  const served = http;
  return {
    url: served.url,
    store,
    allowOrigin: (origin) => void origins.add(checkOrigin(origin)),
    async close() {
      await served.close();
      await store.close();
    },
  };
}

function routes(
  config: AggregatorConfig,
  vdaf: SumVec,
  verifyKey: Buffer,
  store: AggregatorStore,
  aggregatorId: 0 | 1,
): Route[] {
  const leader = config.role === 'leader';
  const shareLimit = 2 * inputShareLength(vdaf, aggregatorId) + 4096;

  const askHelper = async (prepareShares: { reportId: string; prepareShare: string }[]) => {
    const request: AggregateInit = { prepareShares };
    const answer = await postJson(`${config.helperUrl}/aggregate-init`, config.peerToken, request);
    return parseMessage(aggregateInitAnswerSchema, answer, "the helper's verdicts").verdicts;
  };

  const aggregateShare = (outputShares: Uint8Array[]) =>
    encodeFieldVector(
      vdaf,
      vdaf.aggregate(
        null,
        outputShares.map((s) => decodeFieldVector(vdaf, s, config.dims)),
      ),
    );

  const upload = async (c: Context): Promise<Response> => {
    const id = c.req.param('id')!;
    if (!SHARE_REPORT_ID.test(id))
      throw new HttpError(400, 'InvalidReportError', 'the report id must be 16 bytes in base64url');
    const body = shareBody(await readObject(c, shareLimit));
    const publicShare = fromBase64Url(body.publicShare, 'publicShare');
    const inputShare = fromBase64Url(body.inputShare, 'inputShare');
    if (publicShare.length !== 2 * vdaf.xof.seedSize)
      throw new HttpError(400, 'InvalidReportError', `the public share must be ${2 * vdaf.xof.seedSize} bytes`);
    const expected = inputShareLength(vdaf, aggregatorId);
    if (inputShare.length !== expected)
      throw new HttpError(400, 'InvalidReportError', `the ${config.role}'s input share must be ${expected} bytes`);
    const outcome = await store.upload(id, publicShare, inputShare);
    if (outcome === 'conflict')
      throw new HttpError(409, 'ReportConflictError', `report ${id} exists with other shares`);
    return c.json({ reportId: id, outcome }, outcome === 'stored' ? 201 : 200);
  };

  const prepare = async (c: Context): Promise<Response> => {
    requireToken(c, config.analystToken);
    let valid = 0;
    let invalid = 0;
    const waiting: string[] = [];
    for (;;) {
      const r = await leaderPrepare(vdaf, verifyKey, store, askHelper, PREPARE_CHUNK, waiting);
      valid += r.valid;
      invalid += r.invalid;
      waiting.push(...r.waiting);
      // Done when a round finds nothing new: what is left waits for its helper share.
      if (r.valid + r.invalid + r.waiting.length === 0) break;
    }
    return c.json({ valid, invalid, waiting: waiting.length });
  };

  const aggregateInit = async (c: Context): Promise<Response> => {
    requireToken(c, config.peerToken);
    const { prepareShares } = parseMessage(aggregateInitSchema, await readObject(c, 1 << 24), 'aggregate-init');
    const verdicts: HelperVerdict[] = [];
    for (const s of prepareShares)
      verdicts.push(await helperPrepare(vdaf, verifyKey, store, s.reportId, s.prepareShare));
    return c.json({ verdicts });
  };

  const formBatch = async (c: Context): Promise<Response> => {
    requireToken(c, config.analystToken);
    const ids = await store.validUnbatched(config.maxBatch ?? 100_000);
    const batchId = randomUUID();
    const result = await store.createBatch(batchId, ids, config.nMin, aggregateShare, async () => {
      // The helper claims the same reports in its own database before the leader commits.
      const claim: BatchClaim = { reportIds: ids };
      await postJson(`${config.helperUrl}/batches/${batchId}`, config.peerToken, claim);
    });
    if (!result.ok) throw new HttpError(409, 'BatchRefusedError', result.reason);
    return c.json({ batchId, count: result.count }, 201);
  };

  const claimBatch = async (c: Context): Promise<Response> => {
    requireToken(c, config.peerToken);
    const batchId = c.req.param('id')!;
    const { reportIds } = parseMessage(batchClaimSchema, await readObject(c, 1 << 24), 'batch');
    if (!BATCH_ID.test(batchId)) throw new HttpError(400, 'InvalidRequestError', 'batch ids are 1–64 word characters');
    const result = await store.createBatch(batchId, reportIds, config.nMin, aggregateShare);
    if (!result.ok) throw new HttpError(409, 'BatchRefusedError', result.reason);
    return c.json({ batchId, count: result.count }, 201);
  };

  const batchShare = async (c: Context): Promise<Response> => {
    requireToken(c, config.analystToken);
    const batchId = c.req.param('id')!;
    const batch = await store.batch(batchId);
    if (!batch || batch.report_count < config.nMin)
      throw new HttpError(404, 'UnknownBatchError', `no released batch ${batchId}`);
    return c.json({
      batchId: batch.batch_id,
      role: config.role,
      count: batch.report_count,
      aggregateShare: toBase64Url(batch.aggregate_share),
    });
  };

  const status = async (c: Context): Promise<Response> => {
    requireToken(c, config.analystToken);
    return c.json({ role: config.role, nMin: config.nMin, reports: await store.counts() });
  };

  // Each role serves its own part of the protocol; the other role's paths are not found here.
  // Preparing and batching take time in proportion to the reports waiting, and the caller (the
  // analyst, or the leader) waits for the whole answer: those routes have no time limit.
  const untimed = Infinity;
  return [
    { path: '/reports/:id', methods: { PUT: upload } },
    ...(leader
      ? [
          { path: '/prepare', methods: { POST: prepare }, timeoutMs: untimed },
          { path: '/batches', methods: { POST: formBatch }, timeoutMs: untimed },
        ]
      : [
          { path: '/aggregate-init', methods: { POST: aggregateInit }, timeoutMs: untimed },
          { path: '/batches/:id', methods: { POST: claimBatch }, timeoutMs: untimed },
        ]),
    { path: '/batches/:id/aggregate-share', methods: { GET: batchShare } },
    { path: '/status', methods: { GET: status } },
    ...roundBatchRoutes({ config, store, aggregateShare }),
  ];
}

/** The share body by the one schema its sender uses; a body outside it is the sender's fault (400). */
function shareBody(value: unknown): ShareBody {
  try {
    return parseShareBody(value);
  } catch (err) {
    throw new HttpError(400, 'InvalidReportError', (err as Error).message);
  }
}
