/**
 * Batches of one group of reports: those whose report id starts with a given prefix. A training
 * round's shares carry the round in the first bytes of their id (src/codebook/train-rounds.ts), so
 * the leader sums a round's shares only with each other; shares of a round that closed without
 * n_min, or that arrived after their round's batch, stay unbatched and are never released.
 *
 *   GET  /rounds/{prefix}/status    leader or helper, analyst token: {prefix, reports: counts by state}
 *   POST /rounds/{prefix}/batches   leader, analyst token: a batch of the group's valid unbatched reports
 *
 * The helper is asked to claim the same report ids (POST /batches/{id}), as for any batch, and the
 * n_min floor is the aggregators' own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AggregatorConfig } from './config';
import { HttpError, postJson, requireToken, sendJson } from './http';
import type { BatchClaim } from './messages';
import type { AggregatorStore } from './store';

const PREFIX = /^[A-Za-z0-9_-]{1,21}$/;

export interface RoundBatchDeps {
  readonly config: AggregatorConfig;
  readonly store: AggregatorStore;
  readonly aggregateShare: (outputShares: Uint8Array[]) => Uint8Array | Promise<Uint8Array>;
}

/** Answers the request when it is one of the routes above (true), or leaves it (false). */
export function roundBatchRoutes(deps: RoundBatchDeps) {
  const { config, store } = deps;
  return async (req: IncomingMessage, res: ServerResponse, parts: readonly string[]): Promise<boolean> => {
    if (parts[0] !== 'rounds' || parts.length !== 3) return false;
    const prefix = parts[1]!;
    const route = `${req.method} ${parts[2]}`;
    if (route !== 'GET status' && !(route === 'POST batches' && config.role === 'leader')) return false;
    requireToken(req, config.analystToken);
    if (!PREFIX.test(prefix)) throw new HttpError(400, 'InvalidRequestError', 'a prefix is 1–21 base64url characters');
    if (route === 'GET status') {
      sendJson(res, 200, {
        prefix,
        role: config.role,
        nMin: config.nMin,
        reports: await store.countsWithPrefix(prefix),
      });
      return true;
    }
    const ids = await store.validUnbatchedWithPrefix(prefix, config.maxBatch ?? 100_000);
    const batchId = randomUUID();
    const result = await store.createBatch(batchId, ids, config.nMin, deps.aggregateShare, async () => {
      const claim: BatchClaim = { reportIds: ids };
      await postJson(`${config.helperUrl}/batches/${batchId}`, config.peerToken, claim);
    });
    if (!result.ok) throw new HttpError(409, 'BatchRefusedError', result.reason);
    sendJson(res, 201, { batchId, prefix, count: result.count });
    return true;
  };
}
