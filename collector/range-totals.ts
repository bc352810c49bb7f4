/**
 * One scope's group totals over the reports received in [since, until), summed from the raw
 * reports in SQL (the running totals have no receive times finer than their day partitions).
 */
import type { GroupTotals } from './group-estimates';
import { REPORT_VALUES_SQL } from './buckets';
import type { Database } from './db/database';
import type { TotalsRow } from './store';

const RANGE_SQL = `
  with values as (
    select r.group_id, ${REPORT_VALUES_SQL} as v
    from reports r
    where r.received_at >= $1 and r.received_at < $2 and r.scope = $3
  ), sums as (
    select group_id, count(*)::int8 as n, obscura_sum(v, false) as sums, obscura_sum(v, true) as squares
    from values group by group_id
  )
  select s.group_id, g.scope, g.kind, g.size, g.key, g.mechanism, s.n, s.sums,
         case when g.kind = 'vector' then s.squares end as squares
  from sums s join report_groups g on g.id = s.group_id
  order by g.created_at, g.id`;

export async function rangeTotals(db: Database, scope: string, since: Date, until: Date): Promise<GroupTotals[]> {
  const rows = (await db.query<TotalsRow>(RANGE_SQL, [since.toISOString(), until.toISOString(), scope])).rows;
  return rows.map((r) => ({
    group: { id: r.group_id, scope: r.scope, kind: r.kind, size: r.size, key: r.key, mechanism: r.mechanism },
    count: Number(r.n),
    sums: r.sums,
    squares: r.squares,
  }));
}
