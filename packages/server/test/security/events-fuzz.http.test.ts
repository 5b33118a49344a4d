import fs from 'node:fs/promises'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorCatalog } from '../../src/errors.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { createTenant, must, type Tenant } from './tenants.ts'

/*
 * Generated bodies for POST /v1/events (and /batch): valid envelopes whose data holds any JSON
 * (NUL, lone surrogates, deep nesting, huge numbers, odd keys), and raw garbage. Each must be
 * a 202 whose event reads back equal to what JSON.parse makes of the body and is delivered, or
 * a 4xx with a catalogue code; never a 5xx. Runs per property: SWITCHYARD_FUZZ_RUNS (default 60).
 */

const runs = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 60)

let server: TestServer
let tenant: Tenant
let receiver: Receiver
/** Ids of the events answered 202: each must reach the receiver. */
const accepted = new Set<string>()
/** Answers by input kind and status or code, written to test-results/events-fuzz.<store>.json. */
const tally: Record<string, Record<string, number>> = {}

beforeAll(async () => {
  server = await startTestServer({ config: { secretKey: 'events-fuzz-key' } })
  tenant = await createTenant(server, 'f')
  receiver = await startReceiver()
  await must(server, 201, 'POST', '/v1/destinations', tenant.keys.admin, {
    url: receiver.url,
    events: ['integration.installed', 'record.updated'],
  })
}, 60_000)
afterAll(async () => {
  const dir = path.resolve(import.meta.dirname, '../../test-results')
  await fs.mkdir(dir, { recursive: true })
  const file = path.join(dir, `events-fuzz.${server?.engine.db.kind ?? 'unknown'}.json`)
  await fs.writeFile(file, JSON.stringify({ runs, accepted: accepted.size, tally }, null, 2))
  await server?.close()
  await receiver?.close()
})

/** A number written as JSON text: some have no exact JavaScript value (1e400, 20 digits). */
class RawNumber {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

/** JSON text of a generated value: `RawNumber`s verbatim, strings as JSON.stringify writes them. */
function toJson(value: unknown): string {
  if (value instanceof RawNumber) return value.text
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`
  return JSON.stringify(value)
}

// Mostly any code point, sometimes the ones storage has trouble with.
const oddUnit = fc.oneof(
  { weight: 40, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '\u0000',
      '\ud800',
      '\udbff',
      '\udc00',
      '\udfff',
      '\u2028',
      '\ufeff',
      '\uffff',
      '\\u0000',
      '"',
      '\\',
      '~',
      '/',
    ),
  },
)
const oddText = fc.string({ unit: oddUnit, maxLength: 24 })
const oddKey = fc.oneof(
  { weight: 6, arbitrary: oddText },
  { weight: 1, arbitrary: fc.constantFrom('', '__proto__', 'constructor', 'prototype', 'a/b~c') },
)
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    ...['1e308', '-1e308', '1e400', '-1e400', '5e-324', '1e-400', '-0', '12345678901234567890'].map(
      (t) => new RawNumber(t),
    ),
    new RawNumber('9'.repeat(320)),
  ),
)
const oddJson = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    oddText,
    oddNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(oddKey, tie('value'), { maxKeys: 4 }),
  ),
})).value

// Arrays or objects nested around the depth limit (512, the envelope adds three).
const deepJson = fc
  .tuple(fc.integer({ min: 400, max: 600 }), fc.boolean(), oddJson)
  .map(([depth, arrays, leaf]) => {
    let value: unknown = leaf
    for (let i = 0; i < depth; i++) value = arrays ? [value] : { d: value }
    return value
  })

const envelope = fc.record(
  {
    type: fc.constantFrom('integration.installed', 'record.updated'),
    metadata: fc.oneof({ weight: 5, arbitrary: oddJson }, { weight: 1, arbitrary: deepJson }),
    userId: fc.oneof(
      { weight: 5, arbitrary: fc.string({ unit: oddUnit, minLength: 1, maxLength: 24 }) },
      { weight: 1, arbitrary: oddText },
    ),
    occurredAt: fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString()),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom('0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999+14:00'),
      },
      { weight: 1, arbitrary: oddText },
    ),
  },
  { requiredKeys: ['type', 'metadata'] },
)

/** The event's JSON text: its data shaped as the type needs, the generated value inside. */
function eventText(e: { type: string; metadata: unknown; userId?: string; occurredAt?: string }) {
  const data =
    e.type === 'integration.installed'
      ? { metadata: { value: e.metadata } }
      : { syncId: 's', model: 'm', recordId: 'r', record: { value: e.metadata } }
  const event: Record<string, unknown> = { type: e.type, data }
  if (e.userId !== undefined) event.userId = e.userId
  if (e.occurredAt !== undefined) event.occurredAt = e.occurredAt
  return toJson(event)
}

type Body = { kind: string; bytes: Buffer; contentType: string | null }

const events: fc.Arbitrary<Body> = fc.oneof(
  { weight: 8, arbitrary: envelope.map((e) => json('event', eventText(e))) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('application/json', null, 'text/plain'),
      )
      .map(([bytes, contentType]) => ({ kind: 'garbage', bytes: Buffer.from(bytes), contentType })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(envelope, fc.nat()).map(([e, cut]) => {
      const text = eventText(e)
      return json('truncated', text.slice(0, cut % Math.max(1, text.length)))
    }),
  },
)

const batches: fc.Arbitrary<Body> = fc
  .array(envelope, { minLength: 1, maxLength: 4 })
  .map((list) => json('batch', `{"events":[${list.map(eventText).join(',')}]}`))

function json(kind: string, text: string): Body {
  return { kind, bytes: Buffer.from(text, 'utf8'), contentType: 'application/json' }
}

// What a 202 promises: the event as JSON.parse reads the body (-0 is 0 once stored as JSON).
const asStored = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown

async function post(path: string, body: Body) {
  const headers: Record<string, string> = { authorization: `Bearer ${tenant.keys.member}` }
  if (body.contentType) headers['content-type'] = body.contentType
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers,
    body: new Uint8Array(body.bytes),
  })
  const text = await res.text()
  return { status: res.status, text, body: (() => JSON.parse(text || 'null'))() as any }
}

/** Checks one answer; returns the accepted events' ids. */
async function check(body: Body, answer: Awaited<ReturnType<typeof post>>, sent: unknown[]) {
  const batch = body.kind === 'batch'
  const what = `${body.kind} → ${answer.status} ${answer.text.slice(0, 300)}`
  const outcome = answer.status === 202 ? '202' : `${answer.status} ${answer.body?.error?.code}`
  const byKind = (tally[body.kind] ??= {})
  byKind[outcome] = (byKind[outcome] ?? 0) + 1
  expect(answer.status, what).toBeLessThan(500)
  if (answer.status >= 400) {
    const code = answer.body?.error?.code as keyof typeof errorCatalog
    expect(Object.keys(errorCatalog), what).toContain(code)
    expect(errorCatalog[code].status, what).toBe(answer.status)
    return
  }
  expect(answer.status, what).toBe(202)
  const stored: { id: string }[] = batch ? answer.body.data : [answer.body]
  expect(stored).toHaveLength(sent.length)
  for (const [i, event] of stored.entries()) {
    const back = await must(server, 200, 'GET', `/v1/events/${event.id}`, tenant.keys.viewer)
    expect(back.data, what).toEqual(asStored((sent[i] as { data: unknown }).data))
    accepted.add(event.id)
  }
}

describe('POST /v1/events with generated bodies', () => {
  it('answers each 202 (reads back equal) or 4xx with a catalogue code, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(events, async (body) => {
        const answer = await post('/v1/events', body)
        const sent = answer.status === 202 ? [JSON.parse(body.bytes.toString('utf8'))] : []
        await check(body, answer, sent)
      }),
      { numRuns: runs },
    )
  }, 300_000)

  it('does the same for POST /v1/events/batch', async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (body) => {
        const answer = await post('/v1/events/batch', body)
        const sent = answer.status === 202 ? JSON.parse(body.bytes.toString('utf8')).events : []
        await check(body, answer, sent)
      }),
      { numRuns: Math.max(1, Math.ceil(runs / 3)) },
    )
  }, 300_000)

  it('delivers every accepted event: none is stuck', async () => {
    const ids = [...accepted]
    await waitFor(() => {
      const delivered = new Set(receiver.requests.map((r) => JSON.parse(r.body).id as string))
      return ids.every((id) => delivered.has(id)) || undefined
    }, 60_000)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  }, 90_000)
})
