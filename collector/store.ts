import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import type { Report } from '../src/report/schema';
import { lockDataDir } from './lock';

export type InsertOutcome = 'stored' | 'duplicate' | 'conflict';

/**
 * Reports in an embedded PostgreSQL (PGlite: WASM, no server process, no native
 * build). The report id is the primary key, which makes storing idempotent; the
 * hash of the validated body tells a retry (same body) from a different report
 * that reuses an id.
 */
export class ReportStore {
  private constructor(
    private readonly db: PGlite,
    private readonly unlock: () => void,
  ) {}

  /** `dataDir` persists across restarts (one collector per folder); without it the database lives in memory. */
  static async open(dataDir?: string): Promise<ReportStore> {
    const unlock = dataDir ? lockDataDir(dataDir) : () => {};
    try {
      const db = dataDir ? new PGlite(dataDir) : new PGlite();
      await db.exec(`
        create table if not exists reports (
          id text primary key,
          seq bigserial not null,
          scope text not null,
          model text not null,
          projection text,
          mechanism text not null,
          epsilon double precision not null,
          body jsonb not null,
          body_hash text not null,
          received_at timestamptz not null default now()
        );
        alter table reports add column if not exists seq bigserial not null;
        create index if not exists reports_group on reports (scope, model, projection, mechanism, epsilon);
        create index if not exists reports_scope_seq on reports (scope, seq);
      `);
      return new ReportStore(db, unlock);
    } catch (err) {
      unlock();
      throw err;
    }
  }

  /** Stores the report unless its id is known: 'duplicate' when the known body is the same, 'conflict' when not. */
  async insert(report: Report): Promise<InsertOutcome> {
    const body = JSON.stringify(report);
    const hash = createHash('sha256').update(body).digest('hex');
    const model = `${report.model.id}/${report.model.layer}/${report.model.dims}`;
    // One statement, so concurrent duplicates cannot both insert.
    const inserted = await this.db.query<{ id: string }>(
      `insert into reports (id, scope, model, projection, mechanism, epsilon, body, body_hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (id) do nothing returning id`,
      [
        report.id,
        report.scope,
        model,
        report.projection?.id ?? null,
        report.mechanism.name,
        report.mechanism.epsilon,
        body,
        hash,
      ],
    );
    if (inserted.rows.length === 1) return 'stored';
    const existing = await this.db.query<{ body_hash: string }>('select body_hash from reports where id = $1', [
      report.id,
    ]);
    return existing.rows[0]?.body_hash === hash ? 'duplicate' : 'conflict';
  }

  /** Number of stored reports, of one scope or of all. */
  async count(scope?: string): Promise<number> {
    const rows =
      scope === undefined
        ? await this.db.query<{ n: number }>('select count(*)::int as n from reports')
        : await this.db.query<{ n: number }>('select count(*)::int as n from reports where scope = $1', [scope]);
    return rows.rows[0]!.n;
  }

  /** Ids in the order they were stored, of one scope or of all. */
  async ids(scope?: string): Promise<string[]> {
    const rows =
      scope === undefined
        ? await this.db.query<{ id: string }>('select id from reports order by seq')
        : await this.db.query<{ id: string }>('select id from reports where scope = $1 order by seq', [scope]);
    return rows.rows.map((r) => r.id);
  }

  /** The newest `limit` reports, newest first. */
  async list(scope: string | undefined, limit: number): Promise<Report[]> {
    const rows =
      scope === undefined
        ? await this.db.query<{ body: Report }>('select body from reports order by seq desc limit $1', [limit])
        : await this.db.query<{ body: Report }>(
            'select body from reports where scope = $1 order by seq desc limit $2',
            [scope, limit],
          );
    return rows.rows.map((r) => r.body);
  }

  /** Every report, of one scope or of all, in the order they were stored. */
  async all(scope?: string): Promise<Report[]> {
    const rows =
      scope === undefined
        ? await this.db.query<{ body: Report }>('select body from reports order by seq')
        : await this.db.query<{ body: Report }>('select body from reports where scope = $1 order by seq', [scope]);
    return rows.rows.map((r) => r.body);
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      this.unlock();
    }
  }
}
