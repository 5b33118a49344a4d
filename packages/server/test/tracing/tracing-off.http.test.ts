import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/store/index.ts'
import { tracingOn, tracingSettingsOf } from '../../src/tracing/index.ts'
import { createDestination, recordCreated } from '../delivery/fixtures.ts'
import { startReceiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.ts'

/*
 * Tracing stays off unless an exporter is configured. Here a collector is named but the
 * exporter is `none`: nothing may reach it, nothing is stored with the event, and webhooks
 * carry no traceparent (the caller's neither).
 */

let otlp: OtlpReceiver
let server: TestServer
let key: string

beforeAll(async () => {
  otlp = await startOtlpReceiver()
  Object.assign(process.env, {
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_BSP_SCHEDULE_DELAY: '50',
  })
  server = await startTestServer()
  ;({ apiKey: key } = await server.createProject())
})
afterAll(async () => {
  await server?.close()
  await otlp?.close()
})

describe('tracing off', () => {
  it('emits no span, stores no trace context and sends no traceparent', async () => {
    expect(tracingOn()).toBe(false)
    // No tracer provider was registered: the SDK was never loaded.
    const otelGlobal = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[
      Symbol.for('opentelemetry.js.api.1')
    ]
    expect(otelGlobal?.trace).toBeUndefined()
    const receiver = await startReceiver()
    await createDestination(server, key, { url: receiver.url, events: ['record.created'] })
    const traceId = randomBytes(16).toString('hex')
    const res = await server.api('POST', '/v1/events', {
      key,
      body: recordCreated,
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    })
    expect(res.status).toBe(202)
    const [webhook] = await receiver.waitForRequests(1, 30_000)
    expect(webhook!.headers.traceparent).toBeUndefined()
    const { rows } = await sql<{
      trace_context: string | null
    }>`select trace_context from events where id = ${res.body.id}`.execute(server.engine.db.kysely)
    expect(rows).toEqual([{ trace_context: null }])
    // What an exporter would have sent is flushed when the engine closes: still nothing.
    await waitFor(async () => {
      const delivered = await server.api('GET', `/v1/deliveries?eventId=${res.body.id}`, { key })
      return delivered.body.data?.[0]?.status === 'succeeded'
    }, 30_000)
    await server.close()
    expect(otlp.requests).toEqual([])
    await receiver.close()
  }, 90_000)
})

describe('tracingSettingsOf (the OTEL_* variables)', () => {
  it('is off without an exporter or an endpoint, and with OTEL_SDK_DISABLED', () => {
    expect(tracingSettingsOf({})).toBeNull()
    expect(
      tracingSettingsOf({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }),
    ).toBeNull()
    expect(
      tracingSettingsOf({
        OTEL_SDK_DISABLED: 'true',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      }),
    ).toBeNull()
    expect(
      tracingSettingsOf({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }),
    ).toBeNull()
  })

  it('turns on with an endpoint or a named exporter; protobuf unless http/json is asked', () => {
    expect(tracingSettingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toEqual({
      exporters: ['otlp'],
      protocol: 'http/protobuf',
      warnings: [],
    })
    expect(
      tracingSettingsOf({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      }),
    ).toMatchObject({ exporters: ['otlp'], protocol: 'http/json' })
    expect(
      tracingSettingsOf({
        OTEL_TRACES_EXPORTER: 'otlp,console',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      }),
    ).toMatchObject({ exporters: ['otlp', 'console'], protocol: 'http/protobuf' })
  })

  it('says what it cannot honour: gRPC, unknown exporters', () => {
    const settings = tracingSettingsOf({
      OTEL_TRACES_EXPORTER: 'otlp,zipkin',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    })
    expect(settings?.protocol).toBe('http/protobuf')
    expect(settings?.warnings.join('\n')).toMatch(/zipkin.*not supported/)
    expect(settings?.warnings.join('\n')).toMatch(/grpc.*not supported/)
  })
})
