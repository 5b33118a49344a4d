import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
// @ts-expect-error the parser ships no types; its shape is described by `Family` below
import parsePrometheus from 'parse-prometheus-text-format'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReceiver, statuses, type Receiver } from '../helpers/receiver.ts'
import { adminToken, startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { createTrigger, inboundConfig, inboundRequests, sendHook } from '../inbound/helpers.ts'
import { createDestination, publish } from '../delivery/fixtures.ts'
import { createSync, files, runWith } from '../syncs/fixtures.ts'

/** A metric family as the parser gives it (histograms carry buckets, count and sum). */
interface Family {
  name: string
  type: string
  metrics: { value?: string; labels?: Record<string, string>; count?: string; sum?: string }[]
}

async function scrape(url: string, token?: string): Promise<Map<string, Family>> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {})
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  const families = parsePrometheus(await res.text()) as Family[]
  return new Map(families.map((family) => [family.name, family]))
}

/** The sum of a counter's or gauge's series whose labels include `labels`. */
function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}) {
  const family = families.get(name)
  if (!family) return 0
  let total = 0
  for (const series of family.metrics)
    if (Object.entries(labels).every(([k, v]) => series.labels?.[k] === v))
      total += Number(series.value ?? series.count ?? 0)
  return total
}

let server: TestServer
let receiver: Receiver
let key: string
let projectId: string
const metricsUrl = () => `${server.url}/metrics`

beforeAll(async () => {
  server = await startTestServer({ config: { ...inboundConfig, metricsIntervalMs: 1 } })
  receiver = await startReceiver()
  ;({ apiKey: key, projectId } = await server.createProject())
})
afterAll(async () => {
  await server.close()
  await receiver.close()
})

describe('GET /metrics', () => {
  it('counts attempts, completed deliveries and their latencies after real deliveries', async () => {
    const before = await scrape(metricsUrl())
    const dest = await createDestination(server, key, { url: receiver.url, events: ['*'] })
    receiver.answer(statuses(500, 200, 200))
    await publish(server, key)
    await publish(server, key)
    await receiver.waitForRequests(3, 60_000)
    const labels = { format: 'standard', destination_type: 'webhook' }
    const after = await waitFor(async () => {
      const now = await scrape(metricsUrl())
      const done = valueOf(now, 'switchyard_deliveries_completed_total', {
        ...labels,
        status: 'succeeded',
      })
      const base = valueOf(before, 'switchyard_deliveries_completed_total', {
        ...labels,
        status: 'succeeded',
      })
      return done - base >= 2 ? now : undefined
    }, 60_000)
    const delta = (name: string, l: Record<string, string>) =>
      valueOf(after, name, l) - valueOf(before, name, l)
    expect(delta('switchyard_attempts_total', { ...labels, outcome: 'delivered' })).toBe(2)
    expect(
      delta('switchyard_attempts_total', {
        ...labels,
        outcome: 'failed',
        error_class: 'http_status',
      }),
    ).toBe(1)
    expect(delta('switchyard_attempt_duration_seconds', {})).toBe(3)
    expect(delta('switchyard_delivery_latency_seconds', {})).toBe(2)
    expect(
      delta('switchyard_events_published_total', { type: 'record.created' }),
    ).toBeGreaterThanOrEqual(2)
    // The webhook and the project's default email destination.
    const listed = await server.api('GET', '/v1/destinations', { key })
    expect(listed.body.data.map((d: { id: string }) => d.id)).toContain(dest.id)
    const enabled = valueOf(after, 'switchyard_destinations', {
      project: projectId,
      state: 'enabled',
    })
    expect(enabled).toBe(listed.body.data.length)
  }, 120_000)

  it('shows the backlog: pending, due, and how late the oldest due delivery is', async () => {
    const { apiKey, projectId: other } = await server.createProject('Backlog')
    const hanging = await startReceiver((_request, _res) => {})
    await createDestination(server, apiKey, { url: hanging.url, events: ['*'], timeoutMs: 30_000 })
    await publish(server, apiKey)
    await hanging.waitForRequests(1, 60_000)
    // Being sent, it stays pending under its lease.
    const families = await waitFor(async () => {
      const now = await scrape(metricsUrl())
      return valueOf(now, 'switchyard_deliveries_pending', { project: other }) === 1
        ? now
        : undefined
    }, 30_000)
    expect(families.get('switchyard_oldest_due_delivery_age_seconds')?.type).toBe('GAUGE')
    expect(valueOf(families, 'switchyard_deliveries_held', { project: other })).toBe(0)
    await hanging.close()
  }, 120_000)

  it('counts /hooks answers by outcome and reason, and what the router made of them', async () => {
    const secret = 'metrics-github-secret-01'
    const trigger = await createTrigger(server, key, {
      verification: { preset: 'github', secrets: [secret] },
    })
    const before = await scrape(metricsUrl())
    const body = '{"zen":"metrics"}'
    const signature = 'sha256=' + createHmac('sha256', secret).update(body).digest('hex')
    const headers = { 'content-type': 'application/json', 'x-hub-signature-256': signature }
    expect((await sendHook(server, trigger.id, { headers, body })).status).toBe(200)
    expect(
      (
        await sendHook(server, trigger.id, {
          headers: { ...headers, 'x-hub-signature-256': 'sha256=00' },
          body,
        })
      ).status,
    ).toBe(401)
    expect((await sendHook(server, '01900000-0000-7000-8000-000000000000', { body })).status).toBe(
      404,
    )
    await waitFor(async () => {
      const requests = await inboundRequests(server, key, trigger.id)
      return requests.some((r) => r.outcome === 'routed' || r.outcome === 'unrouted')
    }, 60_000)
    const after = await waitFor(async () => {
      const now = await scrape(metricsUrl())
      const routed =
        valueOf(now, 'switchyard_inbound_routed_total') -
        valueOf(before, 'switchyard_inbound_routed_total')
      return routed >= 1 ? now : undefined
    }, 30_000)
    const delta = (l: Record<string, string>) =>
      valueOf(after, 'switchyard_inbound_requests_total', l) -
      valueOf(before, 'switchyard_inbound_requests_total', l)
    expect(delta({ outcome: 'accepted', reason: 'accepted' })).toBe(1)
    expect(delta({ outcome: 'rejected', reason: 'rejected' })).toBe(1)
    expect(delta({ outcome: 'rejected', reason: 'unknown_trigger' })).toBe(1)
  }, 120_000)

  it('counts a sync run and its records by change kind', async () => {
    const before = await scrape(metricsUrl())
    const syncId = await createSync(server.api, key)
    await runWith(server.api, key, syncId, 'INITIAL', { records: files('a', 'b') })
    await runWith(server.api, key, syncId, 'INCREMENTAL', {
      records: [...files('a', 'c'), { externalId: 'b', data: { title: 'Renamed' } }],
    })
    const after = await waitFor(async () => {
      const now = await scrape(metricsUrl())
      const d = (type: string) =>
        valueOf(now, 'switchyard_events_published_total', { type }) -
        valueOf(before, 'switchyard_events_published_total', { type })
      return d('sync.completed') >= 1 && d('record.updated') >= 1 ? now : undefined
    }, 30_000)
    const d = (type: string) =>
      valueOf(after, 'switchyard_events_published_total', { type }) -
      valueOf(before, 'switchyard_events_published_total', { type })
    expect(d('record.created')).toBe(1)
    expect(d('record.updated')).toBe(1)
    // An INITIAL run reports its end; an INCREMENTAL one, its records.
    expect(d('sync.completed')).toBe(1)
  }, 120_000)

  it('has the process defaults and the sandbox gauges', async () => {
    const families = await scrape(metricsUrl())
    expect(families.has('process_cpu_seconds_total')).toBe(true)
    expect(families.has('nodejs_eventloop_lag_p99_seconds')).toBe(true)
    expect(families.get('switchyard_sandbox_queue_length')?.type).toBe('GAUGE')
    if (server.engine.db.kind === 'postgres')
      expect(valueOf(families, 'switchyard_store_pool_connections', { state: 'max' })).toBe(20)
  })
})

describe('the docs', () => {
  it('document every metric served, and the alerts and dashboard use only served ones', async () => {
    const served = [...(await scrape(metricsUrl())).keys()].filter((n) =>
      n.startsWith('switchyard_'),
    )
    const docs = (file: string) =>
      readFileSync(new URL(`../../../../docs/${file}`, import.meta.url), 'utf8')
    const guide = docs('operations.md')
    for (const name of served) expect(guide, name).toContain(`\`${name}\``)
    const used = (text: string) =>
      new Set([...text.matchAll(/switchyard_[a-z_]+/g)].map((m) => m[0].replace(/_bucket$/, '')))
    // The pool gauge exists on PostgreSQL only (PGlite has no pool).
    const pglite = server.engine.db.kind === 'pglite'
    for (const name of [
      ...used(docs('prometheus-alerts.yml')),
      ...used(docs('grafana-dashboard.json')),
    ])
      if (!(pglite && name === 'switchyard_store_pool_connections'))
        expect(served, name).toContain(name)
  })
})

describe('who may read /metrics', () => {
  it('needs the metrics token (or the instance token) once one is set', async () => {
    const guarded = await startTestServer({ config: { metricsToken: 'scrape-token-1' } })
    try {
      const refused = await fetch(`${guarded.url}/metrics`)
      expect(refused.status).toBe(401)
      expect((await refused.json()).error.code).toBe('metrics_token_required')
      const wrong = await fetch(`${guarded.url}/metrics`, {
        headers: { authorization: 'Bearer nope' },
      })
      expect(wrong.status).toBe(401)
      const { apiKey } = await guarded.createProject()
      const projectKey = await fetch(`${guarded.url}/metrics`, {
        headers: { authorization: `Bearer ${apiKey}` },
      })
      expect(projectKey.status).toBe(401)
      await scrape(`${guarded.url}/metrics`, 'scrape-token-1')
      await scrape(`${guarded.url}/metrics`, adminToken)
    } finally {
      await guarded.close()
    }
  }, 120_000)

  it('is not served, nor counted, with SWITCHYARD_METRICS=off', async () => {
    const off = await startTestServer({ config: { metrics: false } })
    try {
      expect((await fetch(`${off.url}/metrics`)).status).toBe(404)
      expect(off.engine.metricsUrl).toBeNull()
    } finally {
      await off.close()
    }
  })

  it('serves on a port of its own when SWITCHYARD_METRICS_PORT is set, and not on the API port', async () => {
    const apart = await startTestServer({ config: { metricsPort: 0 } })
    try {
      expect((await fetch(`${apart.url}/metrics`)).status).toBe(404)
      const families = await scrape(apart.engine.metricsUrl!)
      expect(families.has('switchyard_attempts_total')).toBe(true)
    } finally {
      await apart.close()
    }
  })
})
