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
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { HttpError, type Route } from '../server-kit/index';
import type { AggregatorConfig } from './config';
import { postJson, requireToken } from './http';
import type { BatchClaim } from './messages';
import type { AggregatorStore } from './store';

const PREFIX = /^[A-Za-z0-9_-]{1,21}$/;

export interface RoundBatchDeps {
  readonly config: AggregatorConfig;
  readonly store: AggregatorStore;
  readonly aggregateShare: (outputShares: Uint8Array[]) => Uint8Array | Promise<Uint8Array>;
}

/** The routes above for this aggregator's role. */
export function roundBatchRoutes(deps: RoundBatchDeps): readonly Route[] {
  const { config, store } = deps;
  const prefixOf = (c: Context): string => {
    requireToken(c, config.analystToken);
    const prefix = c.req.param('prefix')!;
    if (!PREFIX.test(prefix)) throw new HttpError(400, 'InvalidRequestError', 'a prefix is 1–21 base64url characters');
    return prefix;
  };
  const status = async (c: Context): Promise<Response> => {
    const prefix = prefixOf(c);
    return c.json({ prefix, role: config.role, nMin: config.nMin, reports: await store.countsWithPrefix(prefix) });
  };
  const formBatch = async (c: Context): Promise<Response> => {
    const prefix = prefixOf(c);
    const ids = await store.validUnbatchedWithPrefix(prefix, config.maxBatch ?? 100_000);
    const batchId = randomUUID();
    const result = await store.createBatch(batchId, ids, config.nMin, deps.aggregateShare, async () => {
      const claim: BatchClaim = { reportIds: ids };
      await postJson(`${config.helperUrl}/batches/${batchId}`, config.peerToken, claim);
    });
    if (!result.ok) throw new HttpError(409, 'BatchRefusedError', result.reason);
    return c.json({ batchId, prefix, count: result.count }, 201);
  };
  return [
    { path: '/rounds/:prefix/status', methods: { GET: status } },
    // Batching takes time in proportion to the reports waiting, and the caller waits for it all.
    ...(config.role === 'leader'
      ? [{ path: '/rounds/:prefix/batches', methods: { POST: formBatch }, timeoutMs: Infinity }]
      : []),
  ];
}
