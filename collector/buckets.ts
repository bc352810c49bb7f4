/**
 * Aggregates per time bucket of receipt (hour, day or ISO week, in UTC), computed from the raw
 * reports received in [since, until) and paged with a cursor. A bucket is by the collector's
 * time of receipt only: a report's own createdAt is the client's and is not trusted for time.
 *
 * Unlike the unbucketed answer (running totals), this reads every raw report in the range once:
 * the cost grows with the range, which is why it pages and why the range is explicit.
 */
import { ObscuraError } from '../src/errors';
import { estimateGroups, type Aggregates, type GroupTotals } from './group-estimates';
import type { Database } from './db/database';
import { groupOfRow } from './groups';
import type { TotalsRow } from './store';

export const BUCKETS = ['hour', 'day', 'week'] as const;
export type Bucket = (typeof BUCKETS)[number];
const BUCKET_MS: Readonly<Record<Bucket, number>> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };
/** (bucket, group) rows per page, by default and at most. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export interface BucketQuery {
  readonly scope: string | undefined;
  readonly bucket: Bucket;
  /** Inclusive start and exclusive end of the receive times. */
  readonly since: Date;
  readonly until: Date;
  /** Where the previous page ended (from its `next`). */
  readonly after: { readonly start: string; readonly group: string } | null;
  readonly limit: number;
}

export interface BucketAggregates extends Aggregates {
  /** ISO start of the bucket (UTC; a week starts on Monday) and its end. */
  readonly start: string;
  readonly end: string;
}

export interface BucketPage {
  readonly bucket: Bucket;
  readonly since: string;
  readonly until: string;
  /** Oldest bucket first; one bucket may continue on the next page (same `start`). */
  readonly buckets: BucketAggregates[];
  /** Cursor of the next page, or null on the last one. */
  readonly next: string | null;
}

/** A group's totals within one bucket, which starts at `start`. */
type Row = TotalsRow & { start: string };

function invalid(message: string): ObscuraError {
  return new ObscuraError('InvalidParameterError', message);
}

/** The cursor of a page that ended at (start, group): opaque to clients. */
export function encodeCursor(start: string, group: string): string {
  return Buffer.from(JSON.stringify([start, group])).toString('base64url');
}

export function decodeCursor(cursor: string): { start: string; group: string } {
  try {
    const [start, group] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof start === 'string' && typeof group === 'string' && !Number.isNaN(Date.parse(start)))
      return { start, group };
  } catch {
    // fall through to the error below
  }
  throw invalid(`cursor is not one this collector gave out: ${cursor}`);
}

export function isoTime(name: string, value: string): Date {
  const t = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t.getTime()))
    throw invalid(`${name} must be an ISO 8601 time, got ${value}`);
  return t;
}

/** `since` (default: the epoch) and `until` (default: just after `now`) of a paged query; until after since. */
export function parseTimeRange(params: URLSearchParams, now: Date): { since: Date; until: Date } {
  const since = isoTime('since', params.get('since') ?? '1970-01-01T00:00:00Z');
  const until = params.has('until') ? isoTime('until', params.get('until')!) : new Date(now.getTime() + 1);
  if (until.getTime() <= since.getTime()) throw invalid('until must be later than since');
  return { since, until };
}

/** `limit` of a paged query: an integer from 1 to MAX_PAGE, DEFAULT_PAGE when not given. */
export function parsePageLimit(params: URLSearchParams): number {
  const limitParam = params.get('limit');
  const limit = limitParam === null ? DEFAULT_PAGE : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw invalid(`limit must be an integer from 1 to ${MAX_PAGE}, got ${limitParam}`);
  return limit;
}

/**
 * Reads `since`, `until`, `bucket`, `cursor` and `limit` from a query string; null when none of
 * since, until, bucket or cursor is given (the caller answers from the running totals then).
 * Throws InvalidParameterError naming the parameter.
 */
export function parseBucketQuery(params: URLSearchParams, now: Date): BucketQuery | null {
  const given = ['since', 'until', 'bucket', 'cursor'].some((p) => params.has(p));
  if (!given) return null;
  const bucketParam = params.get('bucket') ?? 'day';
  if (!(BUCKETS as readonly string[]).includes(bucketParam))
    throw invalid(`bucket must be one of ${BUCKETS.join(', ')}, got ${bucketParam}`);
  const { since, until } = parseTimeRange(params, now);
  const limit = parsePageLimit(params);
  const cursor = params.get('cursor');
  return {
    scope: params.get('scope') ?? undefined,
    bucket: bucketParam as Bucket,
    since,
    until,
    after: cursor === null ? null : decodeCursor(cursor),
    limit,
  };
}

/*
 * Each report's values as a float8 array: a vector's values, OUE's bits, or k-RR's one-hot
 * value; summed per (bucket, group) with obscura_sum (migration 1), squares for vectors only.
 */
export const REPORT_VALUES_SQL = `
      case
        when r.body ? 'vector' then
          array(select x::float8 from jsonb_array_elements_text(r.body->'vector') with ordinality e(x, i) order by i)
        when r.body->'category' ? 'bits' then
          array(select x::float8 from jsonb_array_elements_text(r.body->'category'->'bits')
                with ordinality e(x, i) order by i)
        else obscura_onehot((r.body->'category'->>'k')::int, (r.body->'category'->>'value')::int)
      end`;
const BUCKET_SQL = `
  with values as (
    select date_trunc($1, r.received_at, 'UTC') as b, r.group_id, ${REPORT_VALUES_SQL} as v
    from reports r
    where r.received_at >= $2 and r.received_at < $3 and ($4::text is null or r.scope = $4)
  ), sums as (
    select b, group_id, count(*)::int8 as n, obscura_sum(v, false) as sums, obscura_sum(v, true) as squares
    from values
    where $5::timestamptz is null or (b, group_id) > ($5::timestamptz, $6::text)
    group by b, group_id
    order by b, group_id
    limit $7
  )
  select to_char(s.b at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as start, s.group_id, g.scope, g.kind,
         g.size, g.key, g.mechanism, s.n, s.sums, case when g.kind = 'vector' then s.squares end as squares
  from sums s join report_groups g on g.id = s.group_id
  order by s.b, s.group_id`;

/** One page of per-bucket aggregates. */
export async function bucketAggregates(db: Database, q: BucketQuery): Promise<BucketPage> {
  const rows = (
    await db.query<Row>(BUCKET_SQL, [
      q.bucket,
      q.since.toISOString(),
      q.until.toISOString(),
      q.scope ?? null,
      q.after?.start ?? null,
      q.after?.group ?? null,
      q.limit,
    ])
  ).rows;
  const buckets: BucketAggregates[] = [];
  const byStart = new Map<string, GroupTotals[]>();
  for (const r of rows) {
    let totals = byStart.get(r.start);
    if (!totals) byStart.set(r.start, (totals = []));
    totals.push({ group: groupOfRow(r), count: r.n, sums: r.sums, squares: r.squares });
  }
  // Rows come ordered by bucket, so the map's order is the buckets' order.
  for (const [start, totals] of byStart) {
    const end = new Date(Date.parse(start) + BUCKET_MS[q.bucket]).toISOString().replace('.000Z', 'Z');
    buckets.push({ start, end, ...estimateGroups(totals) });
  }
  const last = rows[rows.length - 1];
  return {
    bucket: q.bucket,
    since: q.since.toISOString(),
    until: q.until.toISOString(),
    buckets,
    next: rows.length === q.limit && last ? encodeCursor(last.start, last.group_id) : null,
  };
}
