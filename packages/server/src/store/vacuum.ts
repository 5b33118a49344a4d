import type { Logger } from 'pino'
import { sql } from 'kysely'
import { periodic } from '../periodic.ts'
import { query, type Db } from './db.ts'

/**
 * PostgreSQL's autovacuum thresholds (`autovacuum_vacuum_threshold` and `_scale_factor`,
 * `autovacuum_analyze_threshold` and `_scale_factor` at their defaults): PGlite then keeps its
 * tables the way a default PostgreSQL would.
 */
const vacuumAt = (live: number) => 50 + 0.2 * live
const analyzeAt = (live: number) => 50 + 0.1 * live

interface TableStats {
  table: string
  live: number
  dead: number
  modified: number
}

/**
 * Autovacuum for the embedded store. PGlite runs PostgreSQL single-user, with no autovacuum
 * launcher: without this, every row a claim or a result updates leaves a dead entry in the
 * queue indexes for good, and the planner never learns a table grew. bench/inbound on PGlite:
 * after 30,000 requests the router's claim read 30,030 index entries to find 30 live ones
 * (6.3 ms a claim; 0.8 ms after one VACUUM of 61 ms).
 * It runs on PGlite's one thread, so every other query waits while it works, as they would
 * for any statement; it runs only when a table passed PostgreSQL's own thresholds.
 * @example workers: db.kind === 'pglite' ? [createVacuumer({ db, log })] : []
 */
export function createVacuumer(deps: { db: Db; log: Logger; intervalMs?: number }): {
  name: string
  start(): Promise<void>
  stop(): Promise<void>
  /** One round now: vacuums or analyzes the tables past their thresholds. */
  runOnce(): Promise<string[]>
} {
  const runOnce = async (): Promise<string[]> => {
    const done: string[] = []
    for (const t of await tableStats(deps.db)) {
      const vacuum = t.dead > vacuumAt(t.live)
      if (!vacuum && t.modified <= analyzeAt(t.live)) continue
      const started = performance.now()
      const statement = vacuum
        ? sql`vacuum (analyze) ${sql.id(t.table)}`
        : sql`analyze ${sql.id(t.table)}`
      await statement.execute(deps.db.kysely)
      const ms = Math.round(performance.now() - started)
      // A long one stalled every request: say so where an operator looks.
      const level = ms >= 1000 ? 'info' : 'debug'
      deps.log[level]({ ...t, ms }, vacuum ? 'vacuumed a table' : 'analyzed a table')
      done.push(t.table)
    }
    return done
  }
  return {
    ...periodic({
      name: 'vacuumer',
      intervalMs: deps.intervalMs ?? 10_000,
      runAtStart: false,
      run: runOnce,
      onError: (err) => deps.log.warn({ err }, 'vacuuming the embedded store failed'),
    }),
    runOnce,
  }
}

async function tableStats(db: Db): Promise<TableStats[]> {
  return query<TableStats>(
    db.kysely,
    sql`select relname as "table", n_live_tup::int as live, n_dead_tup::int as dead,
               n_mod_since_analyze::int as modified
        from pg_stat_user_tables order by relname`,
  )
}

/**
 * PostgreSQL with `autovacuum` off: says so where an operator looks. Switchyard does not vacuum in
 * their place (turning it off is theirs to decide, and a vacuum it ran would land on their
 * traffic), but the queue tables update every row they hold and grow dead index entries until
 * someone vacuums them.
 */
export async function warnWithoutAutovacuum(db: Db, log: Logger): Promise<void> {
  if (db.kind !== 'postgres') return
  const [row] = await query<{ off: boolean }>(
    db.kysely,
    sql`select current_setting('autovacuum') = 'off' as off`,
  )
  if (row?.off)
    log.warn(
      "PostgreSQL's autovacuum is off: vacuum deliveries and inbound_requests on a schedule, or they bloat and claims slow down",
    )
}
