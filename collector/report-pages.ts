/**
 * GET /reports as pages: the reports received in [since, until), oldest first, each with its
 * time of receipt (and, when asked, the start of its hour / day / ISO week bucket), `limit` at a
 * time, continued with the `next` cursor (a keyset on receive time and arrival order, so a page
 * costs the same however deep it is).
 */
import { ObscuraError } from '../src/errors';
import type { Report } from '../src/report/schema';
import { BUCKETS, parsePageLimit, parseTimeRange, type Bucket } from './buckets';
import type { Database } from './db/database';

export interface ReportPageQuery {
  readonly scope: string | undefined;
  readonly since: Date;
  readonly until: Date;
  readonly bucket: Bucket | null;
  readonly after: { readonly at: string; readonly seq: string } | null;
  readonly limit: number;
}

export interface ReceivedReport {
  /** When the collector stored it (ISO, UTC, milliseconds). */
  readonly receivedAt: string;
  /** Start of its bucket, when a bucket was asked for. */
  readonly bucket?: string;
  readonly report: Report;
}

export interface ReportPage {
  readonly since: string;
  readonly until: string;
  readonly reports: ReceivedReport[];
  readonly next: string | null;
}

function invalid(message: string): ObscuraError {
  return new ObscuraError('InvalidParameterError', message);
}

/**
 * The paged form is asked for with `cursor`, `until` or `bucket`; a bare `since` keeps the NDJSON
 * export and a bare `limit` the newest-first list. Returns null for those; throws InvalidParameterError.
 */
export function parseReportPageQuery(params: URLSearchParams, now: Date): ReportPageQuery | null {
  if (!['cursor', 'until', 'bucket'].some((p) => params.has(p))) return null;
  const bucket = params.get('bucket');
  if (bucket !== null && !(BUCKETS as readonly string[]).includes(bucket))
    throw invalid(`bucket must be one of ${BUCKETS.join(', ')}, got ${bucket}`);
  const { since, until } = parseTimeRange(params, now);
  const limit = parsePageLimit(params);
  const cursor = params.get('cursor');
  let after: ReportPageQuery['after'] = null;
  if (cursor !== null) {
    try {
      const [at, seq] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
      if (typeof at === 'string' && typeof seq === 'string' && /^\d+$/.test(seq) && !Number.isNaN(Date.parse(at)))
        after = { at, seq };
    } catch {
      // refused below
    }
    if (!after) throw invalid(`cursor is not one this collector gave out: ${cursor}`);
  }
  return { scope: params.get('scope') ?? undefined, since, until, bucket: bucket as Bucket | null, after, limit };
}

/** Start of the UTC hour, day or ISO week (Monday) holding `t`. */
export function bucketStart(t: Date, bucket: Bucket): string {
  const d = new Date(t.getTime());
  d.setUTCMinutes(0, 0, 0);
  if (bucket !== 'hour') d.setUTCHours(0);
  if (bucket === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().replace('.000Z', 'Z');
}

export async function reportPage(db: Database, q: ReportPageQuery): Promise<ReportPage> {
  const rows = (
    await db.query<{ body: Report; at: string; seq: string }>(
      `select body, to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, seq::text as seq
       from reports
       where received_at >= $1 and received_at < $2 and ($3::text is null or scope = $3)
         and ($4::timestamptz is null or (received_at, seq) > ($4::timestamptz, $5::int8))
       order by received_at, seq limit $6`,
      [
        q.since.toISOString(),
        q.until.toISOString(),
        q.scope ?? null,
        q.after?.at ?? null,
        q.after?.seq ?? null,
        q.limit,
      ],
    )
  ).rows;
  const last = rows[rows.length - 1];
  return {
    since: q.since.toISOString(),
    until: q.until.toISOString(),
    reports: rows.map((r) => ({
      receivedAt: r.at,
      ...(q.bucket ? { bucket: bucketStart(new Date(r.at), q.bucket) } : {}),
      report: r.body,
    })),
    next:
      rows.length === q.limit && last ? Buffer.from(JSON.stringify([last.at, last.seq])).toString('base64url') : null,
  };
}
