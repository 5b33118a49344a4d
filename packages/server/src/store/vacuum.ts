import type { Logger } from 'pino'
import { sql, type RawBuilder } from 'kysely'
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
 * Autovacuum where there is none. PGlite runs PostgreSQL single-user, with no autovacuum
 * launcher: without this, every row a claim or a result updates leaves a dead entry in the
 * queue indexes for good, and the planner never learns a table grew. bench/inbound on PGlite:
 * after 30,000 requests the router's claim read 30,030 index entries to find 30 live ones
 * (6.3 ms a claim; 0.8 ms after one VACUUM of 61 ms).
 * It runs on PGlite's one thread, so every other query waits while it works, as they would
 * for any statement; it runs only when a table passed PostgreSQL's own thresholds.
 * On PostgreSQL it works only while the server's `autovacuum` is off (and says so once): the
 * same dead entries then pile up in `deliveries` and `inbound_requests` until someone vacuums.
 * @example workers: [createVacuumer({ db, log })]
 */
export function createVacuumer(deps: { db: Db; log: Logger; intervalMs?: number }): {
  name: string
  start(): Promise<void>
  stop(): Promise<void>
  /** One round now: vacuums or analyzes the tables past their thresholds. */
  runOnce(): Promise<string[]>
} {
  let needed: Promise<boolean> | null = null
  const runOnce = async (): Promise<string[]> => {
    needed ??= vacuumIsOurs(deps.db, deps.log).catch((err: unknown) => {
      needed = null
      throw err
    })
    if (!(await needed)) return []
    const done: string[] = []
    for (const t of await tableStats(deps.db)) {
      const vacuum = t.dead > vacuumAt(t.live)
      if (!vacuum && t.modified <= analyzeAt(t.live)) continue
      const started = performance.now()
      const statement = vacuum
        ? sql`vacuum (analyze) ${sql.id(t.table)}`
        : sql`analyze ${sql.id(t.table)}`
      await paced(deps.db, statement)
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
      onError: (err) => deps.log.warn({ err }, 'vacuuming failed'),
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

/** PGlite has no autovacuum; PostgreSQL has one unless its `autovacuum` setting is off. */
async function vacuumIsOurs(db: Db, log: Logger): Promise<boolean> {
  if (db.kind === 'pglite') return true
  const [row] = await query<{ off: boolean }>(
    db.kysely,
    sql`select current_setting('autovacuum') = 'off' as off`,
  )
  if (row?.off)
    log.warn(
      "PostgreSQL's autovacuum is off: this worker vacuums and analyzes Switchyard's tables past the default thresholds itself",
    )
  return row?.off ?? false
}

/**
 * On PostgreSQL, at autovacuum's own pace (`autovacuum_vacuum_cost_delay` 2 ms per 200 cost
 * units): a VACUUM run by hand has no delay, and one of `deliveries` after a million deliveries
 * were released read and wrote as fast as the disk went while other queries waited on it. On
 * PGlite at full speed: every other query waits for it anyway.
 */
async function paced(db: Db, statement: RawBuilder<unknown>): Promise<void> {
  if (db.kind === 'pglite') {
    await statement.execute(db.kysely)
    return
  }
  // One connection for the settings and the statement (VACUUM runs outside any transaction).
  await db.kysely.connection().execute(async (connection) => {
    await sql`set vacuum_cost_delay = 2`.execute(connection)
    try {
      await statement.execute(connection)
    } finally {
      await sql`reset vacuum_cost_delay`.execute(connection)
    }
  })
}
