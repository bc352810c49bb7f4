/**
 * Versioned schema migrations. Every collector process runs `migrate` at start; the
 * first takes a PostgreSQL advisory lock, applies what is missing (each version in
 * its own transaction) and releases it; the others wait on the lock and then find
 * nothing to do. The SQL is plain PostgreSQL that PGlite (17), PostgreSQL 15+ and
 * Citus run unchanged (docs/collector-citus.md).
 */
import type { Database } from './database';

/** The advisory lock key of migrations (any constant the application owns). */
const MIGRATION_LOCK = 0x0b5c_0001;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'reports partitioned by day, report ids, groups, sharded running totals',
    sql: `
      -- Element-wise sum of two float8 arrays of the same length (the running totals' update).
      create function obscura_add(a float8[], b float8[]) returns float8[]
        language sql immutable strict parallel safe
        as $$ select array_agg(x + y order by i) from unnest(a, b) with ordinality as t(x, y, i) $$;
      -- a + b² element-wise: the running sum of squares.
      create function obscura_add_squares(a float8[], b float8[]) returns float8[]
        language sql immutable strict parallel safe
        as $$ select array_agg(x + y * y order by i) from unnest(a, b) with ordinality as t(x, y, i) $$;
      -- Element-wise sums of float8 arrays over rows (the repair); a null state starts from zeros.
      create function obscura_sum_step(state float8[], x float8[], squares boolean) returns float8[]
        language sql immutable parallel safe
        as $$ select case when squares
                          then obscura_add_squares(coalesce(state, array_fill(0::float8, array[cardinality(x)])), x)
                          else obscura_add(coalesce(state, array_fill(0::float8, array[cardinality(x)])), x) end $$;
      create aggregate obscura_sum(float8[], boolean) (sfunc = obscura_sum_step, stype = float8[]);
      -- A k-long array with 1 at index v (0-based): the first k-RR report of a totals row.
      create function obscura_onehot(k int, v int) returns float8[]
        language sql immutable strict parallel safe
        as $$ select array_agg((case when i = v then 1 else 0 end)::float8 order by i)
              from generate_series(0, k - 1) i $$;

      -- One row per report id ever stored (within retention): exactly-once and 409 on a reused id.
      create table report_ids (
        id text primary key,
        body_hash text not null,
        day date not null
      );
      create index report_ids_day on report_ids (day);

      -- Raw reports, one partition per UTC day of receipt, so a day is dropped, not deleted.
      create table reports (
        id text not null,
        day date not null,
        received_at timestamptz not null,
        seq bigserial not null,
        scope text not null,
        group_id text not null,
        body jsonb not null,
        primary key (id, day)
      ) partition by range (day);
      create index reports_received on reports (received_at, seq);
      create index reports_scope_received on reports (scope, received_at, seq);

      -- What reports of a group share (see collector/groups.ts); created once, capped per scope.
      create table report_groups (
        id text primary key,
        scope text not null,
        kind text not null check (kind in ('vector', 'category')),
        size int not null,
        key json not null,
        mechanism json not null,
        created_at timestamptz not null default now()
      );
      create index report_groups_scope on report_groups (scope);
      create table scope_groups (
        scope text primary key,
        groups int not null
      );

      -- Running totals per group, day and slot. A report adds to one random slot of its group, so
      -- concurrent writers of one group rarely wait on the same row; readers sum the slots.
      create table group_totals (
        group_id text not null,
        day date not null,
        slot smallint not null,
        n bigint not null,
        sums float8[] not null,
        squares float8[],
        primary key (group_id, day, slot)
      );
      -- Stores one report in one statement (one round trip, one implicit transaction): claim the id, insert the
      -- raw row, add the values to one slot of the group's totals. Vectors (p_squares true) and OUE bits
      -- pass p_sums; a k-RR value passes p_k and p_value.
      create function obscura_store_report(
        p_id text, p_hash text, p_day date, p_received timestamptz, p_scope text, p_group text, p_body jsonb,
        p_slot smallint, p_sums float8[], p_squares boolean, p_k int, p_value int
      ) returns text language plpgsql as $$
      declare
        known text;
      begin
        insert into report_ids (id, body_hash, day) values (p_id, p_hash, p_day) on conflict (id) do nothing;
        if not found then
          select body_hash into known from report_ids where id = p_id;
          return case when known = p_hash then 'duplicate' else 'conflict' end;
        end if;
        insert into reports (id, day, received_at, scope, group_id, body)
          values (p_id, p_day, p_received, p_scope, p_group, p_body);
        if p_value is not null then
          insert into group_totals (group_id, day, slot, n, sums)
            values (p_group, p_day, p_slot, 1, obscura_onehot(p_k, p_value))
          on conflict (group_id, day, slot) do update
            set n = group_totals.n + 1, sums[p_value + 1] = group_totals.sums[p_value + 1] + 1;
        else
          insert into group_totals (group_id, day, slot, n, sums, squares)
            values (p_group, p_day, p_slot, 1, p_sums, case when p_squares
                    then obscura_add_squares(array_fill(0::float8, array[cardinality(p_sums)]), p_sums) end)
          on conflict (group_id, day, slot) do update
            set n = group_totals.n + 1,
                sums = obscura_add(group_totals.sums, excluded.sums),
                squares = obscura_add_squares(group_totals.squares, p_sums);
        end if;
        return 'stored';
      end
      $$;
      -- Stores a batch of vector reports of one day in one statement. Ids are claimed in sorted order and
      -- totals rows are updated group by group in sorted order, so concurrent batches cannot deadlock;
      -- each group's stored vectors are summed once (p_vectors: float8 array literals) and added to one slot.
      create function obscura_store_batch(
        p_ids text[], p_hashes text[], p_day date, p_received timestamptz, p_scopes text[], p_groups text[],
        p_bodies jsonb[], p_vectors text[], p_slot smallint
      ) returns text[] language plpgsql as $$
      declare
        outcomes text[] := array_fill(''::text, array[cardinality(p_ids)]);
        i int;
        g text;
        known text;
      begin
        for i in select o from unnest(p_ids) with ordinality u(id, o) order by id, o loop
          insert into report_ids (id, body_hash, day) values (p_ids[i], p_hashes[i], p_day)
            on conflict (id) do nothing;
          if found then
            insert into reports (id, day, received_at, scope, group_id, body)
              values (p_ids[i], p_day, p_received, p_scopes[i], p_groups[i], p_bodies[i]);
            outcomes[i] := 'stored';
          else
            select body_hash into known from report_ids where id = p_ids[i];
            outcomes[i] := case when known = p_hashes[i] then 'duplicate' else 'conflict' end;
          end if;
        end loop;
        for g in select distinct grp from unnest(p_groups) grp order by grp loop
          insert into group_totals (group_id, day, slot, n, sums, squares)
          select g, p_day, p_slot, max(c.n), array_agg(c.s order by c.j), array_agg(c.q order by c.j)
          from (
            select x.j, count(*) as n, sum(x.v) as s, sum(x.v * x.v) as q
            from unnest(p_groups, p_vectors, outcomes) as t(grp, vec, outcome)
            cross join lateral unnest(t.vec::float8[]) with ordinality as x(v, j)
            where t.grp = g and t.outcome = 'stored'
            group by x.j
          ) c
          having count(*) > 0
          on conflict (group_id, day, slot) do update
            set n = group_totals.n + excluded.n,
                sums = obscura_add(group_totals.sums, excluded.sums),
                squares = obscura_add(group_totals.squares, excluded.squares);
        end loop;
        return outcomes;
      end
      $$;
    `,
  },
  {
    version: 2,
    name: 'federated training: published head versions and rounds, per task',
    sql: `
      -- Each version of a training task's head, as published (a sealed codebook and the optimizer's state).
      create table train_versions (
        task text not null,
        version int not null,
        body text not null,
        primary key (task, version)
      );
      -- Each round of a training task; its body is the round's state (src/codebook/train-rounds.ts).
      create table train_rounds (
        task text not null,
        round int not null,
        state text not null,
        body text not null,
        primary key (task, round)
      );
    `,
  },
];

/** Applies the missing migrations under the advisory lock; returns the versions it applied. */
export async function migrate(db: Database): Promise<number[]> {
  return db.session(async (conn) => {
    await conn.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await conn.query(`create table if not exists collector_migrations (
        version int primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`);
      const done = new Set(
        (await conn.query<{ version: number }>('select version from collector_migrations')).rows.map((r) => r.version),
      );
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await conn.query('begin');
        try {
          for (const statement of splitStatements(m.sql)) await conn.query(statement);
          await conn.query('insert into collector_migrations (version, name) values ($1, $2)', [m.version, m.name]);
          await conn.query('commit');
        } catch (err) {
          await conn.query('rollback');
          throw err;
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await conn.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  });
}

/** Splits a migration into statements at semicolons that end a line outside $$ bodies (one statement per query). */
function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let inBody = false;
  for (const line of sql.split('\n')) {
    if (/^\s*--/.test(line)) continue;
    current += line + '\n';
    if ((line.match(/\$\$/g)?.length ?? 0) % 2 === 1) inBody = !inBody;
    if (!inBody && /;\s*$/.test(line)) {
      out.push(current.trim().replace(/;$/, ''));
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
