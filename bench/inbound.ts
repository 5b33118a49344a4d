/**
 * bench/inbound: verified requests/s through /hooks (the `github` HMAC preset, 2 KB bodies) with
 * answer latency, beside a bare Fastify route that only reads the body (bench/bare-hook.ts, its
 * own process), measured in the same run; then a paced run at 2,000 requests/s.
 *
 *   npm run bench:inbound                        # PostgreSQL at $DATABASE_URL (default local), then PGlite
 *   BENCH_STORES=postgres BENCH_SECONDS=20 npm run bench:inbound
 *   BENCH_SERVER_ROLE=api npm run bench:inbound  # receiving alone: no router in the server process
 *
 * Targets (issue 31, 4): >= 1.2x the requests/s of the same route storing each request before it
 * answers (one INSERT per request, PostgreSQL only): what keeping /hooks's promise costs the
 * usual way, beside what it costs /hooks; p99 <= 50 ms at 2,000 requests/s. (Issue 6's >= 50 % of
 * the bare route is retired.) Each saturated run also gives the CPU a request cost the server
 * process and the store's PostgreSQL backends (µs, server + PostgreSQL): on a machine other work
 * shares, requests/s follow the neighbours and CPU per request much less.
 * Afterwards every 200 is checked against the store: each answered request is stored accepted.
 */
import { createHmac } from 'node:crypto'
import pg from 'pg'
import { Pool as HttpPool } from 'undici'
import { processCpu, watchDatabaseCpu } from './cpu.ts'
import {
  api,
  freshStore,
  report,
  sleep,
  startLocalServer,
  startServer,
  timed,
  type Store,
} from './lib.ts'

const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const stores = (process.env.BENCH_STORES ?? 'postgres,pglite').split(',')
const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const clients = 32
const pacedRate = 2000
const secret = 'bench-hook-secret'

// 2 KB bodies, a few distinct ones so nothing downstream can cache a single answer.
const bodies = Array.from({ length: 16 }, (_, i) => {
  const body = JSON.stringify({
    action: 'opened',
    number: i,
    repository: { id: 1296269, full_name: 'octocat/Hello-World' },
    padding: 'x'.repeat(1900),
  })
  const signature = 'sha256=' + createHmac('sha256', secret).update(body).digest('hex')
  return { body, signature }
})

/**
 * Closed loop: `clients` connections sending back to back. Counts 200s; anything else throws.
 * With `cpuOf`, also the CPU each request cost the server process and the store's PostgreSQL
 * backends (cpu.ts): unlike requests/s, it holds when other work shares the machine.
 */
async function saturate(
  url: string,
  path: string,
  cpuOf?: { pid: number; databaseUrl: string | null },
) {
  const http = new HttpPool(url, { connections: clients })
  let i = 0
  const send = async () => {
    const { body, signature } = bodies[i++ % bodies.length]!
    const res = await http.request({
      method: 'POST',
      path,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signature,
        'x-github-event': 'pull_request',
      },
      body,
    })
    await res.body.dump()
    if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}`)
    return 1
  }
  try {
    const warmUp = await timed(clients, 1, send)
    const server = cpuOf ? processCpu(cpuOf.pid) : null
    const database = cpuOf?.databaseUrl
      ? await watchDatabaseCpu(baseUrl, new URL(cpuOf.databaseUrl).pathname.slice(1))
      : null
    const run = await timed(clients, seconds, send)
    const perRequest = (cpuSeconds: number) => Math.round((cpuSeconds * 1e6) / run.total)
    const cpu = {
      server: server ? perRequest(server()) : null,
      postgres: database ? perRequest(await database.stop()) : null,
    }
    return { ...run, answered: warmUp.total + run.total, cpu }
  } finally {
    await http.close()
  }
}

/**
 * Open loop at `rate`: requests leave on schedule whether or not earlier ones were answered, and
 * latency counts from the scheduled time, so a stall shows up instead of slowing the sender.
 */
async function paced(url: string, path: string, rate: number) {
  const http = new HttpPool(url, { connections: 256 })
  const tickMs = 5
  const perTick = (rate * tickMs) / 1000
  const latencies: number[] = []
  const inFlight: Promise<void>[] = []
  let failed = 0
  const t0 = performance.now()
  for (let tick = 0; tick < (seconds * 1000) / tickMs; tick++) {
    const due = t0 + tick * tickMs
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    for (let k = 0; k < perTick; k++) {
      const { body, signature } = bodies[(tick + k) % bodies.length]!
      inFlight.push(
        http
          .request({
            method: 'POST',
            path,
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
            body,
          })
          .then(async (res) => {
            await res.body.dump()
            if (res.statusCode === 200) latencies.push(performance.now() - due)
            else failed++
          }),
      )
    }
  }
  await Promise.all(inFlight)
  await http.close()
  latencies.sort((a, b) => a - b)
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN
  return {
    answered: latencies.length,
    failed,
    p50: pct(0.5),
    p99: pct(0.99),
    max: latencies.at(-1) ?? NaN,
  }
}

async function measure(store: Store) {
  const bare = await startLocalServer(new URL('./bare-hook.ts', import.meta.url).pathname)
  const bareRun = await saturate(bare.url, '/hooks/bare', {
    pid: bare.child.pid!,
    databaseUrl: null,
  })
  const barePaced = await paced(bare.url, '/hooks/bare', pacedRate)
  await bare.stop()
  // The same route storing each request first, on the same store (PostgreSQL only).
  let storedRun: Awaited<ReturnType<typeof saturate>> | null = null
  if (store.url) {
    const stored = await startLocalServer(new URL('./bare-hook.ts', import.meta.url).pathname, {
      env: { BARE_HOOK_DATABASE_URL: store.url },
    })
    storedRun = await saturate(stored.url, '/hooks/bare', {
      pid: stored.child.pid!,
      databaseUrl: store.url,
    })
    await stored.stop()
  }

  const server = await startServer(store, {
    SWITCHYARD_SECRET_KEY: 'bench-inbound-secret-key',
    SWITCHYARD_ROLE: process.env.BENCH_SERVER_ROLE ?? 'all',
  })
  try {
    const call = api(server.url, server.apiKey)
    const trigger = await call<{ id: string }>('POST', '/v1/triggers', {
      integration: 'github',
      name: 'pull_request',
      level: 'app',
      setup: { mode: 'manual' },
      verification: { preset: 'github', secrets: [secret] },
    })
    const path = `/hooks/${trigger.id}`
    const hookRun = await saturate(server.url, path, {
      pid: server.child.pid!,
      databaseUrl: store.url,
    })
    const hookPaced = await paced(server.url, path, pacedRate)
    const answered = hookRun.answered + hookPaced.answered
    // Every 200 was stored before it was sent: count the trigger's requests in the log.
    let stored: number | string = 'n/a'
    if (store.url) {
      await sleep(500)
      const c = new pg.Client({ connectionString: store.url })
      await c.connect()
      const r = await c.query(
        `select count(*)::int as n from inbound_requests where trigger_id = $1 and outcome <> 'rejected'`,
        [trigger.id],
      )
      await c.end()
      stored = r.rows[0].n
    }
    return { bareRun, barePaced, storedRun, hookRun, hookPaced, answered, stored }
  } finally {
    await server.stop()
  }
}

const rows: Record<string, string | number>[] = []
const ms = (n: number) => n.toFixed(1)
/** `server + PostgreSQL = total` µs per request; the server alone on PGlite (its store is in it). */
// How many requests /hooks serves for the CPU one request of the storing route costs.
const cpuRatio = (
  stored: { server: number | null; postgres: number | null },
  hooks: { server: number | null; postgres: number | null },
) => {
  const total = (c: typeof stored) => (c.server ?? 0) + (c.postgres ?? 0)
  return total(hooks) > 0 ? `; ${(total(stored) / total(hooks)).toFixed(2)} by CPU` : ''
}
const cpuColumn = (cpu: { server: number | null; postgres: number | null }) =>
  cpu.postgres === null
    ? `${cpu.server}`
    : `${cpu.server} + ${cpu.postgres} = ${(cpu.server ?? 0) + cpu.postgres}`
for (const kind of stores) {
  const store = await freshStore(kind === 'postgres' ? baseUrl : null)
  try {
    console.error(`[${kind}] measuring`)
    const m = await measure(store)
    rows.push(
      {
        store: kind,
        what: `bare Fastify route, ${clients} clients`,
        'req/s': Math.round(m.bareRun.perSecond),
        'p50 ms': ms(m.bareRun.p50),
        'p99 ms': ms(m.bareRun.p99),
        'CPU µs/req': cpuColumn(m.bareRun.cpu),
        ratio: '1.00 (baseline)',
      },
      ...(m.storedRun
        ? [
            {
              store: kind,
              what: `bare route + INSERT per request, ${clients} clients`,
              'req/s': Math.round(m.storedRun.perSecond),
              'p50 ms': ms(m.storedRun.p50),
              'p99 ms': ms(m.storedRun.p99),
              'CPU µs/req': cpuColumn(m.storedRun.cpu),
              ratio: (m.storedRun.perSecond / m.bareRun.perSecond).toFixed(2),
            },
          ]
        : []),
      {
        store: kind,
        what: `/hooks github HMAC, ${clients} clients`,
        'req/s': Math.round(m.hookRun.perSecond),
        'p50 ms': ms(m.hookRun.p50),
        'p99 ms': ms(m.hookRun.p99),
        'CPU µs/req': cpuColumn(m.hookRun.cpu),
        ratio:
          (m.hookRun.perSecond / m.bareRun.perSecond).toFixed(2) +
          (m.storedRun
            ? `; ${(m.hookRun.perSecond / m.storedRun.perSecond).toFixed(2)} of the storing route (target >= 1.2)` +
              cpuRatio(m.storedRun.cpu, m.hookRun.cpu)
            : ''),
      },
      {
        store: kind,
        what: `bare route paced at ${pacedRate}/s`,
        'req/s': Math.round(m.barePaced.answered / seconds),
        'p50 ms': ms(m.barePaced.p50),
        'p99 ms': ms(m.barePaced.p99),
        ratio: `${m.barePaced.failed} failed`,
      },
      {
        store: kind,
        what: `/hooks paced at ${pacedRate}/s`,
        'req/s': Math.round(m.hookPaced.answered / seconds),
        'p50 ms': ms(m.hookPaced.p50),
        'p99 ms': ms(m.hookPaced.p99) + ' (target <= 50)',
        ratio: `${m.hookPaced.failed} failed; ${m.stored} of ${m.answered} answered 200 stored`,
      },
    )
  } finally {
    await store.drop()
  }
}
await report('inbound', rows)
