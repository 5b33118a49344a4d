/**
 * bench/deliver-peers: Switchyard beside the queues a user would otherwise build a webhook sender
 * on — graphile-worker, BullMQ (the local Redis) and pg-boss — each tuned by a printed sweep of
 * settings, best kept. Every system delivers the same signed events to one counting receiver
 * that verifies each signature (bench/signed-receiver.ts), and every system's CPU per delivery is
 * read from /proc: its own process, plus PostgreSQL's backends serving its database (a fresh one
 * each), plus the Redis server for BullMQ.
 *
 *   npm run bench:deliver-peers                 # 20,000 deliveries per run
 *   BENCH_N=3000 npm run bench:deliver-peers    # a quick run
 *   BENCH_SYSTEMS=switchyard,graphile-worker    # only these (raw, graphile-worker, bullmq, pg-boss, switchyard)
 *   BENCH_SWEEP=best                            # each peer at its best setting of the last full sweep only
 *   BENCH_SWITCHYARD_ENV="SWITCHYARD_DELIVERY_CLAIM_DEPTH=1"  # Switchyard again with these, beside
 *   BENCH_STORE=pglite                          # Switchyard on the embedded store (peers stay on PostgreSQL)
 *   DATABASE_URL=postgres://…                   # the PostgreSQL server (default local)
 *
 * Every run: the jobs or events are published while the workers run (1,000 jobs per insert, 500
 * events per Switchyard batch), after a warm-up of a tenth of the count; the clock and the CPU
 * counters run from the first publish to the last verified receipt.
 *
 * Targets (issue 31): one destination at default settings >= 1x the fastest peer, ten >= 1.5x;
 * server + PostgreSQL CPU <= 150 µs per delivery at one destination.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import { spawn, type ChildProcess } from 'node:child_process'
import { Queue } from 'bullmq'
import { makeWorkerUtils } from 'graphile-worker'
import PgBoss from 'pg-boss'
import pg from 'pg'
import { Pool as HttpPool } from 'undici'
import { Webhook } from 'standardwebhooks'
import { processCpu, watchDatabaseCpu } from './cpu.ts'
import { watchStatements } from './pg-statements.ts'
import {
  api,
  freshStore,
  report,
  startLocalServer,
  startServer,
  waitUntil,
  type LocalServer,
  benchEvent,
  benchEventData,
} from './lib.ts'

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const n = Number(process.env.BENCH_N ?? 20_000)
const only = process.env.BENCH_SYSTEMS?.split(',')
const bestOnly = process.env.BENCH_SWEEP === 'best'
const wanted = (system: string) => !only || only.includes(system)
const embedded = process.env.BENCH_STORE === 'pglite'

const data = benchEventData
const event = benchEvent

/** The sweeps; the first of each is the best of the last full run (what BENCH_SWEEP=best keeps). */
const sweeps: Record<string, Record<string, number>[]> = {
  'graphile-worker': [
    { concurrency: 512, localQueue: 1000, completeJobBatchDelay: 50 },
    { concurrency: 64 },
    { concurrency: 256, localQueue: 500, completeJobBatchDelay: 10 },
  ],
  bullmq: [{ concurrency: 10 }, { concurrency: 50 }, { concurrency: 200 }],
  'pg-boss': [
    { workers: 4, batchSize: 500 },
    { workers: 16, batchSize: 100 },
    { workers: 8, batchSize: 32 },
  ],
}

interface Run {
  system: string
  settings: string
  perSecond: number
  seconds: number
  /** µs of CPU per delivery */
  process: number
  postgres: number
  redis: number
  total: number
  bad: number
  duplicates: number
  /** With BENCH_PG_STATS: where PostgreSQL's time went (pg-statements.ts). */
  pgStatements?: Awaited<ReturnType<Awaited<ReturnType<typeof watchStatements>>['stop']>>
}

interface Stats {
  ok: number
  unique: number
  bad: number
  duplicates: number
}

const receiver: LocalServer = await startLocalServer(
  new URL('./signed-receiver.ts', import.meta.url).pathname,
)
const stats = async () => (await (await fetch(receiver.url + '/stats')).json()) as Stats
const resetReceiver = () => fetch(receiver.url + '/reset', { method: 'POST' })
const addSecrets = (secrets: Record<string, string>) =>
  fetch(receiver.url + '/secrets', { method: 'POST', body: JSON.stringify(secrets) })
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`
/** The Redis server's pid, from its INFO over a plain socket. */
const redisPid = () =>
  new Promise<number>((resolve, reject) => {
    const socket = net.connect(6379, '127.0.0.1', () => socket.write('INFO server\r\n'))
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk
      const m = /process_id:(\d+)/.exec(text)
      if (!m) return
      resolve(Number(m[1]))
      socket.end()
    })
    socket.on('error', reject)
  })

/** Publishes `count` deliveries with `publish(size)` and measures until all are received. */
async function measure(
  count: number,
  batch: number,
  publish: (size: number) => Promise<void>,
  cpu: { process: number; database: string | null; redis: boolean },
) {
  await resetReceiver()
  const processSeconds = processCpu(cpu.process)
  const database = cpu.database ? await watchDatabaseCpu(adminUrl, cpu.database) : null
  const redisSeconds = cpu.redis ? processCpu(await redisPid()) : () => 0
  const statements =
    process.env.BENCH_PG_STATS && cpu.database
      ? await watchStatements(adminUrl, cpu.database)
      : null
  const started = performance.now()
  const publishing = (async () => {
    for (let i = 0; i < count; i += batch) await publish(Math.min(batch, count - i))
  })()
  let last: Stats = { ok: 0, unique: 0, bad: 0, duplicates: 0 }
  await waitUntil(
    async () => (last = await stats()).unique >= count,
    Math.max(120_000, count * 10),
    20,
  )
  const seconds = (performance.now() - started) / 1000
  await publishing
  const us = (s: number) => (s * 1e6) / Math.max(1, last.unique)
  const processUs = us(processSeconds())
  const postgresUs = database ? us(await database.stop()) : 0
  const redisUs = us(redisSeconds())
  const pgStatements = await statements?.stop(last.unique)
  if (last.unique < count) console.error(`only ${last.unique} of ${count} received`)
  return {
    perSecond: last.unique / seconds,
    seconds,
    process: processUs,
    postgres: postgresUs,
    redis: redisUs,
    total: processUs + postgresUs + redisUs,
    bad: last.bad,
    duplicates: last.duplicates,
    pgStatements,
  }
}

const peerEvent = () => ({ id: randomUUID(), type: event.type, data })

async function startPeer(system: string, settings: Record<string, number>, env: object) {
  const child = spawn(process.execPath, [new URL('./peer-worker.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      ...env,
      PEER_SYSTEM: system,
      PEER_SETTINGS: JSON.stringify(settings),
    },
  })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      if (out.includes('"ready":true')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`${system} worker exited with ${code}`)))
  })
  return child
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(t)
}

/** A publisher per peer: how its users enqueue a delivery job, 1,000 per call. */
async function peerPublisher(system: string, url: string | null, queueName: string) {
  if (system === 'graphile-worker') {
    // Our own pool, with an error handler: graphile-worker's own one had none, and the
    // database's `drop … with (force)` ending an idle client of it crashed the whole bench.
    const pool = new pg.Pool({ connectionString: url! })
    pool.on('error', () => {})
    const utils = await makeWorkerUtils({ pgPool: pool })
    return {
      publish: async (size: number) => {
        await utils.addJobs(
          Array.from({ length: size }, () => ({ identifier: 'deliver', payload: peerEvent() })),
        )
      },
      close: async () => {
        await utils.release()
        await pool.end()
      },
    }
  }
  if (system === 'bullmq') {
    const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: 6379 } })
    const opts = {
      attempts: 7,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    }
    return {
      publish: async (size: number) => {
        await queue.addBulk(
          Array.from({ length: size }, () => ({ name: 'deliver', data: peerEvent(), opts })),
        )
      },
      close: async () => {
        await queue.obliterate({ force: true })
        await queue.close()
      },
    }
  }
  const boss = new PgBoss({ connectionString: url!, max: 2, supervise: false, schedule: false })
  await boss.start()
  return {
    publish: async (size: number) => {
      await boss.insert(
        Array.from({ length: size }, () => ({
          name: queueName,
          data: peerEvent(),
          retryLimit: 7,
          retryDelay: 5,
          retryBackoff: true,
        })),
      )
    },
    close: () => boss.stop({ graceful: false, wait: true, timeout: 5000 }),
  }
}

async function peer(system: string, settings: Record<string, number>): Promise<Run> {
  const store = system === 'bullmq' ? null : await freshStore(adminUrl)
  const key = system.replace(/\W/g, '')
  const secret = newSecret()
  await addSecrets({ [key]: secret })
  const queueName = `deliveries_${randomBytes(4).toString('hex')}`
  const child = await startPeer(system, settings, {
    PEER_TARGET: `${receiver.url}/${key}/hook`,
    PEER_SECRET: secret,
    DATABASE_URL: store?.url ?? '',
    QUEUE_NAME: queueName,
  })
  const publisher = await peerPublisher(system, store?.url ?? null, queueName)
  try {
    const cpu = {
      process: child.pid!,
      database: store ? new URL(store.url!).pathname.slice(1) : null,
      redis: system === 'bullmq',
    }
    await measure(Math.ceil(n / 10), 1000, publisher.publish, cpu)
    const result = await measure(n, 1000, publisher.publish, cpu)
    return { system, settings: JSON.stringify(settings), ...result }
  } finally {
    await stopChild(child)
    await publisher.close()
    await store?.drop()
  }
}

async function switchyard(destinations: number, env: Record<string, string> = {}): Promise<Run> {
  const store = await freshStore(embedded ? null : adminUrl)
  const server = await startServer(store, env)
  const call = api(server.url, server.apiKey)
  const http = new HttpPool(server.url, { connections: 8 })
  try {
    for (let d = 0; d < destinations; d++) {
      const dest = await call<{ secret: string }>('POST', '/v1/destinations', {
        url: `${receiver.url}/sy${d}/hook`,
        events: ['*'],
      })
      await addSecrets({ [`sy${d}`]: dest.secret })
    }
    const publish = async (size: number) => {
      const res = await http.request({
        method: 'POST',
        path: '/v1/events/batch',
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: Array.from({ length: size / destinations }, () => event) }),
      })
      const text = await res.body.text()
      if (res.statusCode !== 202) throw new Error(`batch answered ${res.statusCode}: ${text}`)
    }
    const cpu = {
      process: server.child.pid!,
      // The embedded store runs in the server process: its CPU is the server's.
      database: store.url ? new URL(store.url).pathname.slice(1) : null,
      redis: false,
    }
    const batch = 500 * destinations
    await measure(Math.ceil(n / 10 / batch) * batch, batch, publish, cpu)
    const result = await measure(Math.ceil(n / batch) * batch, batch, publish, cpu)
    const settings =
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || 'default'
    return { system: `switchyard, ${destinations} destination(s)`, settings, ...result }
  } finally {
    await http.close()
    await server.stop()
    await store.drop()
  }
}

/** The physical reference: signed undici POSTs from 64 loops, nothing stored. */
async function raw(): Promise<Run> {
  const secret = newSecret()
  await addSecrets({ raw: secret })
  const webhook = new Webhook(secret)
  const pool = new HttpPool(receiver.url, { connections: 64 })
  const post = async () => {
    const body = JSON.stringify({ ...peerEvent(), timestamp: new Date().toISOString() })
    const id = `msg_${randomUUID()}`
    const now = new Date()
    const res = await pool.request({
      method: 'POST',
      path: '/raw/hook',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': webhook.sign(id, now, body),
      },
      body,
    })
    await res.body.dump()
  }
  const publish = async (size: number) => {
    let left = size
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (left-- > 0) await post()
      }),
    )
  }
  const result = await measure(n, n, publish, {
    process: process.pid,
    database: null,
    redis: false,
  })
  await pool.close()
  return { system: 'raw undici POST, 64 connections', settings: '-', ...result }
}

const runs: Run[] = []
const best = new Map<string, Run>()
const load = [os.loadavg()[0]!]
const show = (r: Run) =>
  console.error(
    `${r.system} ${r.settings}: ${Math.round(r.perSecond)}/s, ${r.total.toFixed(0)} µs CPU ` +
      `(process ${r.process.toFixed(0)} + postgres ${r.postgres.toFixed(0)} + redis ${r.redis.toFixed(0)})` +
      (r.bad || r.duplicates ? `, ${r.bad} bad, ${r.duplicates} duplicates` : ''),
  )
try {
  if (wanted('raw')) runs.push(await raw())
  for (const [system, settings] of Object.entries(sweeps)) {
    if (!wanted(system)) continue
    for (const s of bestOnly ? settings.slice(0, 1) : settings) {
      const r = await peer(system, s)
      show(r)
      runs.push(r)
      if (r.perSecond > (best.get(system)?.perSecond ?? 0)) best.set(system, r)
    }
  }
  if (wanted('switchyard')) for (const d of [1, 10]) runs.push(await switchyard(d))
  // BENCH_SWITCHYARD_ENV="NAME=value …": the same two runs again with those settings, beside.
  const variant = process.env.BENCH_SWITCHYARD_ENV
  if (wanted('switchyard') && variant) {
    const env = Object.fromEntries(
      variant.split(/\s+/).map((kv) => kv.split('=') as [string, string]),
    )
    for (const d of [1, 10]) runs.push(await switchyard(d, env))
  }
  for (const r of runs.filter((r) => r.system.startsWith('switchyard'))) show(r)
} finally {
  load.push(os.loadavg()[0]!)
  await receiver.stop()
}

const fastest = [...best.values()].sort((a, b) => b.perSecond - a.perSecond)[0]
const row = (r: Run, note = '') => ({
  system: r.system,
  settings: r.settings,
  'deliveries/s': Math.round(r.perSecond),
  'CPU µs/delivery': Math.round(r.total),
  'process µs': Math.round(r.process),
  'postgres µs': Math.round(r.postgres),
  'redis µs': Math.round(r.redis),
  note:
    note ||
    `${Math.round(r.seconds * 10) / 10} s` +
      (r.bad || r.duplicates ? `, ${r.bad} bad, ${r.duplicates} dup` : ''),
})
const rows = runs.map((r) => {
  const kept = best.get(r.system) === r ? 'best kept; ' : ''
  const ratio =
    fastest && r.system.startsWith('switchyard')
      ? `${(r.perSecond / fastest.perSecond).toFixed(2)}x ${fastest.system} (target ${r.system.includes('10') ? 1.5 : 1}x); `
      : ''
  return row(r, `${kept}${ratio}${Math.round(r.seconds * 10) / 10} s`)
})
rows.push({
  system: 'machine',
  settings: `${os.cpus().length} cores`,
  'deliveries/s': 0,
  'CPU µs/delivery': 0,
  'process µs': 0,
  'postgres µs': 0,
  'redis µs': 0,
  note: `loadavg(1m) ${load.map((l) => l.toFixed(2)).join(' -> ')}; n=${n}`,
})
await report(process.env.BENCH_REPORT ?? 'deliver-peers', rows)
const profiled = runs.filter((r) => r.pgStatements)
if (profiled.length > 0) {
  for (const r of profiled) {
    console.log(`${r.system} ${r.settings}`, r.pgStatements!.totals)
    console.table(r.pgStatements!.statements)
  }
  const file = new URL('./results/deliver-peers-statements.json', import.meta.url)
  const body = profiled.map((r) => ({ system: r.system, settings: r.settings, ...r.pgStatements }))
  await writeFile(
    file,
    JSON.stringify({ at: new Date().toISOString(), n, runs: body }, null, 2) + '\n',
  )
}
