/**
 * bench/deliver: sustained deliveries/s to a local receiver (its own process) beside, in the same
 * run, (a) raw undici POSTs to the same receiver and (b) a pg-boss baseline (one job per delivery,
 * undici POST, pg-boss retries); then latency, fan-out, hanging destinations and held deliveries.
 *
 *   npm run bench:deliver                       # PostgreSQL at $DATABASE_URL (default local), then PGlite
 *   BENCH_STORES=postgres npm run bench:deliver # one store only
 *   BENCH_HELD_SECONDS=90                       # how long (g) may ingest held deliveries (max 1,000,000)
 *
 * Targets (issue 3): >= 50 % of raw POST, >= 3x pg-boss, p50 <= 10 ms / p99 <= 50 ms ingest->received
 * at 1,000 events/s, 1 event to 1,000 destinations within 1 s, healthy p99 with half the
 * destinations hanging within 2x of all-healthy, 1,000,000 held deliveries under 300 MB RSS.
 */
import PgBoss from 'pg-boss'
import pg from 'pg'
import { Pool as HttpPool } from 'undici'
import {
  api,
  freshStore,
  printWorstPerSecond,
  report,
  rssMb,
  sleep,
  startReceiver,
  startServer,
  timed,
  waitUntil,
  type Receiver,
  type RunningServer,
  type Store,
  benchEvent,
  benchEventData,
} from './lib.ts'

const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const stores = (process.env.BENCH_STORES ?? 'postgres,pglite').split(',')
const rawSeconds = Number(process.env.BENCH_SECONDS ?? 8)
const heldSeconds = Number(process.env.BENCH_HELD_SECONDS ?? 90)
const heldTarget = 1_000_000

const data = benchEventData
const event = benchEvent
// What the standard format sends for `event`, so the baselines post the same size.
const wireBody = JSON.stringify({
  id: '019a0000-0000-7000-8000-000000000000',
  type: 'record.created',
  timestamp: new Date().toISOString(),
  data,
})

type Row = Record<string, string | number>
const rows: Row[] = []
const fmt = (n: number) => Math.round(n)
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN

interface Stats {
  ok: number
  hung: number
}

async function okCount(receiver: Receiver): Promise<number> {
  return (await receiver.get<Stats>('/stats')).ok
}

/** Waits until the receiver has seen `n` 200s or `timeoutMs` passes; returns the elapsed seconds and count. */
async function untilReceived(receiver: Receiver, n: number, started: number, timeoutMs: number) {
  let seen = 0
  await waitUntil(async () => (seen = await okCount(receiver)) >= n, timeoutMs, 20)
  return { seconds: (performance.now() - started) / 1000, seen }
}

/** (a) raw undici POSTs, 32 concurrent. */
async function rawPost(receiver: Receiver) {
  await receiver.reset(false)
  const pool = new HttpPool(receiver.url, { connections: 32 })
  const post = async () => {
    const res = await pool.request({
      method: 'POST',
      path: '/ok/raw',
      headers: { 'content-type': 'application/json', 'webhook-id': 'raw' },
      body: wireBody,
    })
    await res.body.dump()
    return 1
  }
  await timed(32, 1, post)
  const r = await timed(32, rawSeconds, post)
  await pool.close()
  return r
}

/** (b) pg-boss: one job per delivery, 8 workers x batch of 32, undici POST, pg-boss retries. */
async function pgBoss(receiver: Receiver, url: string, n: number) {
  await receiver.reset(false)
  const boss = new PgBoss({ connectionString: url, max: 12 })
  boss.on('error', (err) => console.error('pg-boss:', err.message))
  await boss.start()
  const queue = 'deliveries'
  await boss.createQueue(queue)
  const pool = new HttpPool(receiver.url, { connections: 256 })
  for (let w = 0; w < 8; w++) {
    await boss.work<{ id: string }>(
      queue,
      { batchSize: 32, pollingIntervalSeconds: 0.5 },
      async (jobs) => {
        await Promise.all(
          jobs.map(async (job) => {
            const res = await pool.request({
              method: 'POST',
              path: '/ok/boss',
              headers: { 'content-type': 'application/json', 'webhook-id': job.id },
              body: wireBody,
              headersTimeout: 15_000,
              bodyTimeout: 15_000,
            })
            await res.body.dump()
            if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`${res.statusCode}`)
          }),
        )
      },
    )
  }
  const started = performance.now()
  // Publish like an ingest API would: 1,000 jobs per insert, as fast as it goes.
  const publishing = (async () => {
    for (let i = 0; i < n; i += 1000) {
      await boss.insert(
        Array.from({ length: Math.min(1000, n - i) }, () => ({
          name: queue,
          data: { id: 'x', body: wireBody },
          retryLimit: 7,
          retryDelay: 5,
          retryBackoff: true,
        })),
      )
    }
  })()
  const done = await untilReceived(receiver, n, started, 120_000)
  await publishing
  await boss.stop({ graceful: false, wait: true, timeout: 5000 }).catch(() => {})
  await pool.close()
  return { perSecond: done.seen / done.seconds, ...done }
}

async function main(kind: string, receiver: Receiver, store: Store) {
  let server = await startServer(store)
  // A start over an existing database prints no key: the first one serves every process.
  const apiKey = server.apiKey
  let call = api(server.url, apiKey)
  let http = new HttpPool(server.url, { connections: 8 })
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }
  const publish = async (events: unknown[]): Promise<string[]> => {
    const res = await http.request({
      method: 'POST',
      path: '/v1/events/batch',
      headers,
      body: JSON.stringify({ events }),
    })
    const text = await res.body.text()
    if (res.statusCode !== 202) throw new Error(`batch answered ${res.statusCode}: ${text}`)
    return (JSON.parse(text) as { data: { id: string }[] }).data.map((e) => e.id)
  }
  const created: string[] = []
  const createDestinations = async (specs: Record<string, unknown>[]) => {
    const ids: string[] = []
    for (let i = 0; i < specs.length; i += 20) {
      const chunk = await Promise.all(
        specs
          .slice(i, i + 20)
          .map((spec) =>
            call<{ id: string }>('POST', '/v1/destinations', { events: ['*'], ...spec }),
          ),
      )
      ids.push(...chunk.map((d) => d.id))
    }
    created.push(...ids)
    return ids
  }
  const deleteAll = async () => {
    for (let i = 0; i < created.length; i += 20)
      await Promise.all(
        created.slice(i, i + 20).map((id) => call('DELETE', `/v1/destinations/${id}`)),
      )
    created.length = 0
  }
  const batchOf = (n: number) => Array.from({ length: n }, () => event)
  const store_ = kind

  try {
    // (c) sustained deliveries/s: 10 destinations x maxConcurrency 100 on one receiver.
    console.error(`[${kind}] phase (c)`)
    const destinations = 10
    const sustainedEvents = kind === 'postgres' ? 6000 : 3000
    const sustained = sustainedEvents * destinations
    await createDestinations(
      Array.from({ length: destinations }, (_, i) => ({
        url: `${receiver.url}/ok/d${i}`,
        maxConcurrency: 100,
      })),
    )
    // Warm-up: one batch through, then measure.
    await receiver.reset(false)
    await publish(batchOf(100))
    await untilReceived(receiver, 100 * destinations, performance.now(), 30_000)
    await receiver.reset(false)
    let started = performance.now()
    const publishing = (async () => {
      for (let i = 0; i < sustainedEvents; i += 500) await publish(batchOf(500))
    })()
    const sy = await untilReceived(receiver, sustained, started, 120_000)
    await publishing
    const syPerSecond = sy.seen / sy.seconds
    await deleteAll()

    // (d) ingest -> received latency at 1,000 events/s (a batch of 10 every 10 ms) for 10 s.

    console.error(`[${kind}] phase (d)`)
    const [latDest] = await createDestinations([{ url: `${receiver.url}/ok/lat` }])
    void latDest
    const paced = async (seconds: number, perTick: number, tickMs: number) => {
      await receiver.reset(true)
      const sentAt = new Map<string, number>()
      const inFlight: Promise<void>[] = []
      const t0 = performance.now()
      for (let tick = 0; tick < (seconds * 1000) / tickMs; tick++) {
        const due = t0 + tick * tickMs
        const wait = due - performance.now()
        if (wait > 0) await sleep(wait)
        const at = performance.timeOrigin + performance.now()
        inFlight.push(
          publish(batchOf(perTick)).then((ids) => {
            for (const id of ids) sentAt.set(id, at)
          }),
        )
      }
      await Promise.all(inFlight)
      return sentAt
    }
    const latencies = async (
      sentAt: Map<string, number>,
      expected: number,
      filter: (dest: string) => boolean,
    ) => {
      await waitUntil(async () => (await okCount(receiver)) >= expected, 30_000, 50)
      const records = await receiver.get<[string, string, string, number][]>('/records')
      const mine = records.filter((r) => filter(r[1]) && sentAt.has(r[0]))
      printWorstPerSecond(
        'paced',
        mine.map((r) => [sentAt.get(r[0])!, r[3] - sentAt.get(r[0])!]),
      )
      const l = mine.map((r) => r[3] - sentAt.get(r[0])!).sort((a, b) => a - b)
      return { n: l.length, p50: pct(l, 0.5), p99: pct(l, 0.99), max: l.at(-1) ?? NaN }
    }
    const latSent = await paced(10, 10, 10)
    const lat = await latencies(latSent, latSent.size, () => true)
    await deleteAll()

    // (e) one event to 1,000 destinations.

    console.error(`[${kind}] phase (e)`)
    await createDestinations(
      Array.from({ length: 1000 }, (_, i) => ({ url: `${receiver.url}/ok/f${i}` })),
    )
    const fanOut: number[] = []
    for (let round = 0; round < 3; round++) {
      await receiver.reset(false)
      started = performance.now()
      await publish([event])
      const r = await untilReceived(receiver, 1000, started, 30_000)
      fanOut.push(r.seen >= 1000 ? r.seconds * 1000 : Infinity)
    }
    await deleteAll()

    // (f) healthy p99 with half of 10 destinations hanging (timeout 1 s), vs all healthy; 200 events/s.

    console.error(`[${kind}] phase (f)`)
    const healthy = (dest: string) => dest.startsWith('h')
    await createDestinations(
      Array.from({ length: 10 }, (_, i) => ({ url: `${receiver.url}/ok/h${i}`, timeoutMs: 1000 })),
    )
    const allSent = await paced(10, 2, 10)
    const allHealthy = await latencies(allSent, allSent.size * 10, healthy)
    await deleteAll()
    await createDestinations([
      ...Array.from({ length: 5 }, (_, i) => ({
        url: `${receiver.url}/ok/h${i}`,
        timeoutMs: 1000,
      })),
      ...Array.from({ length: 5 }, (_, i) => ({
        url: `${receiver.url}/hang/x${i}`,
        timeoutMs: 1000,
      })),
    ])
    const halfSent = await paced(10, 2, 10)
    const halfHung = await latencies(halfSent, halfSent.size * 5, healthy)
    const hungStats = await receiver.get<Stats>('/stats')
    await deleteAll()
    await receiver.reset(false) // closes the hanging requests

    // (g) held deliveries: one disabled destination, batches of 1,000 events for up to heldSeconds.
    // In a fresh process over the same database: V8 keeps the heap pages a process once needed
    // pooled and resident (a last-resort GC would return them), so the process that ran (c)-(f)
    // carries their peak. That figure is reported beside; (g) asks what the backlog itself costs.
    const rssAfterLoad = await rssMb(server.child.pid!)
    await http.close()
    await stopQuickly(server)
    server = await startServer(store)
    call = api(server.url, apiKey)
    http = new HttpPool(server.url, { connections: 8 })

    console.error(`[${kind}] phase (g)`)
    const [heldDest] = await createDestinations([{ url: `${receiver.url}/ok/held` }])
    await call('POST', `/v1/destinations/${heldDest}/disable`, {})
    let held = 0
    let peakRss = await rssMb(server.child.pid!)
    const rssBefore = peakRss
    const heldDeadline = performance.now() + heldSeconds * 1000
    started = performance.now()
    const sampler = setInterval(() => {
      void rssMb(server.child.pid!).then((r) => (peakRss = Math.max(peakRss, r)))
    }, 250)
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (held < heldTarget && performance.now() < heldDeadline) {
          held += 1000
          await publish(batchOf(1000))
        }
      }),
    )
    const heldRate = held / ((performance.now() - started) / 1000)
    await sleep(1000)
    const rssHeld = await rssMb(server.child.pid!)
    let heldCount: number | string = 'n/a (PGlite is in the server process)'
    if (store.url) {
      const c = new pg.Client({ connectionString: store.url })
      await c.connect()
      heldCount = Number(
        (await c.query(`select count(*)::int as n from deliveries where status = 'held'`)).rows[0]
          .n,
      )
      await c.end()
    }
    // Then enable it: the held deliveries become pending and the dispatcher works on them.
    await receiver.reset(false)
    await call('POST', `/v1/destinations/${heldDest}/enable`, {})
    const drainStart = performance.now()
    let drainPeak = 0
    while (performance.now() - drainStart < 20_000) {
      drainPeak = Math.max(drainPeak, await rssMb(server.child.pid!))
      await sleep(250)
    }
    const drained = await okCount(receiver)
    clearInterval(sampler)

    rows.push(
      {
        store: store_,
        what: '(c) Switchyard deliveries/s (10 dests, batch ingest)',
        value: fmt(syPerSecond),
        note: `${sy.seen} of ${sustained} delivered in ${sy.seconds.toFixed(1)} s`,
      },
      {
        store: store_,
        what: '(d) ingest->received at 1,000 events/s, 10 s',
        value: `p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms`,
        note: `n=${lat.n}, max ${lat.max.toFixed(0)} ms (targets 10 / 50 ms)`,
      },
      {
        store: store_,
        what: '(e) 1 event to 1,000 destinations, all received',
        value: fanOut.map((ms) => `${fmt(ms)} ms`).join(', '),
        note: 'three rounds (target <= 1000 ms)',
      },
      {
        store: store_,
        what: '(f) healthy p99, 10 healthy dests, 200 events/s',
        value: `p50 ${allHealthy.p50.toFixed(1)} ms, p99 ${allHealthy.p99.toFixed(1)} ms`,
        note: `n=${allHealthy.n}`,
      },
      {
        store: store_,
        what: '(f) healthy p99, 5 healthy + 5 hanging (timeout 1 s)',
        value: `p50 ${halfHung.p50.toFixed(1)} ms, p99 ${halfHung.p99.toFixed(1)} ms`,
        note: `n=${halfHung.n}, ${hungStats.hung} hung requests; p99 ratio ${(halfHung.p99 / allHealthy.p99).toFixed(2)}x (target <= 2x)`,
      },
      {
        store: store_,
        what: `(g) held deliveries ingested in <= ${heldSeconds} s`,
        value: held,
        note: `${fmt(heldRate)}/s; held rows counted: ${heldCount}`,
      },
      {
        store: store_,
        what: '(g) RSS of the process that ran (c)-(f), before (g)',
        value: `${rssAfterLoad.toFixed(0)} MB`,
        note: 'V8 keeps freed heap pages pooled; (g) runs in a fresh process on the same database',
      },
      {
        store: store_,
        what: '(g) server RSS with them held',
        value: `${rssHeld.toFixed(0)} MB`,
        note: `before ${rssBefore.toFixed(0)} MB, peak while ingesting ${peakRss.toFixed(0)} MB (target < 300 MB)`,
      },
      {
        store: store_,
        what: '(g) server RSS, 20 s after enabling (dispatching)',
        value: `${drainPeak.toFixed(0)} MB peak`,
        note: `${drained} delivered in those 20 s`,
      },
    )
    return syPerSecond
  } finally {
    await http.close()
    if (server.child.exitCode === null) await stopQuickly(server)
  }
}

async function stopQuickly(server: RunningServer) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.kill('SIGTERM')
  const t = setTimeout(() => server.child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(t)
}

const receiver = await startReceiver()
try {
  for (const kind of stores) {
    const store = await freshStore(kind === 'postgres' ? baseUrl : null)
    try {
      const raw = await rawPost(receiver)
      let boss: Awaited<ReturnType<typeof pgBoss>> | null = null
      if (store.url) boss = await pgBoss(receiver, store.url, 20_000)
      const sy = await main(kind, receiver, store)
      rows.splice(
        rows.length - 9,
        0,
        {
          store: kind,
          what: '(a) raw undici POST, 32 concurrent',
          value: fmt(raw.perSecond),
          note: `p50 ${raw.p50.toFixed(2)} ms, p99 ${raw.p99.toFixed(2)} ms`,
        },
        ...(boss
          ? [
              {
                store: kind,
                what: '(b) pg-boss, job per delivery, 8 workers x batch 32',
                value: fmt(boss.perSecond),
                note: `${boss.seen} in ${boss.seconds.toFixed(1)} s`,
              },
            ]
          : []),
        {
          store: kind,
          what: 'ratio Switchyard / raw POST',
          value: (sy / raw.perSecond).toFixed(2),
          note: 'target >= 0.50',
        },
        ...(boss
          ? [
              {
                store: kind,
                what: 'ratio Switchyard / pg-boss',
                value: (sy / boss.perSecond).toFixed(2),
                note: 'target >= 3',
              },
            ]
          : []),
      )
    } finally {
      await store.drop()
    }
    // After each store, so a later store's failure keeps the earlier figures.
    await report('deliver', rows)
  }
} finally {
  await receiver.stop()
}
