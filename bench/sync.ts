/**
 * bench/sync: records/s through POST /v1/syncs/:id/runs/:runId/records, pages of 1,000:
 * an INITIAL run of 100,000 records, then INCREMENTAL runs re-sending all of them with 1 %
 * changed. Beside them, in the same run, the store's floor: raw unnest INSERTs of the same
 * rows (PostgreSQL only; PGlite runs inside the server process).
 *
 *   npm run bench:sync                          # PostgreSQL at $DATABASE_URL (default local), then PGlite
 *   BENCH_STORES=postgres BENCH_RECORDS=200000 npm run bench:sync
 *
 * Targets (issue 5): >= 20,000 records/s initial; unchanged records >= 50,000/s.
 */
import pg from 'pg'
import { Pool as HttpPool } from 'undici'
import { v4 as uuidv4 } from 'uuid'
import { api, freshStore, report, startServer, type Store } from './lib.ts'

const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const stores = (process.env.BENCH_STORES ?? 'postgres,pglite').split(',')
const total = Number(process.env.BENCH_RECORDS ?? 100_000)
const pageSize = 1000
// Pages of one sync serialise on its lock; two in flight overlap one's HTTP with the other's SQL.
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 2)

/** A Google Drive file's metadata, about 400 bytes of JSON. */
function record(i: number, version: number) {
  return {
    externalId: `file-${i}`,
    name: `report-${i}.pdf`,
    mimeType: 'application/pdf',
    data: {
      id: `file-${i}`,
      name: `report-${i}.pdf`,
      mimeType: 'application/pdf',
      parents: ['0AJx-folder'],
      owners: [{ displayName: 'Ada Lovelace', emailAddress: 'ada@example.com' }],
      modifiedTime: new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString(),
      size: String(1000 + i),
      version,
      webViewLink: `https://drive.example.com/file/d/file-${i}/view`,
    },
  }
}

function pages(version: (i: number) => number): string[] {
  return Array.from({ length: total / pageSize }, (_, p) =>
    JSON.stringify({
      records: Array.from({ length: pageSize }, (_, k) =>
        record(p * pageSize + k, version(p * pageSize + k)),
      ),
      errors: [],
    }),
  )
}

async function measure(store: Store) {
  const server = await startServer(store)
  const call = api(server.url, server.apiKey)
  const http = new HttpPool(server.url, { connections: inFlight })
  const push = async (syncId: string, runId: string, bodies: string[]) => {
    const totals = { created: 0, updated: 0, unchanged: 0 }
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!
          const res = await http.request({
            method: 'POST',
            path: `/v1/syncs/${syncId}/runs/${runId}/records`,
            headers: {
              authorization: `Bearer ${server.apiKey}`,
              'content-type': 'application/json',
            },
            body,
          })
          const text = await res.body.text()
          if (res.statusCode !== 200) throw new Error(`page answered ${res.statusCode}: ${text}`)
          const r = JSON.parse(text) as typeof totals
          totals.created += r.created
          totals.updated += r.updated
          totals.unchanged += r.unchanged
        }
      }),
    )
    return {
      ...totals,
      perSecond: (bodies.length * pageSize) / ((performance.now() - started) / 1000),
    }
  }
  const run = async (syncId: string, type: string, bodies: string[]) => {
    const { id } = await call<{ id: string }>('POST', `/v1/syncs/${syncId}/runs`, { type })
    const result = await push(syncId, id, bodies)
    await call('POST', `/v1/syncs/${syncId}/runs/${id}/complete`, {})
    return result
  }
  try {
    const sync = await call<{ id: string }>('POST', '/v1/syncs', {
      integration: 'googledrive',
      pipeline: 'files',
      userId: 'user_bench',
      credentialId: uuidv4(),
    })
    const initial = await run(
      sync.id,
      'INITIAL',
      pages(() => 1),
    )
    // 1 % changed: every 100th record gets a new version, on each incremental pass.
    const incremental = await run(
      sync.id,
      'INCREMENTAL',
      pages((i) => (i % 100 === 0 ? 2 : 1)),
    )
    const unchangedOnly = await run(
      sync.id,
      'INCREMENTAL',
      pages((i) => (i % 100 === 0 ? 2 : 1)),
    )
    let raw: number | null = null
    if (store.url) {
      const scratch = await call<{ id: string }>('POST', '/v1/syncs', {
        integration: 'googledrive',
        pipeline: 'files',
        userId: 'user_bench_raw',
        credentialId: uuidv4(),
      })
      raw = await rawInsert(
        store.url,
        scratch.id,
        pages(() => 1),
      )
    }
    return { initial, incremental, unchangedOnly, raw }
  } finally {
    await http.close()
    await server.stop()
  }
}

/** The floor: the same rows into sync_records by unnest, pages of 1,000, two clients. */
async function rawInsert(url: string, syncId: string, bodies: string[]): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: inFlight })
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < bodies.length) {
        const page = JSON.parse(bodies[next++]!) as { records: ReturnType<typeof record>[] }
        const rows = page.records
        await pool.query(
          `insert into sync_records (id, sync_id, external_id, seq, deleted, name, mime_type, data, synced_at)
           select id, $2, external_id, 0, false, name, mime_type, data, now()
           from unnest($1::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) as t(id, external_id, name, mime_type, data)`,
          [
            rows.map(() => uuidv4()),
            syncId,
            rows.map((r) => r.externalId),
            rows.map((r) => r.name),
            rows.map((r) => r.mimeType),
            rows.map((r) => JSON.stringify(r.data)),
          ],
        )
      }
    }),
  )
  const perSecond = (bodies.length * pageSize) / ((performance.now() - started) / 1000)
  await pool.end()
  return perSecond
}

const rows: Record<string, string | number>[] = []
for (const kind of stores) {
  const store = await freshStore(kind === 'postgres' ? baseUrl : null)
  try {
    console.error(`[${kind}] measuring ${total.toLocaleString('en-US')} records`)
    const m = await measure(store)
    const base = m.raw
    const ratio = (n: number) => (base ? (n / base).toFixed(2) : 'n/a')
    if (base)
      rows.push({
        store: kind,
        what: 'raw unnest INSERT of the same rows (floor)',
        'records/s': Math.round(base),
        outcome: `${total} inserted`,
        ratio: '1.00 (baseline)',
        target: '',
      })
    rows.push(
      {
        store: kind,
        what: 'INITIAL run, pages of 1,000',
        'records/s': Math.round(m.initial.perSecond),
        outcome: `${m.initial.created} created`,
        ratio: ratio(m.initial.perSecond),
        target: '>= 20,000/s',
      },
      {
        store: kind,
        what: 'INCREMENTAL run, 1 % changed',
        'records/s': Math.round(m.incremental.perSecond),
        outcome: `${m.incremental.updated} updated, ${m.incremental.unchanged} unchanged`,
        ratio: ratio(m.incremental.perSecond),
        target: '>= 50,000/s',
      },
      {
        store: kind,
        what: 'INCREMENTAL run again, nothing changed',
        'records/s': Math.round(m.unchangedOnly.perSecond),
        outcome: `${m.unchangedOnly.updated} updated, ${m.unchangedOnly.unchanged} unchanged`,
        ratio: ratio(m.unchangedOnly.perSecond),
        target: '>= 50,000/s',
      },
    )
  } finally {
    await store.drop()
  }
}
await report('sync', rows)
