/**
 * bench/sandbox-fairness: project B's `/hooks` latency through its custom-code `verify`, alone,
 * then beside project A flooding its own trigger whose code is memory-hungry (it runs until
 * the sandbox's hard deadline ends its thread). Issue 24 measured 0.03 s alone and 26.8 s beside
 * 40 such requests, when all custom code shared one thread and one FIFO.
 *
 *   npm run bench:sandbox-fairness                       # PGlite
 *   BENCH_STORES=postgres,pglite BENCH_SECONDS=10 npm run bench:sandbox-fairness
 *   BENCH_SANDBOX_THREADS=1 npm run bench:sandbox-fairness   # the server's SWITCHYARD_SANDBOX_THREADS
 *
 * A's 40 clients send back to back. "A waits Retry-After" is a provider's behaviour on 503;
 * "A resends at once" is a hostile sender's, which adds a stream of cheap 503s to the load.
 */
import { api, freshStore, report, startServer } from './lib.ts'

const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const stores = (process.env.BENCH_STORES ?? 'pglite').split(',')
const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const floodClients = 40
const adminToken = 'sya_bench_sandbox_fairness_admin'
const hungry =
  'function verify() { const a = []; while (true) a.push("x".repeat(1 << 20) + a.length) }'
const innocent = 'function verify(request) { return request.method === "POST" }'

type Summary = { requests: number; p50: number; p99: number }

/** B, one request at a time for `seconds`: each answer's latency in ms. */
async function measureB(url: string): Promise<Summary> {
  const latencies: number[] = []
  const deadline = performance.now() + seconds * 1000
  while (performance.now() < deadline) {
    const t0 = performance.now()
    const res = await fetch(url, { method: 'POST', body: '{"b":1}' })
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`B answered ${res.status}`)
    latencies.push(performance.now() - t0)
  }
  latencies.sort((x, y) => x - y)
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!
  return { requests: latencies.length, p50: pct(0.5), p99: pct(0.99) }
}

/** A's flood until `stop()`: counts of each status it was answered. */
function floodA(url: string, honourRetryAfter: boolean) {
  let running = true
  const statuses = new Map<number, number>()
  const loops = Array.from({ length: floodClients }, async () => {
    while (running) {
      const res = await fetch(url, { method: 'POST', body: '{"a":1}' })
      await res.arrayBuffer()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      const retryAfter = Number(res.headers.get('retry-after') ?? 0)
      if (res.status === 503 && honourRetryAfter && running)
        await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000))
    }
  })
  return {
    stop: async () => {
      running = false
      await Promise.all(loops)
      return Object.fromEntries(statuses)
    },
  }
}

async function benchStore(kind: string) {
  const store = await freshStore(kind === 'postgres' ? baseUrl : null)
  const env: Record<string, string> = { SWITCHYARD_ADMIN_TOKEN: adminToken }
  if (process.env.BENCH_SANDBOX_THREADS)
    env.SWITCHYARD_SANDBOX_THREADS = process.env.BENCH_SANDBOX_THREADS
  const server = await startServer(store, env)
  try {
    const admin = api(server.url, adminToken)
    const trigger = async (name: string, code: string) => {
      const project = await admin<{ apiKey: string }>('POST', '/v1/projects', {
        name,
        ownerEmail: 'bench@example.com',
      })
      const created = await api(server.url, project.apiKey)<{ id: string }>(
        'POST',
        '/v1/triggers',
        {
          integration: 'custom',
          name: 'event',
          level: 'app',
          verification: { code },
        },
      )
      return `${server.url}/hooks/${created.id}`
    }
    const urlA = await trigger('A (floods)', hungry)
    const urlB = await trigger('B (innocent)', innocent)

    await measureB(urlB) // warm-up: threads started, QuickJS compiled
    const alone = await measureB(urlB)
    const rows: Record<string, string | number>[] = [row(kind, 'B alone', alone, alone, '')]
    for (const honour of [true, false]) {
      const flood = floodA(urlA, honour)
      const beside = await measureB(urlB)
      const statuses = await flood.stop()
      const what = `B beside A x${floodClients} (${honour ? 'A waits Retry-After' : 'A resends at once'})`
      rows.push(row(kind, what, beside, alone, JSON.stringify(statuses)))
    }
    return rows
  } finally {
    await server.stop()
    await store.drop()
  }
}

function row(store: string, what: string, s: Summary, alone: Summary, aStatuses: string) {
  return {
    store,
    what,
    'B requests': s.requests,
    'p50 ms': s.p50.toFixed(1),
    'p99 ms': s.p99.toFixed(1),
    'p50 ratio': (s.p50 / alone.p50).toFixed(2),
    'p99 ratio': (s.p99 / alone.p99).toFixed(2),
    "A's answers": aStatuses,
  }
}

const rows = []
for (const kind of stores) rows.push(...(await benchStore(kind)))
await report('sandbox-fairness', rows)
