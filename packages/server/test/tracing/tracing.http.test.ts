import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDestination, recordCreated } from '../delivery/fixtures.ts'
import { spawnTracked } from '../helpers/processes.ts'
import { startReceiver, statuses } from '../helpers/receiver.ts'
import { startTestServer, testSecretKey, type TestServer } from '../helpers/server.ts'
import { createTestDb } from '../helpers/test-db.ts'
import { waitFor } from '../helpers/wait.ts'
import { createTrigger, inboundConfig, sendHook } from '../inbound/helpers.ts'
import { createSync, files, runWith } from '../syncs/fixtures.ts'
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.ts'

/*
 * Tracing on, as an operator turns it on: OTEL_EXPORTER_OTLP_ENDPOINT names a collector (an
 * OTLP/HTTP receiver on loopback here). The SDK is the process's, so this file sets the
 * variables before its first engine starts; tracing-off.http.test.ts checks the default.
 */

const packageRoot = fileURLToPath(new URL('../..', import.meta.url))
const otelEnv = (otlp: OtlpReceiver) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
  // Spans leave within 50 ms instead of the default 5 s.
  OTEL_BSP_SCHEDULE_DELAY: '50',
  OTEL_SERVICE_NAME: 'switchyard-test',
})

let otlp: OtlpReceiver
let server: TestServer
let key: string

beforeAll(async () => {
  otlp = await startOtlpReceiver()
  Object.assign(process.env, otelEnv(otlp), { OTEL_RESOURCE_ATTRIBUTES: 'test.process=api' })
  server = await startTestServer({ config: inboundConfig })
  ;({ apiKey: key } = await server.createProject())
})
afterAll(async () => {
  await server?.close()
  await otlp?.close()
})

const newTraceId = () => randomBytes(16).toString('hex')
const newSpanId = () => randomBytes(8).toString('hex')

/** Waits until the receiver holds a span of each name in `traceId`; returns them by name. */
async function spansOf(traceId: string, names: string[]): Promise<Map<string, ReceivedSpan>> {
  return waitFor(
    () => {
      const found = new Map(
        otlp.spans.filter((s) => s.traceId === traceId).map((s) => [s.name, s] as const),
      )
      return names.every((n) => found.has(n)) ? found : undefined
    },
    30_000,
    50,
  )
}

const spanId = (traceparent: unknown) => String(traceparent).split('-')[2]

describe('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('follows POST /v1/events from the caller through ingest to the attempt, and the webhook carries the trace', async () => {
    const receiver = await startReceiver()
    const dest = await createDestination(server, key, {
      url: receiver.url,
      events: ['record.created'],
    })
    const traceId = newTraceId()
    const caller = newSpanId()
    const res = await server.api('POST', '/v1/events', {
      key,
      body: recordCreated,
      headers: { traceparent: `00-${traceId}-${caller}-01`, tracestate: 'vendor=abc' },
    })
    expect(res.status).toBe(202)
    const [webhook] = await receiver.waitForRequests(1, 30_000)
    expect(webhook!.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
    expect(webhook!.headers.tracestate).toBe('vendor=abc')

    const spans = await spansOf(traceId, [
      'POST /v1/events',
      'switchyard.ingest',
      'switchyard.attempt',
    ])
    const request = spans.get('POST /v1/events')!
    const ingest = spans.get('switchyard.ingest')!
    const attempt = spans.get('switchyard.attempt')!
    expect(request).toMatchObject({ parentSpanId: caller, kind: 2 })
    expect(request.attributes).toMatchObject({
      'http.route': '/v1/events',
      'http.response.status_code': 202,
    })
    expect(request.resource).toMatchObject({
      'service.name': 'switchyard-test',
      'test.process': 'api',
    })
    expect(ingest.parentSpanId).toBe(request.spanId)
    expect(ingest.attributes['switchyard.event.id']).toBe(res.body.id)
    // The attempt is a child of the ingest's stored context, and the webhook names the attempt.
    expect(attempt).toMatchObject({ parentSpanId: ingest.spanId, kind: 3 })
    expect(attempt.attributes).toMatchObject({
      'switchyard.destination.id': dest.id,
      'switchyard.event.id': res.body.id,
      'http.response.status_code': 200,
      'switchyard.outcome': 'delivered',
    })
    expect(spanId(webhook!.headers.traceparent)).toBe(attempt.spanId)
    // Linked to the claim that leased it (a root span of its own).
    const claim = otlp.spans.find((s) => s.spanId === attempt.links[0]?.spanId)
    expect(claim).toMatchObject({ name: 'switchyard.claim', parentSpanId: '' })
    // The fan-out (the events' insert with their deliveries) is a span too.
    await waitFor(() => otlp.spans.some((s) => s.name === 'switchyard.fanout'), 30_000)
    expect(otlp.requests.every((r) => r.path === '/v1/traces')).toBe(true)
    expect(otlp.spans[0]!.encoding).toBe('protobuf')
    await receiver.close()
  }, 90_000)

  it('leaves traceparent off the webhooks of a destination with traceContext: false, and records the failed attempt', async () => {
    const receiver = await startReceiver(statuses(500))
    const dest = await createDestination(server, key, {
      url: receiver.url,
      events: ['record.deleted'],
      traceContext: false,
    })
    expect(dest.traceContext).toBe(false)
    const shown = await server.api('GET', `/v1/destinations/${dest.id}`, { key })
    expect(shown.body.traceContext).toBe(false)
    const traceId = newTraceId()
    const res = await server.api('POST', '/v1/events', {
      key,
      body: { ...recordCreated, type: 'record.deleted' },
      headers: { traceparent: `00-${traceId}-${newSpanId()}-01` },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(202)
    const [webhook] = await receiver.waitForRequests(1, 30_000)
    expect(webhook!.headers.traceparent).toBeUndefined()
    const attempt = (await spansOf(traceId, ['switchyard.attempt'])).get('switchyard.attempt')!
    expect(attempt.attributes).toMatchObject({
      'switchyard.destination.id': dest.id,
      'http.response.status_code': 500,
      'error.type': 'http_status',
    })
    // Turned back on by a patch.
    const patched = await server.api('PATCH', `/v1/destinations/${dest.id}`, {
      key,
      body: { traceContext: true },
    })
    expect(patched.body.traceContext).toBe(true)
    // A test send is no attempt: it does not hand out the API request's trace.
    const tested = await server.api('POST', `/v1/destinations/${dest.id}/test`, {
      key,
      headers: { traceparent: `00-${newTraceId()}-${newSpanId()}-01` },
    })
    expect(tested.status).toBe(200)
    const testSend = receiver.requests.find((r) => r.body.includes('webhook.test'))
    expect(testSend).toBeDefined()
    expect(testSend!.headers.traceparent).toBeUndefined()
    await receiver.close()
  }, 90_000)

  it('follows a provider request on /hooks through routing to the delivery', async () => {
    const receiver = await startReceiver()
    await createDestination(server, key, { url: receiver.url, events: ['trigger.received'] })
    const trigger = await createTrigger(server, key, {})
    const traceId = newTraceId()
    const caller = newSpanId()
    const answer = await sendHook(server, trigger.id, {
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${caller}-01` },
      body: '{"hello":"trace"}',
    })
    expect(answer.status).toBe(200)
    const [webhook] = await receiver.waitForRequests(1, 30_000)
    expect(webhook!.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-`))
    const spans = await spansOf(traceId, [
      'POST /hooks/:triggerId',
      'switchyard.route',
      'switchyard.attempt',
    ])
    const request = spans.get('POST /hooks/:triggerId')!
    const route = spans.get('switchyard.route')!
    const attempt = spans.get('switchyard.attempt')!
    expect(request).toMatchObject({ parentSpanId: caller, kind: 2 })
    // The query is not recorded: a trigger may be verified by a token in it.
    expect(request.attributes['url.path']).toBe(`/hooks/${trigger.id}`)
    // Judged inside the request: handshake (none here) and verification as its children.
    expect(spans.get('switchyard.inbound.handshake')?.parentSpanId).toBe(request.spanId)
    expect(spans.get('switchyard.inbound.verify')).toMatchObject({
      parentSpanId: request.spanId,
      attributes: { 'switchyard.verified': true },
    })
    expect(route.parentSpanId).toBe(request.spanId)
    expect(route.attributes['switchyard.trigger.id']).toBe(trigger.id)
    expect(attempt.parentSpanId).toBe(route.spanId)
    expect(spanId(webhook!.headers.traceparent)).toBe(attempt.spanId)
    await receiver.close()
  }, 90_000)

  it('traces requests refused before their handler (a missing API key), not health probes', async () => {
    const probe = newTraceId()
    const health = await server.api('GET', '/healthz', {
      headers: { traceparent: `00-${probe}-${newSpanId()}-01` },
    })
    expect(health.status).toBe(200)
    const traceId = newTraceId()
    const res = await server.api('POST', '/v1/events', {
      body: recordCreated,
      headers: { traceparent: `00-${traceId}-${newSpanId()}-01` },
    })
    expect(res.status).toBe(401)
    const request = (await spansOf(traceId, ['POST /v1/events'])).get('POST /v1/events')!
    expect(request.attributes['http.response.status_code']).toBe(401)
    expect(otlp.spans.filter((s) => s.traceId === traceId)).toHaveLength(1)
    // The probe's span, had there been one, ended first and was exported with or before it.
    expect(otlp.spans.filter((s) => s.traceId === probe)).toEqual([])
  }, 60_000)

  it('traces a sync run page, and the record events it emits reach their destination in its trace', async () => {
    const { apiKey } = await server.createProject('Syncs')
    const receiver = await startReceiver()
    await createDestination(server, apiKey, { url: receiver.url, events: ['record.created'] })
    const syncId = await createSync(server.api, apiKey)
    await runWith(server.api, apiKey, syncId, 'INITIAL', { records: files('a') })
    await runWith(server.api, apiKey, syncId, 'INCREMENTAL', { records: files('a', 'b') })
    const [webhook] = await receiver.waitForRequests(1, 30_000)
    const traceId = String(webhook!.headers.traceparent).split('-')[1]!
    const spans = await spansOf(traceId, ['switchyard.sync.page', 'switchyard.attempt'])
    const page = spans.get('switchyard.sync.page')!
    expect(page.attributes['switchyard.sync.id']).toBe(syncId)
    const request = otlp.spans.find((s) => s.spanId === page.parentSpanId)
    expect(request?.kind).toBe(2)
    expect(request?.name).toMatch(/^POST \/v1\/syncs\//)
    expect(spans.get('switchyard.attempt')!.parentSpanId).toBe(page.spanId)
    await receiver.close()
  }, 90_000)
})

describe.runIf(process.env.DATABASE_URL)('a second worker process (PostgreSQL)', () => {
  it('makes the attempt, and its span joins the trace stored with the event', async () => {
    const db = await createTestDb()
    // This engine only answers the API: a delivery can only be sent by the worker process.
    const api = await startTestServer({ db, config: { role: 'api' } })
    const receiver = await startReceiver()
    const child = spawnTracked(process.execPath, ['src/cli/main.ts', 'start', '--role', 'worker'], {
      cwd: packageRoot,
      stdio: 'pipe',
      env: {
        ...process.env,
        ...otelEnv(otlp),
        // The worker exports OTLP/JSON; this process, protobuf.
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_RESOURCE_ATTRIBUTES: 'test.process=worker',
        DATABASE_URL: db.url!,
        SWITCHYARD_SECRET_KEY: testSecretKey,
        SWITCHYARD_ALLOW_PRIVATE_TARGETS: 'true',
        SWITCHYARD_LOG_LEVEL: 'warn',
      },
    })
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    try {
      const { apiKey } = await api.createProject()
      await createDestination(api, apiKey, { url: receiver.url, events: ['record.created'] })
      const traceId = newTraceId()
      const res = await api.api('POST', '/v1/events', {
        key: apiKey,
        body: recordCreated,
        headers: { traceparent: `00-${traceId}-${newSpanId()}-01` },
      })
      expect(res.status).toBe(202)
      const [webhook] = await receiver.waitForRequests(1, 60_000).catch((error: unknown) => {
        throw new Error(`${String(error)}; worker output: ${output}`)
      })
      const spans = await spansOf(traceId, ['switchyard.ingest', 'switchyard.attempt'])
      const ingest = spans.get('switchyard.ingest')!
      const attempt = spans.get('switchyard.attempt')!
      expect(ingest.resource['test.process']).toBe('api')
      expect(attempt.resource['test.process']).toBe('worker')
      expect(attempt.encoding).toBe('json')
      expect(attempt.parentSpanId).toBe(ingest.spanId)
      expect(spanId(webhook!.headers.traceparent)).toBe(attempt.spanId)
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
      await api.close()
      await receiver.close()
      await db.close()
    }
  }, 120_000)
})
