/**
 * bench/soak: sustained load on PostgreSQL at a fixed rate: events (single POST /v1/events and
 * batches) delivered to one destination on a local receiver, and signed /hooks requests routed to
 * a credential (each becomes a delivered `trigger.received`). Reports per window and overall:
 * accepted events/s and hooks/s, p99 of the ingest answer, of ingest-to-received and of the /hooks
 * answer, deliveries/s, and the RSS of the API and worker processes. Then waits for the backlog to
 * drain and counts anything not delivered. Results in bench/results/soak.json.
 *
 *   npm run bench:soak                                   # 10 minutes on a private PostgreSQL
 *   SOAK_SECONDS=30 SOAK_WINDOW_SECONDS=10 npm run bench:soak
 *   SOAK_EVENTS_PER_SECOND=1000 SOAK_HOOKS_PER_SECOND=200 SOAK_WORKERS=2 npm run bench:soak
 *   DATABASE_URL=postgres://... npm run bench:soak       # a fresh database on that server instead
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import { account, waitForDrain } from './chaos-account.ts'
import { freshStore, rssMb, sleep, startReceiver, startServer, type RunningServer } from './lib.ts'
import { prepareProject, quantile, startLoad, type Sample } from './load.ts'
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts'

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const plan = {
  seconds: env('SOAK_SECONDS', 600),
  windowSeconds: env('SOAK_WINDOW_SECONDS', 60),
  eventsPerSecond: env('SOAK_EVENTS_PER_SECOND', 500),
  hooksPerSecond: env('SOAK_HOOKS_PER_SECOND', 100),
  batchSize: 50,
  batchShare: 0.6,
  workers: env('SOAK_WORKERS', 1),
}
const secretKey = 'soak-secret-key'

let privatePg: PrivatePostgres | null = null
const baseUrl = process.env.DATABASE_URL ?? (privatePg = await startPrivatePostgres()).url
const store = await freshStore(baseUrl)
const receiver = await startReceiver()
await receiver.reset(true)
const processes: RunningServer[] = []
try {
  const apiServer = await startServer(store, { SWITCHYARD_SECRET_KEY: secretKey }, [
    '--role',
    'api',
  ])
  processes.push(apiServer)
  const project = await prepareProject(apiServer, {
    destinationUrls: [`${receiver.url}/ok/soak`],
    timeoutMs: 5000,
    retrySchedule: [1, 5, 30],
  })
  for (let i = 0; i < plan.workers; i++)
    processes.push(
      await startServer(store, { SWITCHYARD_SECRET_KEY: secretKey }, ['--role', 'worker']),
    )
  console.log(`soak: ${JSON.stringify(plan)}`)
  const rss: [number, number, number][] = []
  const load = startLoad(() => ({ ...apiServer, hookPath: project.hookPath }), {
    ...plan,
    tag: 'soak',
  })
  const t0 = Date.now()
  while (Date.now() - t0 < plan.seconds * 1000) {
    await sleep(5000)
    const workerRss = await Promise.all(processes.slice(1).map((p) => rssMb(p.child.pid!)))
    rss.push([Date.now(), await rssMb(apiServer.child.pid!), Math.max(...workerRss)])
    const done = load.result.acceptedEvents.length
    console.log(`  ${Math.round((Date.now() - t0) / 1000)} s: ${done} events accepted`)
  }
  const result = await load.stop()
  const drained = await waitForDrain(store.url!, 120_000)
  const counts = await account(store.url!, receiver, result, {
    triggerId: project.triggerId,
    destinationCount: 1,
  })
  const records = await receiver.get<[string, string, string, number][]>('/records')
  const received: Sample[] = []
  for (const [eventId, , , at] of records) {
    const sent = result.sentAt.get(eventId)
    if (sent !== undefined) received.push([at, at - sent])
  }
  const sent: Sample[] = [...result.sentAt.values()].map((at) => [at, 0])
  const windows = windowRows(t0, { ...result, sent }, received, rss)
  const overall = summary('overall', result.seconds, { ...result, sent, received, rss })
  const rows = [...windows, overall]
  console.table(rows)
  const file = new URL('./results/soak.json', import.meta.url).pathname
  const out = {
    at: new Date().toISOString(),
    cpus: os.cpus().length,
    plan,
    drained,
    counts,
    refused: result.refused,
    rows,
  }
  await fs.writeFile(file, JSON.stringify(out, null, 2) + '\n')
  console.log(`drained: ${drained}; ${JSON.stringify(counts)}\nwritten to bench/results/soak.json`)
} finally {
  for (const p of processes) await p.stop().catch(() => {})
  await receiver.stop()
  await store.drop().catch(() => {})
  await privatePg?.remove()
}

interface Measured {
  /** [scheduled at, 0] per accepted event */
  sent: Sample[]
  ingestLatency: Sample[]
  hookLatency: Sample[]
  /** [received at, ingest-to-received ms] per delivered event */
  received: Sample[]
  /** [at, api MB, largest worker MB] */
  rss: [number, number, number][]
}

function windowRows(
  t0: number,
  r: Omit<Measured, 'received' | 'rss'>,
  received: Sample[],
  rss: Measured['rss'],
) {
  const rows = []
  const step = plan.windowSeconds * 1000
  for (let from = t0; from < t0 + plan.seconds * 1000; from += step) {
    const inWindow = <T extends [number, ...number[]]>(xs: T[]) =>
      xs.filter(([at]) => at >= from && at < from + step)
    rows.push(
      summary(`${(from - t0) / 1000}-${(from - t0 + step) / 1000} s`, plan.windowSeconds, {
        sent: inWindow(r.sent),
        ingestLatency: inWindow(r.ingestLatency),
        hookLatency: inWindow(r.hookLatency),
        received: inWindow(received),
        rss: inWindow(rss),
      }),
    )
  }
  return rows
}

function summary(window: string, seconds: number, m: Measured) {
  const ms = (n: number) => Number(n.toFixed(1))
  return {
    window,
    'events/s': Math.round(m.sent.length / seconds),
    'hooks/s': Math.round(m.hookLatency.length / seconds),
    'ingest p99 ms': ms(quantile(m.ingestLatency, 0.99)),
    'ingest→received p50 ms': ms(quantile(m.received, 0.5)),
    'ingest→received p99 ms': ms(quantile(m.received, 0.99)),
    'hooks p99 ms': ms(quantile(m.hookLatency, 0.99)),
    'api RSS MB': Math.round(Math.max(0, ...m.rss.map((x) => x[1]))),
    'worker RSS MB': Math.round(Math.max(0, ...m.rss.map((x) => x[2]))),
  }
}
