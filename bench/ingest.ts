/**
 * bench/ingest: POST /v1/events (16 concurrent clients) and POST /v1/events/batch, beside raw
 * INSERT throughput of the same rows into the same table, measured in the same run.
 *
 *   npm run bench:ingest                      # PostgreSQL at $DATABASE_URL (default local) and PGlite
 *   BENCH_SECONDS=20 npm run bench:ingest     # longer phases
 *   BENCH_STORES=postgres npm run bench:ingest
 *
 * Targets (issue 2): single events >= 50 % of raw single-row inserts; batches >= 50,000 events/s.
 */
import { CompiledQuery } from 'kysely'
import pg from 'pg'
import { Pool as HttpPool } from 'undici'
import { v7 as uuidv7 } from 'uuid'
import {
  freshStore,
  report,
  startServer,
  timed,
  type Store,
  benchEvent,
  benchEventData,
} from './lib.ts'
import { migrate, openPglite } from '../packages/server/src/store/index.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const clients = 16
const batchSize = 1000
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

const data = benchEventData
const event = benchEvent

interface RawInserter {
  single: () => Promise<void>
  batch: (n: number) => Promise<void>
  close: () => Promise<void>
}

const insertOne = `insert into events (id, project_id, type, user_id, integration, occurred_at, data)
  values ($1, $2, $3, $4, $5, $6, $7)`
const insertMany = `insert into events (id, project_id, type, user_id, integration, occurred_at, data)
  select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[])`

function rowParams(projectId: string) {
  return [
    uuidv7(),
    projectId,
    event.type,
    event.userId,
    event.integration,
    new Date().toISOString(),
    JSON.stringify(data),
  ]
}

function manyParams(projectId: string, n: number) {
  const rows = Array.from({ length: n }, () => rowParams(projectId))
  return rows[0]!.map((_, col) => rows.map((r) => r[col]))
}

async function rawPostgres(url: string, projectId: string): Promise<RawInserter> {
  const pool = new pg.Pool({ connectionString: url, max: clients })
  pool.on('error', () => {}) // drop database (force) ends idle clients
  return {
    single: async () => void (await pool.query(insertOne, rowParams(projectId))),
    batch: async (n) => void (await pool.query(insertMany, manyParams(projectId, n))),
    close: () => pool.end(),
  }
}

/** PGlite baseline: a second embedded store in this process with the same schema. */
async function rawPglite(projectId: string): Promise<RawInserter> {
  const db = await openPglite()
  await migrate(db)
  await db.exec(`insert into projects (id, name) values ('${projectId}', 'bench')`)
  const run = (text: string, params: unknown[]) =>
    db.kysely.executeQuery(CompiledQuery.raw(text, params))
  return {
    single: async () => void (await run(insertOne, rowParams(projectId))),
    batch: async (n) => void (await run(insertMany, manyParams(projectId, n))),
    close: () => db.close(),
  }
}

async function measure(store: Store) {
  const server = await startServer(store)
  const settings = (await (
    await fetch(`${server.url}/v1/settings`, {
      headers: { authorization: `Bearer ${server.apiKey}` },
    })
  ).json()) as { projectId: string }
  const http = new HttpPool(server.url, { connections: clients, pipelining: 1 })
  const headers = { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' }
  const post = async (path: string, body: string) => {
    const res = await http.request({ method: 'POST', path, headers, body })
    await res.body.dump()
    if (res.statusCode !== 202) throw new Error(`${path} answered ${res.statusCode}`)
  }
  const single = JSON.stringify(event)
  const batch = JSON.stringify({ events: Array.from({ length: batchSize }, () => event) })
  try {
    await timed(clients, 1, async () => (await post('/v1/events', single), 1)) // warm-up
    const apiSingle = await timed(
      clients,
      seconds,
      async () => (await post('/v1/events', single), 1),
    )
    const apiBatch = await timed(
      4,
      seconds,
      async () => (await post('/v1/events/batch', batch), batchSize),
    )
    await server.stop()
    const raw = store.url
      ? await rawPostgres(store.url, settings.projectId)
      : await rawPglite(settings.projectId)
    const rawSingle = await timed(clients, seconds, async () => (await raw.single(), 1))
    const rawBatch = await timed(4, seconds, async () => (await raw.batch(batchSize), batchSize))
    await raw.close()
    return { apiSingle, apiBatch, rawSingle, rawBatch }
  } finally {
    await http.close()
    if (server.child.exitCode === null) await server.stop()
  }
}

const rows: Record<string, string | number>[] = []
const stores = (process.env.BENCH_STORES ?? 'postgres,pglite').split(',')
for (const kind of stores) {
  const store = await freshStore(kind === 'postgres' ? baseUrl : null)
  try {
    const m = await measure(store)
    const fmt = (n: number) => Math.round(n)
    rows.push(
      {
        store: kind,
        what: `raw single-row INSERT, ${clients} clients`,
        'events/s': fmt(m.rawSingle.perSecond),
        'p50 ms': m.rawSingle.p50.toFixed(2),
        'p99 ms': m.rawSingle.p99.toFixed(2),
        ratio: '1.00 (baseline)',
      },
      {
        store: kind,
        what: `POST /v1/events, ${clients} clients`,
        'events/s': fmt(m.apiSingle.perSecond),
        'p50 ms': m.apiSingle.p50.toFixed(2),
        'p99 ms': m.apiSingle.p99.toFixed(2),
        ratio: (m.apiSingle.perSecond / m.rawSingle.perSecond).toFixed(2) + ' (target >= 0.50)',
      },
      {
        store: kind,
        what: `raw unnest INSERT of ${batchSize}, 4 clients`,
        'events/s': fmt(m.rawBatch.perSecond),
        'p50 ms': m.rawBatch.p50.toFixed(2),
        'p99 ms': m.rawBatch.p99.toFixed(2),
        ratio: '1.00 (baseline)',
      },
      {
        store: kind,
        what: `POST /v1/events/batch of ${batchSize}, 4 clients`,
        'events/s': fmt(m.apiBatch.perSecond),
        'p50 ms': m.apiBatch.p50.toFixed(2),
        'p99 ms': m.apiBatch.p99.toFixed(2),
        ratio: (m.apiBatch.perSecond / m.rawBatch.perSecond).toFixed(2) + ' (target >= 50,000/s)',
      },
    )
  } finally {
    await store.drop()
  }
}
await report('ingest', rows)
