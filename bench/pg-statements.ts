/**
 * Where a database's PostgreSQL time goes during one bench run: pg_stat_statements per statement
 * (calls, rows, execution and planning time, WAL bytes), and the database's commits and the WAL
 * written. Needs a cluster started with `shared_preload_libraries=pg_stat_statements` (and
 * `pg_stat_statements.track_planning=on` for planning time); the shared test cluster has neither,
 * so bench/deliver-peers uses it only with BENCH_PG_STATS=1 against such a cluster.
 *
 * @example
 * const stats = await watchStatements(adminUrl, 'switchyard_bench_ab12')
 * // … run …
 * console.table(await stats.stop(20_000))
 */
import pg from 'pg'

export interface StatementRow {
  query: string
  'calls/delivery': number
  'rows/call': number
  'exec µs/delivery': number
  'plan µs/delivery': number
  'WAL B/delivery': number
}

export async function watchStatements(adminUrl: string, database: string) {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  const counters = async () =>
    (
      await admin.query<{ commits: string; wal: string }>(
        `select xact_commit as commits, pg_current_wal_lsn() - '0/0'::pg_lsn as wal
           from pg_stat_database where datname = $1`,
        [database],
      )
    ).rows[0]!
  await admin.query('select pg_stat_statements_reset()')
  const before = await counters()
  return {
    /** Per-delivery figures for the `deliveries` the run made; the top 25 statements by time. */
    stop: async (deliveries: number) => {
      const after = await counters()
      const { rows } = await admin.query<Record<string, string>>(
        `select left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query, calls, rows,
                total_exec_time, total_plan_time, wal_bytes
           from pg_stat_statements s join pg_database d on d.oid = s.dbid
          where d.datname = $1
          order by total_exec_time + total_plan_time desc`,
        [database],
      )
      await admin.end()
      const per = (v: string | undefined, scale = 1) =>
        Math.round((Number(v) * scale * 100) / deliveries) / 100
      const statements: StatementRow[] = rows.slice(0, 25).map((r) => ({
        query: r.query!,
        'calls/delivery': per(r.calls),
        'rows/call': Math.round((Number(r.rows) / Number(r.calls)) * 10) / 10,
        'exec µs/delivery': per(r.total_exec_time, 1000),
        'plan µs/delivery': per(r.total_plan_time, 1000),
        'WAL B/delivery': per(r.wal_bytes),
      }))
      const sum = (key: string, scale = 1) =>
        per(String(rows.reduce((s, r) => s + Number(r[key]), 0)), scale)
      return {
        statements,
        totals: {
          'statements/delivery': sum('calls'),
          'exec µs/delivery': sum('total_exec_time', 1000),
          'plan µs/delivery': sum('total_plan_time', 1000),
          'commits/delivery': per(String(Number(after.commits) - Number(before.commits))),
          'WAL B/delivery (cluster)': per(String(Number(after.wal) - Number(before.wal))),
        },
      }
    },
  }
}
