/**
 * bench/self-healing: the figures issue #10 asks for, each beside its baseline in the same run.
 *
 *   npm run bench:self-healing                      # PostgreSQL at $DATABASE_URL (default local)
 *   BENCH_STORES=pglite npm run bench:self-healing  # the embedded store instead
 *   BENCH_SIZE=small npm run bench:self-healing     # a quick check of the script (not the figures)
 *   BENCH_ONLY=b npm run bench:self-healing         # some of the figures (a, b, c), not saved
 *
 * (a) fairness: a healthy project publishing 500 events/s for a minute, p99 ingest -> received,
 *     alone, then beside a project with BACKLOG queued deliveries to a hanging endpoint, then
 *     beside that and BACKLOG more to a fast endpoint (which keep both cores busy).
 *     Target: beside <= 1.5x alone. Also measured, for the detail: alone again while the backlog
 *     is only stored (its destinations disabled), what the bigger database costs by itself.
 * (b) throttling: an endpoint that answers 429 (Retry-After: 1) above 200 req/s, a destination
 *     allowed 50 concurrent sends. Target: settles near 200/s, attempts per delivered < 1.1.
 * (c) ordering: deliveries/s to one destination with 1,000 distinct record ids, ordering "record"
 *     vs none. Target: ordered >= 50 % of unordered.
 */
import pg from 'pg'
import { Pool as HttpPool } from 'undici'
import {
  api,
  freshStore,
  report,
  sleep,
  startLocalServer,
  startReceiver,
  startServer,
  printWorstPerSecond,
  waitUntil,
  type Receiver,
} from './lib.ts'

const small = process.env.BENCH_SIZE === 'small'
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const stores = (process.env.BENCH_STORES ?? 'postgres').split(',')
const only = process.env.BENCH_ONLY ?? 'abc'
const backlog = small ? 5_000 : 1_000_000
// A minute per run: a p99 of 20 s (100 samples above it) was decided by the two or three
// seconds in which the disk stalled a WAL flush, and the same code gave 1.18, 1.21 and 1.78
// in three runs; over a minute it gave 1.06 and 1.33.
const pacedSeconds = small ? 3 : Number(process.env.BENCH_PACED_SECONDS ?? 60)
const throttledEvents = small ? 1_000 : 8_000
const orderedEvents = small ? 2_000 : 30_000
const adminToken = 'sya_bench_admin_token'

const recordEvent = (n: number) => ({
  type: 'record.updated',
  userId: 'user_01JH448D13EX2BE1SC1GXVT05R',
  integration: 'googledrive',
  data: {
    syncId: '163a345e-2dd4-51ff-bcf5-7667de564bb0',
    model: 'files',
    recordId: `00000000-0000-5000-8000-${String(n % 1000).padStart(12, '0')}`,
  },
})

type Row = Record<string, string | number>
const rows: Row[] = []
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d

/** A project's publishing and destination calls. */
function client(url: string, key: string) {
  const http = new HttpPool(url, { connections: 8 })
  const publish = async (events: unknown[]): Promise<string[]> => {
    const res = await http.request({
      method: 'POST',
      path: '/v1/events/batch',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    })
    const text = await res.body.text()
    if (res.statusCode !== 202) throw new Error(`batch answered ${res.statusCode}: ${text}`)
    return (JSON.parse(text) as { data: { id: string }[] }).data.map((e) => e.id)
  }
  return { publish, call: api(url, key), close: () => http.close() }
}

/** Publishes `perTick` events every 10 ms for `seconds`; returns each event id's send time. */
async function paced(
  publish: (e: unknown[]) => Promise<string[]>,
  seconds: number,
  perTick: number,
) {
  const sentAt = new Map<string, number>()
  const pending: Promise<void>[] = []
  const t0 = performance.now()
  for (let tick = 0; tick < seconds * 100; tick++) {
    const wait = t0 + tick * 10 - performance.now()
    if (wait > 0) await sleep(wait)
    const at = performance.timeOrigin + performance.now()
    const events = Array.from({ length: perTick }, (_, i) => recordEvent(tick * perTick + i))
    pending.push(publish(events).then((ids) => ids.forEach((id) => sentAt.set(id, at))))
  }
  await Promise.all(pending)
  return sentAt
}

async function latencyOf(receiver: Receiver, sentAt: Map<string, number>, dest: string) {
  await waitUntil(
    async () => (await receiver.get<{ ok: number }>('/stats')).ok >= sentAt.size,
    60_000,
    100,
  )
  const records = await receiver.get<[string, string, string, number][]>('/records')
  const mine = records.filter((r) => r[1] === dest && sentAt.has(r[0]))
  printWorstPerSecond(
    dest,
    mine.map((r) => [sentAt.get(r[0])!, r[3] - sentAt.get(r[0])!]),
  )
  const l = mine.map((r) => r[3] - sentAt.get(r[0])!).sort((a, b) => a - b)
  return { n: l.length, p50: pct(l, 0.5), p99: pct(l, 0.99) }
}

async function fairness(
  kind: string,
  url: string,
  newProject: () => Promise<string>,
  receiver: Receiver,
  storeUrl: string | null,
) {
  // Releasing a million held deliveries is a million-row UPDATE; the WAL it writes sets off
  // checkpoints whose writes would land in the measured seconds, and its million dead rows set
  // off a vacuum of `deliveries` (autovacuum's, or the engine's where autovacuum is off) that
  // runs for most of a phase; (b) and (c) before leave dead rows of their own. Each phase starts
  // after a VACUUM of the database and a CHECKPOINT, so it measures the backlog, not the
  // aftermath of the enable (a backlog that builds up by itself is inserted pending and leaves
  // no dead rows) or of the phases before.
  const settle = async () => {
    if (!storeUrl) return
    const c = new pg.Client({ connectionString: storeUrl })
    await c.connect()
    await c.query('vacuum (analyze)')
    await c.query('checkpoint')
    await c.end()
  }
  const healthy = client(url, await newProject())
  await healthy.call('POST', '/v1/destinations', { url: `${receiver.url}/ok/b`, events: ['*'] })
  // A warm-up first: the solo run is the baseline, and a cold process (JIT, connections) would
  // inflate its p99 and flatter the ratio.
  await receiver.reset(true)
  await latencyOf(receiver, await paced(healthy.publish, 3, 5), 'b')
  await settle()
  await receiver.reset(true)
  const solo = await latencyOf(receiver, await paced(healthy.publish, pacedSeconds, 5), 'b')

  // The noisy project's own receiver: the healthy one's records and counters stay its own.
  const noisyReceiver = await startReceiver()
  const noisy = client(url, await newProject())
  const dests = [
    { url: `${noisyReceiver.url}/ok/a`, events: ['*'], maxConcurrency: 100 },
    { url: `${noisyReceiver.url}/hang/a`, events: ['*'], maxConcurrency: 100, timeoutMs: 5000 },
  ]
  const ids: string[] = []
  for (const d of dests)
    ids.push((await noisy.call<{ id: string }>('POST', '/v1/destinations', d)).id)
  // Queue the backlog while the noisy destinations are disabled, then enable them: all due.
  for (const id of ids) await noisy.call('POST', `/v1/destinations/${id}/disable`, {})
  const started = performance.now()
  for (let i = 0; i < backlog; i += 4000)
    await Promise.all(
      [0, 1, 2, 3].map((j) =>
        noisy.publish(Array.from({ length: 1000 }, (_, k) => recordEvent(i + j * 1000 + k))),
      ),
    )
  console.error(
    `[${kind}] backlog of ${backlog} queued in ${round((performance.now() - started) / 1000)} s`,
  )
  // The healthy project again while the backlog is only stored (its destinations disabled): what
  // a bigger database costs it, apart from what another project's sending does.
  await settle()
  await receiver.reset(true)
  const held = await latencyOf(receiver, await paced(healthy.publish, pacedSeconds, 5), 'b')
  // First the hanging endpoint alone (its backlog, the case), then the fast one too:
  // a million due deliveries to an endpoint that answers keep the whole machine busy.
  const [okId, hangId] = ids as [string, string]
  const besideOf = async (enable: string) => {
    await noisy.call('POST', `/v1/destinations/${enable}/enable`, {})
    await sleep(2000)
    await settle()
    await receiver.reset(true)
    const measured = await latencyOf(receiver, await paced(healthy.publish, pacedSeconds, 5), 'b')
    return { ...measured, noisy: await noisyReceiver.get<{ ok: number; hung: number }>('/stats') }
  }
  const besideHang = await besideOf(hangId)
  const beside = await besideOf(okId)
  for (const id of ids) await noisy.call('DELETE', `/v1/destinations/${id}`)
  await noisyReceiver.stop()
  await receiver.reset(false)
  await Promise.all([healthy.close(), noisy.close()])
  const alone =
    `alone p50 ${round(solo.p50)} p99 ${round(solo.p99)} ms (n ${solo.n}); ` +
    `alone beside the backlog held p50 ${round(held.p50)} p99 ${round(held.p99)} ms`
  rows.push(
    {
      store: kind,
      figure: '(a) healthy p99 beside backlog to a hanging endpoint / alone',
      value: round(besideHang.p99 / solo.p99, 2),
      target: '<= 1.5',
      detail: `${alone}; beside p50 ${round(besideHang.p50)} p99 ${round(besideHang.p99)} ms (n ${besideHang.n}); backlog ${backlog} (${besideHang.noisy.hung} hung meanwhile)`,
    },
    {
      store: kind,
      figure: '(a) healthy p99 beside that and a backlog to a fast endpoint / alone',
      value: round(beside.p99 / solo.p99, 2),
      target: '<= 1.5',
      detail: `${alone}; beside p50 ${round(beside.p50)} p99 ${round(beside.p99)} ms (n ${beside.n}); backlog ${backlog} x 2 (noisy: ${beside.noisy.ok} delivered, ${beside.noisy.hung - besideHang.noisy.hung} hung meanwhile)`,
    },
  )
}

function startLimited() {
  return startLocalServer(new URL('./limited-receiver.ts', import.meta.url).pathname, {
    env: { LIMIT: '200' },
  })
}

async function throttling(kind: string, url: string, newProject: () => Promise<string>) {
  const limited = await startLimited()
  const p = client(url, await newProject())
  const dest = await p.call<{ id: string }>('POST', '/v1/destinations', {
    url: `${limited.url}/hook`,
    events: ['*'],
    maxConcurrency: 50,
  })
  const stats = async () =>
    (await (await fetch(`${limited.url}/stats`)).json()) as {
      ok: number
      rejected: number
      okPerSecond: (number | null)[]
    }
  await fetch(`${limited.url}/reset`, { method: 'POST' })
  for (let i = 0; i < throttledEvents; i += 1000)
    await p.publish(Array.from({ length: 1000 }, (_, k) => recordEvent(i + k)))
  const budget = (throttledEvents / 200) * 3 * 1000 + 10_000
  await waitUntil(async () => (await stats()).ok >= throttledEvents, budget, 200)
  const s = await stats()
  // Whole seconds after the first two and before the last one; the rate it settles at is the
  // mean of the second half of them (the first half holds the burst and the learning).
  const steady = s.okPerSecond.slice(2, -1).map((n) => n ?? 0)
  if (process.env.BENCH_VERBOSE) console.error(JSON.stringify(s.okPerSecond))
  const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN)
  const rate = mean(steady)
  const settled = mean(steady.slice(Math.floor(steady.length / 2)))
  const read = await p.call<{ currentConcurrency: number }>('GET', `/v1/destinations/${dest.id}`)
  await p.call('DELETE', `/v1/destinations/${dest.id}`)
  await p.close()
  await limited.stop()
  rows.push({
    store: kind,
    figure: '(b) delivered/s against a 200/s limit, settled',
    value: round(settled),
    target: '~200',
    detail: `second half of the run; whole run ${round(rate)}/s over ${steady.length} s; ${s.ok} delivered, ${s.rejected} answered 429; currentConcurrency ${read.currentConcurrency}`,
  })
  rows.push({
    store: kind,
    figure: '(b) attempts per delivered event',
    value: round((s.ok + s.rejected) / s.ok, 3),
    target: '< 1.1',
    detail: `${s.ok + s.rejected} attempts for ${s.ok} events`,
  })
}

async function ordering(
  kind: string,
  url: string,
  newProject: () => Promise<string>,
  receiver: Receiver,
) {
  const p = client(url, await newProject())
  const throughput = async (ordering: 'none' | 'record') => {
    const dest = await p.call<{ id: string }>('POST', '/v1/destinations', {
      url: `${receiver.url}/ok/${ordering}`,
      events: ['*'],
      maxConcurrency: 100,
      ordering,
    })
    await p.call('POST', `/v1/destinations/${dest.id}/disable`, {})
    for (let i = 0; i < orderedEvents; i += 1000)
      await p.publish(Array.from({ length: 1000 }, (_, k) => recordEvent(i + k)))
    await receiver.reset(false)
    const started = performance.now()
    // An admin's enable makes every held delivery due at once, oldest first.
    await p.call('POST', `/v1/destinations/${dest.id}/enable`, {})
    await waitUntil(
      async () => (await receiver.get<{ ok: number }>('/stats')).ok >= orderedEvents,
      600_000,
      50,
    )
    const seconds = (performance.now() - started) / 1000
    await p.call('DELETE', `/v1/destinations/${dest.id}`)
    return orderedEvents / seconds
  }
  const unordered = await throughput('none')
  const ordered = await throughput('record')
  await p.close()
  rows.push({
    store: kind,
    figure: '(c) ordered / unordered deliveries/s, 1,000 keys',
    value: round(ordered / unordered, 2),
    target: '>= 0.5',
    detail: `unordered ${round(unordered)}/s, ordered ${round(ordered)}/s, ${orderedEvents} events`,
  })
}

for (const kind of stores) {
  const store = await freshStore(kind === 'postgres' ? baseUrl : null)
  const server = await startServer(store, { SWITCHYARD_ADMIN_TOKEN: adminToken })
  const receiver = await startReceiver()
  const newProject = async () =>
    (
      await api(server.url, adminToken)<{ apiKey: string }>('POST', '/v1/projects', {
        name: `bench ${Math.random()}`,
        ownerEmail: 'bench@example.com',
      })
    ).apiKey
  try {
    if (only.includes('c')) {
      console.error(`[${kind}] (c) ordering`)
      await ordering(kind, server.url, newProject, receiver)
    }
    if (only.includes('b')) {
      console.error(`[${kind}] (b) throttling`)
      await throttling(kind, server.url, newProject)
    }
    if (only.includes('a')) {
      console.error(`[${kind}] (a) fairness`)
      await fairness(kind, server.url, newProject, receiver, store.url)
    }
  } finally {
    await receiver.stop()
    await server.stop()
    await store.drop()
  }
}
if (only === 'abc') await report(small ? 'self-healing-small' : 'self-healing', rows)
else console.table(rows)
