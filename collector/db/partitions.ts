/**
 * Day partitions of `reports`. A partition is created before the first report of its
 * day is stored (and the next day's ahead of time), under a transaction-level
 * advisory lock so concurrent processes do not race on the catalog. Dropping a day is
 * a DROP TABLE of its partition: no row-by-row delete, no vacuum debt.
 */
import type { Database } from './database';

const PARTITION_LOCK = 0x0b5c_0002;

/** UTC calendar day of a time, as YYYY-MM-DD. */
export function dayOf(t: Date): string {
  return t.toISOString().slice(0, 10);
}

export function nextDay(day: string): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000));
}

export function partitionName(day: string): string {
  return `reports_d${day.replaceAll('-', '')}`;
}

export async function ensurePartition(db: Database, day: string): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a day: ${day}`);
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
    await tx.query(
      `create table if not exists ${partitionName(day)} partition of reports
       for values from ('${day}') to ('${nextDay(day)}')`,
    );
  });
}

/** Days that have a partition, oldest first. */
export async function partitionDays(db: Database): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'reports'::regclass order by c.relname`,
  );
  return rows.rows
    .map((r) => /^reports_d(\d{4})(\d{2})(\d{2})$/.exec(r.name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}-${m[2]}-${m[3]}`);
}

/**
 * Drops every day before `day`: its partition, its totals and its ids. A retry of a
 * dropped report is then stored again, so retention is also the idempotency window.
 */
export async function dropDaysBefore(db: Database, day: string): Promise<string[]> {
  const dropped = (await partitionDays(db)).filter((d) => d < day);
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
    for (const d of dropped) await tx.query(`drop table if exists ${partitionName(d)}`);
    await tx.query('delete from group_totals where day < $1', [day]);
    await tx.query('delete from report_ids where day < $1', [day]);
  });
  return dropped;
}
