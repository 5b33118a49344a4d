/**
 * bench/fan-out-filters: what destination filters cost the fan-out. POST /v1/events/batch of
 * 1,000 record.created events into a project with 10 destinations that take them: unfiltered,
 * each with a userId filter (half the events match), each with a payload expression (half
 * match), or each with one every event matches (the rows of `none` plus the evaluation).
 * Same store kind, same run, API role only (no dispatch).
 *
 *   node bench/fan-out-filters.ts                     # PostgreSQL at $DATABASE_URL (default local)
 *   BENCH_STORES=pglite BENCH_ROUNDS=10 node bench/fan-out-filters.ts
 */
import { benchEventData, freshStore, startServer } from './lib.ts'

const rounds = Number(process.env.BENCH_ROUNDS ?? 20)
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const stores = (process.env.BENCH_STORES ?? 'postgres').split(',')

const filters: Record<string, Record<string, unknown> | null> = {
  none: null,
  userId: { userId: 'user_even' },
  payload: { payload: '$.userId == "user_even" and $.data.model == "files"' },
  // Every event matches: the same 10,000 rows as `none`, plus evaluating the expression.
  payloadAll: { payload: '$.data.model == "files" and exists($.data.recordId)' },
}

for (const kind of stores) {
  for (const [mode, filter] of Object.entries(filters)) {
    const store = await freshStore(kind === 'postgres' ? baseUrl : null)
    const server = await startServer(store, { SWITCHYARD_ROLE: 'api' })
    const call = async (path: string, body: unknown) => {
      const res = await fetch(server.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`)
    }
    for (let i = 0; i < 10; i++)
      await call('/v1/destinations', {
        url: `http://127.0.0.1:9/${i}`,
        events: ['record.created'],
        ...(filter ? { filter } : {}),
      })
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      type: 'record.created',
      userId: i % 2 === 0 ? 'user_even' : 'user_odd',
      data: benchEventData,
    }))
    const times: number[] = []
    for (let r = 0; r < rounds + 2; r++) {
      const started = performance.now()
      await call('/v1/events/batch', { events: batch })
      if (r >= 2) times.push(performance.now() - started) // two warm-up rounds
    }
    times.sort((a, b) => a - b)
    const p50 = times[Math.floor(times.length / 2)]!
    console.log(
      `${kind} ${mode.padEnd(10)} batch of 1,000 → 10 destinations: p50 ${p50.toFixed(1)} ms, ` +
        `${Math.round(1000 / (p50 / 1000))} events/s (${rounds} rounds)`,
    )
    await server.stop()
    await store.drop()
  }
}
