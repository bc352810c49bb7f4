/**
 * The analyst: fetches both aggregate shares of a batch, adds them in the field to get
 * the noisy sum of offset values, then de-offsets and de-scales it into the noisy sum and
 * mean of the prepared vectors.
 *
 *   node --import tsx aggregator/analyst.ts --leader URL --helper URL --batch ID --token T \
 *     --epsilon E --delta D --n-min N --dims D [--scale S] [--clip C]
 */
import { parseArgs } from 'node:util';
import { planAggregate, type AggregatePlan } from '../src/privacy/aggregate/plan';
import { combineAggregateShares } from '../src/secure-aggregation/combine';

export { combineAggregateShares };

export interface BatchEstimate {
  readonly batchId: string;
  readonly count: number;
  /** Noisy sum of the prepared vectors. */
  readonly sum: number[];
  /** Unbiased noisy mean of the prepared vectors. */
  readonly mean: number[];
}

/** Fetches both aggregate shares of a batch and combines them. */
export async function collectBatch(
  plan: AggregatePlan,
  urls: { leader: string; helper: string },
  batchId: string,
  token: string,
): Promise<BatchEstimate> {
  const fetchShare = async (base: string) => {
    const res = await fetch(`${base}/batches/${encodeURIComponent(batchId)}/aggregate-share`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { count: number; aggregateShare: string; error?: { message: string } };
    if (!res.ok) throw new Error(`${base}: ${body.error?.message ?? res.status}`);
    return body;
  };
  const [l, h] = await Promise.all([fetchShare(urls.leader), fetchShare(urls.helper)]);
  if (l.count !== h.count) throw new Error(`the aggregators disagree on the batch size (${l.count} vs ${h.count})`);
  const { sum, mean } = combineAggregateShares(plan, l.aggregateShare, h.aggregateShare, l.count);
  return { batchId, count: l.count, sum: Array.from(sum), mean: Array.from(mean) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      leader: { type: 'string' },
      helper: { type: 'string' },
      batch: { type: 'string' },
      token: { type: 'string' },
      epsilon: { type: 'string' },
      delta: { type: 'string' },
      'n-min': { type: 'string' },
      dims: { type: 'string' },
      scale: { type: 'string' },
      clip: { type: 'string' },
    },
  });
  const need = (k: keyof typeof values) => {
    const v = values[k];
    if (!v) throw new Error(`--${k} is required`);
    return v;
  };
  const plan = planAggregate({
    epsilon: Number(need('epsilon')),
    delta: Number(need('delta')),
    nMin: Number(need('n-min')),
    dims: Number(need('dims')),
    ...(values.scale ? { scale: Number(values.scale) } : {}),
    ...(values.clip ? { clip: Number(values.clip) } : {}),
  });
  const result = await collectBatch(
    plan,
    { leader: need('leader'), helper: need('helper') },
    need('batch'),
    need('token'),
  );
  console.log(JSON.stringify(result));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(JSON.stringify({ error: { name: (err as Error).name, message: (err as Error).message } }));
    process.exit(1);
  });
}
