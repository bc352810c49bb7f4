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
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  fromBase64Url,
  inputShareLength,
  decodeFieldVector,
  encodeFieldVector,
  toBase64Url,
} from '../src/secure-aggregation/codec';
import { sumVecFor, type SumVec } from '../src/secure-aggregation/task';
import { parseShareBody, SHARE_REPORT_ID, type ShareBody } from '../src/report/share-body';
import type { AggregatorConfig } from './config';
import { HttpError, postJson, readJson, requireToken, sendJson } from './http';
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
  close(): Promise<void>;
}

const PREPARE_CHUNK = 50;
const BATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function startAggregator(config: AggregatorConfig): Promise<RunningAggregator> {
  const vdaf = sumVecFor({ dims: config.dims, bits: config.bits });
  const verifyKey = fromBase64Url(config.verifyKey, 'verifyKey');
  if (verifyKey.length !== vdaf.verifyKeySize) throw new Error(`verifyKey must be ${vdaf.verifyKeySize} bytes`);
  if (config.role === 'leader' && !config.helperUrl) throw new Error('the leader needs helperUrl');
  const store = await AggregatorStore.open({
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  });
  const aggregatorId = config.role === 'leader' ? 0 : 1;
  const handlers = routes(config, vdaf, verifyKey, store, aggregatorId);

  const server = createServer((req, res) => {
    cors(req, res, config.allowedOrigins ?? []);
    if (req.method === 'OPTIONS') return void sendJson(res, 204, {});
    handlers(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) sendJson(res, err.status, { error: { name: err.name, message: err.message } });
      else sendJson(res, 500, { error: { name: 'InternalError', message: String((err as Error)?.message ?? err) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host ?? '127.0.0.1'}:${port}`,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

function cors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): void {
  const origin = req.headers['origin'];
  if (origin && (allowed.includes('*') || allowed.includes(origin))) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Methods', 'PUT');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
  }
}

function routes(
  config: AggregatorConfig,
  vdaf: SumVec,
  verifyKey: Buffer,
  store: AggregatorStore,
  aggregatorId: 0 | 1,
) {
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

  const roundBatches = roundBatchRoutes({ config, store, aggregateShare });

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://aggregator');
    const parts = url.pathname.split('/').filter(Boolean);
    if (await roundBatches(req, res, parts)) return;
    const shape = [parts[0] ?? '', ...(parts.length > 1 ? [':id'] : []), ...parts.slice(2, 3)];
    const route = `${req.method} /${shape.join('/')}`;

    if (route === 'PUT /reports/:id') {
      const id = parts[1]!;
      if (!SHARE_REPORT_ID.test(id))
        throw new HttpError(400, 'InvalidReportError', 'the report id must be 16 bytes in base64url');
      const body = shareBody(await readJson(req, shareLimit));
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
      return sendJson(res, outcome === 'stored' ? 201 : 200, { reportId: id, outcome });
    }

    if (route === 'POST /prepare' && leader) {
      requireToken(req, config.analystToken);
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
      return sendJson(res, 200, { valid, invalid, waiting: waiting.length });
    }

    if (route === 'POST /aggregate-init' && !leader) {
      requireToken(req, config.peerToken);
      const { prepareShares } = parseMessage(aggregateInitSchema, await readJson(req, 1 << 24), 'aggregate-init');
      const verdicts: HelperVerdict[] = [];
      for (const s of prepareShares)
        verdicts.push(await helperPrepare(vdaf, verifyKey, store, s.reportId, s.prepareShare));
      return sendJson(res, 200, { verdicts });
    }

    if (route === 'POST /batches' && leader) {
      requireToken(req, config.analystToken);
      const ids = await store.validUnbatched(config.maxBatch ?? 100_000);
      const batchId = randomUUID();
      const result = await store.createBatch(batchId, ids, config.nMin, aggregateShare, async () => {
        // The helper claims the same reports in its own database before the leader commits.
        const claim: BatchClaim = { reportIds: ids };
        await postJson(`${config.helperUrl}/batches/${batchId}`, config.peerToken, claim);
      });
      if (!result.ok) throw new HttpError(409, 'BatchRefusedError', result.reason);
      return sendJson(res, 201, { batchId, count: result.count });
    }

    if (route === 'POST /batches/:id' && !leader) {
      requireToken(req, config.peerToken);
      const { reportIds } = parseMessage(batchClaimSchema, await readJson(req, 1 << 24), 'batch');
      if (!BATCH_ID.test(parts[1]!))
        throw new HttpError(400, 'InvalidRequestError', 'batch ids are 1–64 word characters');
      const result = await store.createBatch(parts[1]!, reportIds, config.nMin, aggregateShare);
      if (!result.ok) throw new HttpError(409, 'BatchRefusedError', result.reason);
      return sendJson(res, 201, { batchId: parts[1], count: result.count });
    }

    if (route === 'GET /batches/:id/aggregate-share') {
      requireToken(req, config.analystToken);
      const batch = await store.batch(parts[1]!);
      if (!batch || batch.report_count < config.nMin)
        throw new HttpError(404, 'UnknownBatchError', `no released batch ${parts[1]}`);
      return sendJson(res, 200, {
        batchId: batch.batch_id,
        role: config.role,
        count: batch.report_count,
        aggregateShare: toBase64Url(batch.aggregate_share),
      });
    }

    if (route === 'GET /status') {
      requireToken(req, config.analystToken);
      return sendJson(res, 200, { role: config.role, nMin: config.nMin, reports: await store.counts() });
    }

    throw new HttpError(404, 'NotFoundError', `${req.method} ${url.pathname} is not served by the ${config.role}`);
  };
}

/** The share body by the one schema its sender uses; a body outside it is the sender's fault (400). */
function shareBody(value: unknown): ShareBody {
  try {
    return parseShareBody(value);
  } catch (err) {
    throw new HttpError(400, 'InvalidReportError', (err as Error).message);
  }
}
