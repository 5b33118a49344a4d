/**
 * What Prometheus metrics cost a delivery (#27): the same Switchyard run of 10 destinations on
 * one receiver with metrics off, and on while a scraper reads /metrics every second (a busier
 * scrape than Prometheus' usual 15 s), alternated over rounds so that drift on a busy machine
 * hits both alike. Reports deliveries/s per mode (best and median of the rounds) and the ratio.
 *   npm run bench:metrics-cost
 *   BENCH_STORES=pglite BENCH_EVENTS=2000 BENCH_ROUNDS=3 npm run bench:metrics-cost
 * Tracing (the issue's third mode) is not built yet; its row says so.
 */
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

async function okCount(receiver: Receiver): Promise<number> {
  return (await receiver.get<{ ok: number }>('/stats')).ok
}

/** One run: a fresh store and server, warm-up, then `events` x 10 deliveries timed. */
async function run(store: string, receiver: Receiver, metrics: boolean): Promise<number> {
  const db = await freshStore(store === 'postgres' ? baseUrl : null)
  const server = await startServer(db, { SWITCHYARD_METRICS: metrics ? 'on' : 'off' })
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
    const started = performance.now()
    for (let i = 0; i < events; i += 500) await publish(Math.min(500, events - i))
    const all = events * destinations
    if (!(await waitUntil(async () => (await okCount(receiver)) >= all, 300_000)))
      throw new Error(`only ${await okCount(receiver)} of ${all} delivered`)
    return all / ((performance.now() - started) / 1000)
  } finally {
    if (scrape) clearInterval(scrape)
    await server.stop()
    await db.drop()
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const receiver = await startReceiver()
const rows: Record<string, string | number>[] = []
try {
  for (const store of stores) {
    const off: number[] = []
    const on: number[] = []
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so a machine slowing down over the run hurts both alike.
      for (const metrics of round % 2 === 0 ? [false, true] : [true, false]) {
        const perSecond = await run(store, receiver, metrics)
        ;(metrics ? on : off).push(perSecond)
        console.error(
          `[${store}] round ${round + 1} metrics ${metrics ? 'on' : 'off'}: ${Math.round(perSecond)}/s`,
        )
      }
    }
    const row = (mode: string, xs: number[]) => ({
      store,
      mode,
      'median deliveries/s': Math.round(median(xs)),
      'best deliveries/s': Math.round(Math.max(...xs)),
      'median vs off': (median(xs) / median(off)).toFixed(3),
      rounds: xs.map(Math.round).join(' '),
    })
    rows.push(row('metrics off', off), row('metrics on, scraped every 1 s', on))
    rows.push({ store, mode: 'metrics + traces', 'median deliveries/s': 'not built (#27 item 2)' })
  }
  await report('metrics-cost', rows)
} finally {
  await receiver.stop()
}
