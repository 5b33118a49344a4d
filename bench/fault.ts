/**
 * bench/fault: 3 `--role worker` processes (+ one `--role api`) on one fresh PostgreSQL database;
 * 10,000 events to 20 destinations whose receiver fails (500), hangs (timeout) or resets some
 * attempts, deterministic per (webhook-id, attempt) so retries succeed; one worker is SIGKILLed
 * mid-run, and with --restart-postgres PostgreSQL is restarted mid-run too. Then every
 * (event, destination) pair must have been received with a 2xx at least once; duplicates are counted.
 *
 *   npm run bench:fault
 *   npm run bench:fault -- --restart-postgres
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import pg from 'pg'
import {
  api,
  freshStore,
  report,
  sleep,
  startReceiver,
  startServer,
  type RunningServer,
  benchEvent,
} from './lib.ts'

const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const restartPostgres = process.argv.includes('--restart-postgres')
const eventCount = 10_000
const destinationCount = 20
const expected = eventCount * destinationCount
const deadlineMs = 5 * 60_000

const event = benchEvent

const log = (msg: string) =>
  console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`)
const t0 = performance.now()

/** Counts deliveries by status; null while PostgreSQL is unreachable. */
async function statusCounts(url: string): Promise<Record<string, number> | null> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  c.on('error', () => {})
  try {
    await c.connect()
    const { rows } = await c.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from deliveries group by status',
    )
    return Object.fromEntries(rows.map((r) => [r.status, r.n]))
  } catch {
    return null
  } finally {
    await c.end().catch(() => {})
  }
}

const store = await freshStore(baseUrl)
const receiver = await startReceiver()
const processes: RunningServer[] = []
let summary: Record<string, string | number> | undefined
try {
  const apiServer = await startServer(store, {}, ['--role', 'api'])
  processes.push(apiServer)
  const call = api(apiServer.url, apiServer.apiKey)
  await call('PUT', '/v1/settings', { retrySchedule: [1, 1, 2, 2, 3] })
  const destIds: string[] = []
  for (let i = 0; i < destinationCount; i++) {
    const d = await call<{ id: string }>('POST', '/v1/destinations', {
      url: `${receiver.url}/fault/d${i}`,
      events: ['*'],
      timeoutMs: 1000,
    })
    destIds.push(d.id)
  }
  const workers: RunningServer[] = []
  for (let i = 0; i < 3; i++) workers.push(await startServer(store, {}, ['--role', 'worker']))
  processes.push(...workers)
  log(`api + 3 workers up (pids ${workers.map((w) => w.child.pid).join(', ')})`)

  for (let i = 0; i < eventCount; i += 500)
    await call('POST', '/v1/events/batch', { events: Array.from({ length: 500 }, () => event) })
  log(`published ${eventCount} events -> ${expected} deliveries`)

  let killed = false
  let restarted = false
  let restartSeconds = 0
  let counts: Record<string, number> | null = null
  let done = false
  while (performance.now() - t0 < deadlineMs) {
    await sleep(1000)
    const stats = await receiver.get<{ ok: number; failed: number; hung: number; reset: number }>(
      '/stats',
    )
    if (!killed && stats.ok >= expected * 0.25) {
      workers[0]!.child.kill('SIGKILL')
      killed = true
      log(`SIGKILLed worker ${workers[0]!.child.pid} at ${stats.ok} received`)
    }
    if (restartPostgres && !restarted && stats.ok >= expected * 0.5) {
      restarted = true
      const cluster = fs.readdirSync('/etc/postgresql')[0]!
      const r0 = performance.now()
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', 'restart'], {
        stdio: 'inherit',
      })
      restartSeconds = (performance.now() - r0) / 1000
      log(
        `restarted PostgreSQL ${cluster} in ${restartSeconds.toFixed(1)} s at ${stats.ok} received`,
      )
    }
    counts = await statusCounts(store.url!)
    log(
      `receiver ok=${stats.ok} 500=${stats.failed} hung=${stats.hung} reset=${stats.reset}; deliveries ${JSON.stringify(counts)}`,
    )
    if (counts && (counts.succeeded ?? 0) === expected) {
      done = true
      break
    }
  }
  const elapsed = (performance.now() - t0) / 1000
  const dedupe = await receiver.get<{
    pairs: number
    duplicates: number
    webhookIds: number
    idDuplicates: number
  }>('/dedupe')
  // The pairs the receiver saw against the pairs the database holds.
  const seen = new Set(await receiver.get<string[]>('/pairs'))
  const c = new pg.Client({ connectionString: store.url! })
  await c.connect()
  const { rows } = await c.query<{ event_id: string; destination_id: string }>(
    'select event_id, destination_id from deliveries',
  )
  const { rows: events } = await c.query<{ n: number }>('select count(*)::int as n from events')
  const { rows: attempts } = await c.query<{ n: number }>(
    'select count(*)::int as n from delivery_attempts',
  )
  await c.end()
  const keyOf = new Map(destIds.map((id, i) => [id, `d${i}`]))
  const missing = rows.filter((r) => !seen.has(`${r.event_id} ${keyOf.get(r.destination_id)}`))
  const workerExits = workers.map((w) => w.child.exitCode ?? w.child.signalCode ?? 'running')
  summary = {
    restartPostgres: String(restartPostgres),
    eventsStored: events[0]!.n,
    deliveriesStored: rows.length,
    expectedDeliveries: expected,
    statuses: JSON.stringify(counts),
    allSucceeded: String(done),
    secondsToAllSucceeded: done ? Number(elapsed.toFixed(1)) : 'not within 5 min',
    attemptsRecorded: attempts[0]!.n,
    receiverPairsWith2xx: dedupe.pairs,
    missingPairs: missing.length,
    duplicatePairReceipts: dedupe.duplicates,
    distinctWebhookIdsWith2xx: dedupe.webhookIds,
    duplicateWebhookIdReceipts: dedupe.idDuplicates,
    workerSigkilled: String(killed),
    postgresRestartSeconds: restarted ? Number(restartSeconds.toFixed(1)) : 'not restarted',
    workerStates: JSON.stringify(workerExits),
  }
} finally {
  for (const p of processes) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) continue
    const exited = new Promise((resolve) => p.child.once('exit', resolve))
    p.child.kill('SIGTERM')
    const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(t)
  }
  await receiver.stop()
  await store.drop()
}
await report(
  restartPostgres ? 'fault-restart-postgres' : 'fault',
  Object.entries(summary ?? {}).map(([what, value]) => ({ what, value })),
)
