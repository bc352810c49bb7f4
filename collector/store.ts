import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import type { Report } from '../src/report/schema';

export type InsertOutcome = 'stored' | 'duplicate' | 'conflict';

/**
 * Reports in an embedded PostgreSQL (PGlite: WASM, no server, no native build).
 * The report id is the primary key, which makes storing idempotent; the body's
 * hash tells a retry (same body) from a different report reusing an id.
 */
export class ReportStore {
  private constructor(private readonly db: PGlite) {}

  /** `dataDir` persists across restarts; without it the database lives in memory. */
  static async open(dataDir?: string): Promise<ReportStore> {
    const db = dataDir ? new PGlite(dataDir) : new PGlite();
    await db.exec(`
      create table if not exists reports (
        id text primary key,
        scope text not null,
        model text not null,
        projection text,
        mechanism text not null,
        epsilon double precision not null,
        body jsonb not null,
        body_hash text not null,
        received_at timestamptz not null default now()
      );
      create index if not exists reports_group on reports (scope, model, projection, mechanism, epsilon);
    `);
    return new ReportStore(db);
  }

  async insert(report: Report): Promise<InsertOutcome> {
    const body = JSON.stringify(report);
    const hash = createHash('sha256').update(body).digest('hex');
    const model = `${report.model.id}/${report.model.layer}/${report.model.dims}`;
    // One statement, so concurrent duplicates cannot both insert.
    const inserted = await this.db.query<{ id: string }>(
      `insert into reports (id, scope, model, projection, mechanism, epsilon, body, body_hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (id) do nothing returning id`,
      [report.id, report.scope, model, report.projection?.id ?? null, report.mechanism.name, report.mechanism.epsilon, body, hash],
    );
    if (inserted.rows.length === 1) return 'stored';
    const existing = await this.db.query<{ body_hash: string }>('select body_hash from reports where id = $1', [report.id]);
    return existing.rows[0]?.body_hash === hash ? 'duplicate' : 'conflict';
  }

  async count(): Promise<number> {
    return (await this.db.query<{ n: number }>('select count(*)::int as n from reports')).rows[0]!.n;
  }

  async ids(): Promise<string[]> {
    return (await this.db.query<{ id: string }>('select id from reports order by received_at, id')).rows.map((r) => r.id);
  }

  async list(scope: string | undefined, limit: number): Promise<Report[]> {
    const rows = scope
      ? await this.db.query<{ body: Report }>('select body from reports where scope = $1 order by received_at desc limit $2', [scope, limit])
      : await this.db.query<{ body: Report }>('select body from reports order by received_at desc limit $1', [limit]);
    return rows.rows.map((r) => r.body);
  }

  /** Every report, grouped by the columns aggregates are computed over. */
  async all(): Promise<Report[]> {
    return (await this.db.query<{ body: Report }>('select body from reports order by scope, model, projection, mechanism, epsilon')).rows.map((r) => r.body);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
