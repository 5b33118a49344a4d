/**
 * What Prometheus metrics and OpenTelemetry traces cost a delivery (#27): the same Switchyard
 * run of 10 destinations on one receiver with metrics off, on while a scraper reads /metrics
 * every second (a busier scrape than Prometheus' usual 15 s), and metrics plus traces at 100 %
 * sampling exported over OTLP/HTTP protobuf to a loopback collector that only counts what it
 * gets, rotated over rounds so that drift on a busy machine hits every mode alike. Reports
 * deliveries/s per mode (best and median of the rounds) and CPU per delivery (the server
 * process, plus PostgreSQL's backends of its database), each as a ratio to off. CPU per
 * delivery is the steadier figure on a shared machine: throughput follows the neighbours.
 *   npm run bench:metrics-cost
 *   BENCH_STORES=pglite BENCH_EVENTS=2000 BENCH_ROUNDS=3 npm run bench:metrics-cost
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { processCpu, watchDatabaseCpu } from './cpu.ts'
import {
  api,
  freshStore,
  report,
  startReceiver,
  startServer,
  waitUntil,
  type Receiver,
  benchEvent,
} from './lib.ts'

const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const stores = (process.env.BENCH_STORES ?? 'postgres').split(',')
const events = Number(process.env.BENCH_EVENTS ?? 3000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const destinations = 10
const event = benchEvent

type Mode = 'off' | 'metrics' | 'traces'
const modes: Mode[] = ['off', 'metrics', 'traces']

/** An OTLP/HTTP sink: answers 200 to every export and counts the bytes. */
async function startCollector(): Promise<{ url: string; bytes: () => number; stop: () => void }> {
  let bytes = 0
  const server = http.createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length))
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, bytes: () => bytes, stop: () => server.close() }
}

async function okCount(receiver: Receiver): Promise<number> {
  return (await receiver.get<{ ok: number }>('/stats')).ok
}

/** One run: a fresh store and server, warm-up, then `events` x 10 deliveries timed. */
async function run(
  store: string,
  receiver: Receiver,
  mode: Mode,
): Promise<{ perSecond: number; cpuUs: number }> {
  const metrics = mode !== 'off'
  const db = await freshStore(store === 'postgres' ? baseUrl : null)
  const server = await startServer(db, {
    SWITCHYARD_METRICS: metrics ? 'on' : 'off',
    ...(mode === 'traces'
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_TRACES_SAMPLER: 'always_on' }
      : {}),
  })
  const scrape = metrics
    ? setInterval(() => void fetch(`${server.url}/metrics`).then((r) => r.text()), 1000)
    : null
  try {
    const call = api(server.url, server.apiKey)
    for (let i = 0; i < destinations; i++)
      await call('POST', '/v1/destinations', {
        url: `${receiver.url}/ok/d${i}`,
        events: ['*'],
        maxConcurrency: 100,
      })
    const publish = (n: number) =>
      call('POST', '/v1/events/batch', { events: Array.from({ length: n }, () => event) })
    await receiver.reset(false)
    await publish(100)
    await waitUntil(async () => (await okCount(receiver)) >= 100 * destinations, 60_000)
    await receiver.reset(false)
    const serverCpu = processCpu(server.child.pid!)
    const databaseCpu = db.url
      ? await watchDatabaseCpu(baseUrl, new URL(db.url).pathname.slice(1))
      : null
    const started = performance.now()
    for (let i = 0; i < events; i += 500) await publish(Math.min(500, events - i))
    const all = events * destinations
    if (!(await waitUntil(async () => (await okCount(receiver)) >= all, 300_000)))
      throw new Error(`only ${await okCount(receiver)} of ${all} delivered`)
    const perSecond = all / ((performance.now() - started) / 1000)
    const cpuSeconds = serverCpu() + ((await databaseCpu?.stop()) ?? 0)
    return { perSecond, cpuUs: (cpuSeconds * 1e6) / all }
  } finally {
    if (scrape) clearInterval(scrape)
    await server.stop()
    await db.drop()
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const receiver = await startReceiver()
const collector = await startCollector()
const rows: Record<string, string | number>[] = []
try {
  for (const store of stores) {
    const results: Record<Mode, number[]> = { off: [], metrics: [], traces: [] }
    const cpu: Record<Mode, number[]> = { off: [], metrics: [], traces: [] }
    for (let round = 0; round < rounds; round++) {
      // Rotate which goes first, so a machine slowing down over the run hurts all alike.
      const order = modes.map((_, i) => modes[(i + round) % modes.length]!)
      for (const mode of order) {
        const { perSecond, cpuUs } = await run(store, receiver, mode)
        results[mode].push(perSecond)
        cpu[mode].push(cpuUs)
        console.error(
          `[${store}] round ${round + 1} ${mode}: ${Math.round(perSecond)}/s, ${Math.round(cpuUs)} µs CPU/delivery`,
        )
      }
    }
    const off = results.off
    const row = (label: string, mode: Mode) => ({
      store,
      mode: label,
      'median deliveries/s': Math.round(median(results[mode])),
      'best deliveries/s': Math.round(Math.max(...results[mode])),
      'median vs off': (median(results[mode]) / median(off)).toFixed(3),
      'median CPU µs/delivery': Math.round(median(cpu[mode])),
      'CPU vs off': (median(cpu[mode]) / median(cpu.off)).toFixed(3),
      rounds: results[mode].map(Math.round).join(' '),
    })
    rows.push(
      row('metrics off', 'off'),
      row('metrics on, scraped every 1 s', 'metrics'),
      row('metrics + traces (100 % sampled, OTLP protobuf)', 'traces'),
    )
  }
  console.error(`the collector got ${Math.round(collector.bytes() / 1024)} KiB of spans`)
  await report('metrics-cost', rows)
} finally {
  await receiver.stop()
  collector.stop()
}
