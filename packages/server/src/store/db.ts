import fs from 'node:fs/promises'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { createHash } from 'node:crypto'
import {
  Kysely,
  PostgresDialect,
  sql,
  type PostgresPool,
  type PostgresPoolClient,
  type RawBuilder,
  type Transaction,
} from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts'
import { redactStoreError } from './error-redaction.ts'
import { createLocalSignal, createSignal, type Signal } from './signal.ts'

/**
 * The store: one interface over PGlite (embedded, the default) and PostgreSQL (`DATABASE_URL`).
 * Features hold a `Queryable` (the handle or an open transaction) and run the same SQL on both.
 * Kysely is the driver and transaction layer only (CONTRIBUTING.md, "SQL"): every query is an
 * `sql` template whose rows are typed where it runs (`query<Row>`, `sql<Row>`). The database
 * type is `unknown`, so the query builder names no table and cannot be used by mistake.
 */
export type Queryable = Kysely<unknown>

/** A `Queryable` that is an open transaction: for work that must share one (locks, savepoints). */
export type Tx = Transaction<unknown>

export interface Db {
  readonly kind: 'pglite' | 'postgres'
  readonly kysely: Queryable
  /** Runs a multi-statement script (migrations). */
  exec(script: string): Promise<void>
  /** Calls `onPayload` for every NOTIFY on `channel` until the returned function is called. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
  /** NOTIFY after a commit, coalesced with other notices (`createSignal`; `createLocalSignal` on PGlite). */
  signal: Signal
  close(): Promise<void>
  /** PGlite only: the data dir as a gzip archive (tests copy a migrated store from it). */
  dumpDataDir?: () => Promise<Blob>
  /** PostgreSQL only: the connection pool's connections now (metrics). */
  poolUsage?: () => { total: number; idle: number; waiting: number; max: number }
}

// int8 and numeric arrive as strings from pg; every count we read is cast to int in SQL instead.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value))

/** Opens PostgreSQL when `databaseUrl` is set, else PGlite in `dataDir` (`memory://` for tests). */
export async function openDb(options: {
  databaseUrl: string | null
  dataDir: string
}): Promise<Db> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl)
    : openPglite(options.dataDir === 'memory://' ? undefined : options.dataDir)
}

/**
 * Opens PGlite in `dataDir` (taking the data dir's lock: one process per dir), else in memory.
 * @example const db = await openPglite() // in memory
 */
export async function openPglite(dataDir?: string, loadDataDir?: Blob): Promise<Db> {
  let lock: DataDirLock | null = null
  if (dataDir) {
    await fs.mkdir(path.dirname(dataDir), { recursive: true })
    lock = await lockDataDir(dataDir)
  }
  let pglite: PGlite
  try {
    pglite = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(loadDataDir ? { loadDataDir } : {}),
    })
  } catch (error) {
    await lock?.release()
    throw error
  }
  // The dialect calls `query` (and `close` on destroy); failures lose their parameters here.
  const redacting = {
    query: (text: string, values?: unknown[]) =>
      pglite.query(text, values).catch((error: unknown) => {
        throw redactStoreError(error)
      }),
    close: () => pglite.close(),
  } as unknown as PGlite
  const kysely = new Kysely<unknown>({ dialect: new PGliteDialect(redacting) })
  const { signal, listen: listenLocally, drain } = createLocalSignal()
  let closed = false
  return {
    kind: 'pglite',
    kysely,
    signal,
    exec: async (script) => {
      await pglite.exec(script)
    },
    listen: async (channel, onPayload) => {
      const unlisten = await pglite.listen(channel, onPayload)
      const unlistenLocally = listenLocally(channel, onPayload)
      return async () => {
        unlistenLocally()
        await unlisten()
      }
    },
    dumpDataDir: async () => (await pglite.dumpDataDir('gzip')) as Blob,
    close: async () => {
      if (closed) return
      closed = true
      await drain()
      // Closing PGlite checkpoints and releases the data dir cleanly.
      await pglite.close()
      await lock?.release()
    },
  }
}

/** @example const db = await openPostgres('postgres://postgres@127.0.0.1/switchyard') */
export async function openPostgres(connectionString: string): Promise<Db> {
  const pool = new pg.Pool({
    connectionString,
    max: 20,
    idleTimeoutMillis: 30_000,
    // A connection keeps its prepared statements' generic plans until PostgreSQL invalidates
    // them (an ANALYZE); renewing connections bounds how long a plan made for a table that
    // has grown since can stay in use. See `prepared`.
    maxLifetimeSeconds: 300,
  })
  // A dropped connection (server restart) surfaces here; the pool replaces it on next use.
  pool.on('error', () => {})
  // A connection that drops while checked out (inside a transaction, or between a claim's
  // queries) emits 'error' on the client itself; without a listener that kills the process
  // (57P01 on a PostgreSQL restart, seen in bench/fault). The query in flight still rejects,
  // and the pool discards the client on release because it is no longer queryable.
  pool.on('connect', (client) => {
    client.on('error', () => {})
  })
  const kysely = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: preparingPool(pool) }),
  })
  const { signal, drain } = createSignal(kysely)
  return {
    kind: 'postgres',
    kysely,
    signal,
    exec: async (script) => {
      await pool.query(script)
    },
    listen: (channel, onPayload) => listenPostgres(connectionString, channel, onPayload),
    poolUsage: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: pool.options.max,
    }),
    close: async () => {
      await drain()
      await kysely.destroy()
    },
  }
}

const preparedMark = '/* prepared */'

/**
 * Marks a hot statement to run as a named prepared statement on PostgreSQL: parsed and planned
 * once per connection instead of on every call (the statement text must not vary with the
 * values). PGlite runs it as it is.
 * Only for statements whose plan cannot go wrong as tables grow: inserts, and lookups by a
 * unique key. PostgreSQL keeps a prepared statement's generic plan until an ANALYZE; one made
 * while `deliveries` was nearly empty kept scanning it whole once it held 2,000,000 rows
 * (bench/self-healing (a): a 100-row result write took over a minute). Updates joined to
 * unnest() and reads of a growing table by a list of ids stay unprepared.
 */
export function prepared(statement: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`${sql.raw(preparedMark)} ${statement}`
}

/**
 * The pool as Kysely sees it, naming the statements `prepared` marked (by a hash of their text):
 * node-postgres parses a named statement once per connection and then only binds it. A hot
 * statement with CTEs costs PostgreSQL about as much to parse and plan as to run (bench/ingest:
 * 0.3 ms planning against 0.16 ms executing a fan-out insert of 4 events).
 */
function preparingPool(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>()
  const nameOf = (text: string): string => {
    let name = names.get(text)
    if (!name)
      names.set(text, (name = 'sy_' + createHash('sha1').update(text).digest('hex').slice(0, 20)))
    return name
  }
  return {
    connect: async () => {
      const client = await pool.connect()
      const query = (text: unknown, values?: unknown[]): unknown => {
        const result: unknown =
          typeof text === 'string' && text.startsWith(preparedMark)
            ? client.query({ name: nameOf(text), text, values: values ?? [] })
            : client.query(text as string, values)
        // A cursor (streamed query) is returned as it is; a promise loses its values on failure.
        return result instanceof Promise
          ? result.catch((error: unknown) => {
              throw redactStoreError(error, typeof text === 'string' ? text : undefined)
            })
          : result
      }
      return {
        query: query as unknown as PostgresPoolClient['query'],
        release: () => client.release(),
      }
    },
    end: () => pool.end(),
  }
}

/**
 * LISTEN needs a dedicated connection. It reconnects with a short backoff when PostgreSQL
 * restarts; missed notifications are covered by the listeners' polling fallback.
 */
async function listenPostgres(
  connectionString: string,
  channel: string,
  onPayload: (payload: string) => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | null = null
  let stopped = false
  const connect = async (): Promise<void> => {
    if (stopped) return
    const next = new pg.Client({ connectionString })
    next.on('notification', (message) => onPayload(message.payload ?? ''))
    next.on('error', () => reconnectSoon())
    next.on('end', () => reconnectSoon())
    try {
      await next.connect()
      await next.query(`listen ${quoteIdent(channel)}`)
      client = next
    } catch {
      await next.end().catch(() => {})
      reconnectSoon()
    }
  }
  let pending: NodeJS.Timeout | null = null
  const reconnectSoon = (): void => {
    if (stopped || pending) return
    client = null
    pending = setTimeout(() => {
      pending = null
      void connect()
    }, 500)
    pending.unref()
  }
  await connect()
  return async () => {
    stopped = true
    if (pending) clearTimeout(pending)
    await client?.end().catch(() => {})
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid channel name ${name}`)
  return `"${name}"`
}

/**
 * Lets the current transaction commit without waiting for its write-ahead log to reach the
 * disk (`synchronous_commit = off` until it ends; PgBouncer's transaction mode keeps it).
 * Only for writes whose loss in a crash of PostgreSQL repeats work and loses nothing: the
 * dispatcher's claims and results, at-least-once either way (a lost claim leaves the delivery
 * due, a lost result sends it again after its lease, with the same webhook-id). Never for
 * ingest: its 202 promises the event is on disk. Why: an fdatasync of the log here sometimes
 * takes 100-200 ms, and every commit waiting on one waits for it (docs/operations.md).
 * A single statement does the same with `set_config('synchronous_commit', 'off', true)`.
 * @example await withTransaction(db.kysely, async (tx) => { await relaxCommit(tx); … })
 */
export async function relaxCommit(tx: Tx): Promise<void> {
  await sql`set local synchronous_commit = off`.execute(tx)
}

/**
 * Runs `fn` in one transaction on either store; given a transaction, in that one (it commits or
 * rolls back with the caller's work).
 * @example await withTransaction(db.kysely, async (tx) => insertEvent(tx, event))
 */
export async function withTransaction<T>(q: Queryable, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return q.isTransaction ? fn(q as Tx) : q.transaction().execute(fn)
}

/**
 * Runs a raw SQL template and returns its rows.
 * @example const rows = await query<{ id: string }>(q, sql`select id from projects`)
 */
export async function query<Row>(q: Queryable, statement: RawBuilder<unknown>): Promise<Row[]> {
  const result = await (statement as RawBuilder<Row>).execute(q)
  return result.rows
}

/**
 * Runs an UPDATE or DELETE (without `returning`) and answers how many rows it touched, counted
 * in the database: `returning 1` would ship every row to this process, and enabling a destination
 * with a million held deliveries blocked the event loop for most of a second (bench/self-healing).
 * @example const n = await countAffected(q, sql`delete from claim_checks where expires_at <= now()`)
 */
export async function countAffected(q: Queryable, statement: RawBuilder<unknown>): Promise<number> {
  const rows = await query<{ n: number }>(
    q,
    sql`with affected as (${statement} returning 1) select count(*)::int as n from affected`,
  )
  return rows[0]?.n ?? 0
}

/** Sends a NOTIFY on either store (PGlite delivers it in-process). */
export async function notify(q: Queryable, channel: string, payload = ''): Promise<void> {
  await sql`select pg_notify(${channel}, ${payload})`.execute(q)
}

export { sql }
