/**
 * One aggregator's database: its own input shares, the outcome of preparation, output
 * shares and batches. PGlite (embedded PostgreSQL) by default, or a PostgreSQL server
 * (sql.ts); the SQL is plain PostgreSQL. A report is in at most one batch: batch_id is set once, by an update that
 * only touches rows whose batch_id is still null, inside the transaction that creates the
 * batch, and the batch is refused unless every listed report was claimed.
 */
import { ObscuraError } from '../src/errors';
import { openPglite, openPostgres, type SqlClient } from './sql';

export type ReportState = 'uploaded' | 'valid' | 'invalid';

export interface StoredReport {
  readonly report_id: string;
  readonly public_share: Uint8Array;
  readonly input_share: Uint8Array | null;
  readonly state: ReportState;
  readonly prepare_message: Uint8Array | null;
}

export interface Batch {
  readonly batch_id: string;
  readonly report_count: number;
  readonly aggregate_share: Uint8Array;
}

/** The aggregator's tables; every statement is idempotent, so it runs at each open, on a template's copy too. */
export const AGGREGATOR_SCHEMA = `
  create table if not exists reports (
    report_id text primary key,
    seq bigserial not null,
    public_share bytea not null,
    input_share bytea,
    state text not null default 'uploaded' check (state in ('uploaded', 'valid', 'invalid')),
    output_share bytea,
    prepare_message bytea,
    batch_id text,
    received_at timestamptz not null default now()
  );
  create index if not exists reports_unbatched on reports (state, seq) where batch_id is null;
  create table if not exists batches (
    batch_id text primary key,
    report_count integer not null check (report_count > 0),
    aggregate_share bytea not null,
    created_at timestamptz not null default now()
  );
`;

export class AggregatorStore {
  private constructor(readonly db: SqlClient) {}

  /**
   * A PostgreSQL server when `databaseUrl` is given; else PGlite, in `dataDir` (persistent) or in memory, a new
   * one started as a copy of `pgliteTemplate` (a `dumpDataDir` tarball) when given.
   */
  static async open(
    where: { dataDir?: string; databaseUrl?: string; pgliteTemplate?: Blob } = {},
  ): Promise<AggregatorStore> {
    if (where.databaseUrl && where.pgliteTemplate)
      throw new ObscuraError('InvalidParameterError', 'pgliteTemplate is for PGlite: a databaseUrl has a database');
    const db = where.databaseUrl
      ? await openPostgres(where.databaseUrl)
      : openPglite(where.dataDir, where.pgliteTemplate);
    await db.exec(AGGREGATOR_SCHEMA);
    return new AggregatorStore(db);
  }

  /** 'stored', 'duplicate' (same bytes again) or 'conflict' (the id holds other bytes). */
  async upload(
    id: string,
    publicShare: Uint8Array,
    inputShare: Uint8Array,
  ): Promise<'stored' | 'duplicate' | 'conflict'> {
    const inserted = await this.db.query(
      `insert into reports (report_id, public_share, input_share) values ($1, $2, $3)
       on conflict (report_id) do nothing returning report_id`,
      [id, publicShare, inputShare],
    );
    if (inserted.rows.length === 1) return 'stored';
    const known = await this.db.query<{ same: boolean }>(
      'select public_share = $2 and input_share is not distinct from $3 as same from reports where report_id = $1',
      [id, publicShare, inputShare],
    );
    return known.rows[0]?.same ? 'duplicate' : 'conflict';
  }

  async get(id: string): Promise<StoredReport | undefined> {
    const r = await this.db.query<StoredReport>(
      'select report_id, public_share, input_share, state, prepare_message from reports where report_id = $1',
      [id],
    );
    return r.rows[0];
  }

  /** Reports not yet prepared, oldest first, leaving out `skip` (those whose other share has not arrived). */
  async pending(limit: number, skip: readonly string[] = []): Promise<StoredReport[]> {
    const r = await this.db.query<StoredReport>(
      `select report_id, public_share, input_share, state, prepare_message from reports
       where state = 'uploaded' and not (report_id = any($2::text[])) order by seq limit $1`,
      [limit, skip],
    );
    return r.rows;
  }

  /** Records the outcome of preparation; the input share is dropped, the output share kept. */
  async prepared(id: string, outputShare: Uint8Array | null, prepareMessage: Uint8Array | null): Promise<void> {
    await this.db.query(
      `update reports set state = $2, output_share = $3, prepare_message = $4, input_share = null
       where report_id = $1 and state = 'uploaded'`,
      [id, outputShare ? 'valid' : 'invalid', outputShare, prepareMessage],
    );
  }

  async validUnbatched(limit: number): Promise<string[]> {
    const r = await this.db.query<{ report_id: string }>(
      `select report_id from reports where state = 'valid' and batch_id is null order by seq limit $1`,
      [limit],
    );
    return r.rows.map((x) => x.report_id);
  }

  /**
   * Claims every listed report for a new batch and stores the aggregate share computed
   * from their output shares, in one transaction; refuses (and changes nothing) if the
   * batch exists, has fewer than `nMin` reports, or any report is not valid or already batched.
   */
  async createBatch(
    batchId: string,
    reportIds: readonly string[],
    nMin: number,
    aggregate: (outputShares: Uint8Array[]) => Uint8Array | Promise<Uint8Array>,
    beforeCommit?: () => Promise<void>,
  ): Promise<{ ok: true; count: number } | { ok: false; reason: string }> {
    if (new Set(reportIds).size !== reportIds.length) return { ok: false, reason: 'a report is listed twice' };
    if (reportIds.length < nMin) return { ok: false, reason: `a batch needs at least ${nMin} reports` };
    try {
      return await this.db.transaction(async (tx) => {
        const exists = await tx.query('select 1 from batches where batch_id = $1', [batchId]);
        if (exists.rows.length > 0) throw new Refusal(`batch ${batchId} exists`);
        const claimed = await tx.query<{ output_share: Uint8Array }>(
          `update reports set batch_id = $1
           where report_id = any($2::text[]) and state = 'valid' and batch_id is null returning output_share`,
          [batchId, reportIds],
        );
        if (claimed.rows.length !== reportIds.length)
          throw new Refusal(
            `${reportIds.length - claimed.rows.length} of the reports are not valid or already batched`,
          );
        const share = await aggregate(claimed.rows.map((r) => r.output_share));
        await tx.query('insert into batches (batch_id, report_count, aggregate_share) values ($1, $2, $3)', [
          batchId,
          reportIds.length,
          share,
        ]);
        if (beforeCommit) await beforeCommit();
        return { ok: true as const, count: reportIds.length };
      });
    } catch (e) {
      if (e instanceof Refusal) return { ok: false, reason: e.message };
      throw e;
    }
  }

  async batch(batchId: string): Promise<Batch | undefined> {
    const r = await this.db.query<Batch>(
      'select batch_id, report_count, aggregate_share from batches where batch_id = $1',
      [batchId],
    );
    return r.rows[0];
  }

  /** validUnbatched, of the reports whose id starts with `prefix` only (a training round's: round-batches.ts). */
  async validUnbatchedWithPrefix(prefix: string, limit: number): Promise<string[]> {
    const r = await this.db.query<{ report_id: string }>(
      `select report_id from reports where state = 'valid' and batch_id is null and left(report_id, $2) = $1
       order by seq limit $3`,
      [prefix, prefix.length, limit],
    );
    return r.rows.map((x) => x.report_id);
  }

  /** counts, of the reports whose id starts with `prefix` only. */
  async countsWithPrefix(prefix: string): Promise<Record<string, number>> {
    const r = await this.db.query<{ state: string; batched: boolean; n: number }>(
      `select state, batch_id is not null as batched, count(*)::int as n from reports
       where left(report_id, $2) = $1 group by 1, 2`,
      [prefix, prefix.length],
    );
    const out: Record<string, number> = { uploaded: 0, valid: 0, invalid: 0, batched: 0 };
    for (const row of r.rows) {
      out[row.state] = (out[row.state] ?? 0) + row.n;
      if (row.batched) out['batched']! += row.n;
    }
    return out;
  }

  async counts(): Promise<Record<string, number>> {
    const r = await this.db.query<{ state: string; batched: boolean; n: number }>(
      'select state, batch_id is not null as batched, count(*)::int as n from reports group by 1, 2',
    );
    const out: Record<string, number> = { uploaded: 0, valid: 0, invalid: 0, batched: 0 };
    for (const row of r.rows) {
      out[row.state] = (out[row.state] ?? 0) + row.n;
      if (row.batched) out['batched']! += row.n;
    }
    return out;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

class Refusal extends Error {}
