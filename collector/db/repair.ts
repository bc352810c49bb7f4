/**
 * Re-derives every group's running totals from the raw reports, in one transaction.
 * The totals table is locked first (EXCLUSIVE: readers go on, writers wait), so a
 * report stored concurrently is either committed before the recomputation reads the
 * raw rows, or adds itself to the new totals after it: none is lost or counted twice.
 * Each (group, day) gets one slot. Vectors and OUE bits are summed per coordinate;
 * k-RR values are counted per category.
 */
import type { Database } from './database';

// A JSON array of numbers read as float8[] by one text cast (jsonb keeps each number's decimal digits).
const VECTORS_AND_BITS = `
  insert into group_totals (group_id, day, slot, n, sums, squares)
  select v.group_id, v.day, 0, count(*), obscura_sum(v.x, false),
         case when v.kind = 'vector' then obscura_sum(v.x, true) end
  from (
    select r.group_id, r.day, g.kind, translate(
      (case when g.kind = 'vector' then r.body -> 'vector' else r.body -> 'category' -> 'bits' end)::text,
      '[]', '{}')::float8[] as x
    from reports r join report_groups g on g.id = r.group_id
    where g.kind = 'vector' or r.body -> 'category' ? 'bits'
  ) v
  group by v.group_id, v.day, v.kind`;

const CATEGORY_VALUES = `
  with c as (
    select r.group_id, r.day, (r.body -> 'category' ->> 'value')::int as v, count(*) as n
    from reports r join report_groups g on g.id = r.group_id
    where g.kind = 'category' and r.body -> 'category' ? 'value'
    group by r.group_id, r.day, v
  )
  insert into group_totals (group_id, day, slot, n, sums)
  select d.group_id, d.day, 0, d.n,
         (select array_agg(coalesce(c.n, 0)::float8 order by i)
          from generate_series(0, g.size - 1) i
          left join c on c.group_id = d.group_id and c.day = d.day and c.v = i)
  from (select group_id, day, sum(n)::int8 as n from c group by group_id, day) d
  join report_groups g on g.id = d.group_id`;

export async function repairTotals(db: Database): Promise<{ groups: number; reports: number }> {
  return db.transaction(async (tx) => {
    await tx.query('lock table group_totals in exclusive mode');
    await tx.query('delete from group_totals');
    await tx.query(VECTORS_AND_BITS);
    await tx.query(CATEGORY_VALUES);
    const sum = await tx.query<{ groups: number; reports: number | null }>(
      'select count(distinct group_id)::int8 as groups, sum(n)::int8 as reports from group_totals',
    );
    return { groups: sum.rows[0]!.groups, reports: sum.rows[0]!.reports ?? 0 };
  });
}
