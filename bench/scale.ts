/**
 * bench/scale: many processes on one PostgreSQL (issue 32, item 2). For 1, 2 and 3 worker
 * processes (`SWITCHYARD_ROLE=worker`) beside 2 API processes (`SWITCHYARD_ROLE=api`), on a
 * fresh database each time:
 *
 *  1. burst: N events published through both API processes at once, fanned out to D
 *     destinations; deliveries/s from the first publish to the last receipt, CPU per delivery
 *     (every Switchyard process + PostgreSQL's backends of the database);
 *  2. paced: R events/s for S seconds; ingest→received p50/p99 (the receiver reads the
 *     acceptance time from each body's UUIDv7 event id);
 *  3. with BENCH_KILL (default on), a last run at the largest worker count with one worker
 *     SIGKILLed halfway through the burst: nothing may be lost; duplicates are reported (a killed
 *     worker's sends in flight are sent again when their leases end: at-least-once).
 *
 * Every delivery goes to bench/signed-receiver.ts, which verifies each signature and counts
 * unique `webhook-id`s and duplicates. A run fails loudly if any delivery is missing, or if a
 * run without a killed process sent anything twice.
 *
 *   npm run bench:scale                              # N=5,000 events x D=10 destinations
 *   BENCH_N=3000 BENCH_WORKERS=1,2 npm run bench:scale
 *   BENCH_DESTINATIONS=1 BENCH_RATE=200 BENCH_PACED_SECONDS=10 BENCH_KILL=0
 */
import os from 'node:os'
import { Pool as HttpPool } from 'undici'
import { processCpu, watchDatabaseCpu } from './cpu.ts'
import {
  api,
  benchEvent,
  freshStore,
  report,
  sleep,
  startLocalServer,
  startServer,
  waitUntil,
  type RunningServer,
} from './lib.ts'

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const events = Number(process.env.BENCH_N ?? 5_000)
const destinations = Number(process.env.BENCH_DESTINATIONS ?? 10)
const workerCounts = (process.env.BENCH_WORKERS ?? '1,2,3').split(',').map(Number)
const rate = Number(process.env.BENCH_RATE ?? 100)
const pacedSeconds = Number(process.env.BENCH_PACED_SECONDS ?? 10)
const killOne = process.env.BENCH_KILL !== '0'
const batch = 100

interface Stats {
  ok: number
  unique: number
  bad: number
  duplicates: number
  latency: { p50: number; p99: number; count: number } | null
}

const receiver = await startLocalServer(new URL('./signed-receiver.ts', import.meta.url).pathname)
const stats = async () => (await (await fetch(receiver.url + '/stats')).json()) as Stats
const resetReceiver = () => fetch(receiver.url + '/reset', { method: 'POST' })

interface Cluster {
  apis: RunningServer[]
  workers: RunningServer[]
  publish: (count: number) => Promise<void>
  cpuSeconds: () => number
  stop: () => Promise<void>
}

async function startCluster(workerCount: number, database: string, url: string): Promise<Cluster> {
  const store = { kind: 'postgres' as const, url, dataDir: os.tmpdir(), drop: async () => {} }
  // One at a time: the first start migrates and creates the project (its banner has the key).
  const first = await startServer(store, { SWITCHYARD_ROLE: 'api' })
  const apis = [first, await startServer(store, { SWITCHYARD_ROLE: 'api' })]
  const workers: RunningServer[] = []
  for (let i = 0; i < workerCount; i++)
    workers.push(await startServer(store, { SWITCHYARD_ROLE: 'worker' }))
  const call = api(first.url, first.apiKey)
  const secrets: Record<string, string> = {}
  for (let d = 0; d < destinations; d++) {
    const dest = await call<{ secret: string }>('POST', '/v1/destinations', {
      url: `${receiver.url}/${database}d${d}/hook`,
      events: ['*'],
    })
    secrets[`${database}d${d}`] = dest.secret
  }
  await fetch(receiver.url + '/secrets', { method: 'POST', body: JSON.stringify(secrets) })
  const pools = apis.map((a) => new HttpPool(a.url, { connections: 4 }))
  let next = 0
  // One batch through the next API process in turn.
  const publish = async (count: number) => {
    const pool = pools[next++ % pools.length]!
    const res = await pool.request({
      method: 'POST',
      path: '/v1/events/batch',
      headers: { authorization: `Bearer ${first.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: Array.from({ length: count }, () => benchEvent),
      }),
    })
    const text = await res.body.text()
    if (res.statusCode !== 202) throw new Error(`batch answered ${res.statusCode}: ${text}`)
  }
  const all = [...apis, ...workers]
  const cpus = all.map((s) => processCpu(s.child.pid!))
  return {
    apis,
    workers,
    publish,
    // A killed process's CPU counts up to its last sample (run() samples every 250 ms).
    cpuSeconds: () => cpus.reduce((sum, read) => sum + read(), 0),
    stop: async () => {
      await Promise.all(pools.map((p) => p.close()))
      await Promise.all(
        all.filter((s) => s.child.exitCode === null && !s.child.killed).map((s) => s.stop()),
      )
    },
  }
}

async function run(workerCount: number, kill: boolean) {
  const store = await freshStore(adminUrl)
  const database = new URL(store.url!).pathname.slice(1)
  const cluster = await startCluster(workerCount, database, store.url!)
  try {
    // Warm-up: connections, plans, the JIT; not measured.
    await resetReceiver()
    for (let i = 0; i < 10; i++) await cluster.publish(batch)
    await waitUntil(async () => (await stats()).unique >= 10 * batch * destinations, 120_000)

    await resetReceiver()
    const expected = Math.ceil(events / batch) * batch * destinations
    const database$ = await watchDatabaseCpu(adminUrl, database)
    const cpuBefore = cluster.cpuSeconds()
    // Sampled while it runs, so a worker killed mid-run keeps the CPU it spent until then.
    const sampling = setInterval(() => cluster.cpuSeconds(), 250)
    const started = performance.now()
    let killed = false
    // Two publishers, one per API process.
    const publishing = Promise.all(
      [0, 1].map(async (lane) => {
        for (let i = lane * batch; i < events; i += 2 * batch) {
          await cluster.publish(batch)
          if (kill && !killed && i >= events / 2) {
            killed = true
            cluster.workers[0]!.child.kill('SIGKILL')
          }
        }
      }),
    )
    let last = await stats()
    // A killed worker's leased rows wait out their lease; allow for it.
    const received = await waitUntil(
      async () => (last = await stats()).unique >= expected,
      Math.max(300_000, expected * 5),
      50,
    )
    const seconds = (performance.now() - started) / 1000
    await publishing
    clearInterval(sampling)
    const serverUs = ((cluster.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, last.unique)
    const postgresUs = ((await database$.stop()) * 1e6) / Math.max(1, last.unique)
    const burst = last

    let paced: Stats | null = null
    if (!kill && pacedSeconds > 0) {
      await resetReceiver()
      // Every 100 ms a tenth of a second's events, alternating API processes.
      const perTick = Math.max(1, Math.round(rate / 10))
      const ticks = pacedSeconds * 10
      const t0 = performance.now()
      for (let t = 0; t < ticks; t++) {
        await cluster.publish(perTick)
        const wait = t0 + (t + 1) * 100 - performance.now()
        if (wait > 0) await sleep(wait)
      }
      await waitUntil(
        async () => (paced = await stats()).unique >= ticks * perTick * destinations,
        120_000,
      )
    }
    return {
      workers: workerCount,
      run: kill ? 'burst, one worker SIGKILLed halfway' : 'burst',
      'deliveries/s': Math.round(burst.unique / seconds),
      'burst p99 ms': burst.latency ? Math.round(burst.latency.p99) : '-',
      'server µs': Math.round(serverUs),
      'postgres µs': Math.round(postgresUs),
      lost: received ? 0 : expected - burst.unique,
      duplicates: burst.duplicates,
      bad: burst.bad,
      [`paced ${rate}/s p50 ms`]: paced ? Math.round((paced as Stats).latency?.p50 ?? 0) : '-',
      [`paced ${rate}/s p99 ms`]: paced ? Math.round((paced as Stats).latency?.p99 ?? 0) : '-',
    }
  } finally {
    await cluster.stop()
    await store.drop()
  }
}

const rows: Record<string, string | number>[] = []
try {
  console.log(
    `bench/scale: ${events} events x ${destinations} destination(s), 2 API processes, ` +
      `workers ${workerCounts.join(', ')}; paced ${rate} events/s for ${pacedSeconds} s; ` +
      `loadavg ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`,
  )
  for (const workers of workerCounts) rows.push(await run(workers, false))
  if (killOne) rows.push(await run(Math.max(2, ...workerCounts), true))
} finally {
  await receiver.stop()
}
await report(process.env.BENCH_REPORT ?? 'scale', rows)
const failures = rows.filter(
  (r) => r.lost !== 0 || r.bad !== 0 || (r.run === 'burst' && r.duplicates !== 0),
)
if (failures.length > 0) {
  console.error('FAILED: deliveries lost, unverified, or sent twice without a killed process')
  process.exit(1)
}
