import { isUtf8 } from 'node:buffer'
import fs from 'node:fs/promises'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { createTrigger, inboundConfig } from '../inbound/helpers.ts'

/*
 * Property-based /hooks (issue #24): generated bodies — JSON with strings jsonb cannot hold,
 * nesting on both sides of the limit, arbitrary bytes, forms with broken escapes — with and
 * without a content type. Every one is answered 2xx, and then routed within a bound with an
 * event that gives back what was sent, or answered 4xx with a code. None 5xx, none left
 * accepted or failed. Runs per family: SWITCHYARD_FUZZ_RUNS (default 40); the answers' statuses
 * go to test-results/hooks-fuzz.<store>.json.
 */

const runs = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 40)

let server: TestServer
let key: string
let plain: string
let split: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  key = (await server.createProject()).apiKey
  plain = (await createTrigger(server, key, {})).id
  // Routing reads the payload too: a split, and a body path into every item.
  split = (
    await createTrigger(server, key, {
      integration: 'slack',
      routing: {
        from: 'body',
        path: '$.team',
        fallbacks: [{ from: 'query', path: '$.t' }],
        split: '$[*]',
      },
    })
  ).id
  const credential = await server.api('PUT', '/v1/credentials/fuzz-cred', {
    key,
    body: { userId: 'u1', integration: 'slack', status: 'VALID', providerAccountId: 'T1' },
  })
  expect(credential.status).toBe(201)
}, 60_000)
afterAll(async () => {
  const dir = path.resolve(import.meta.dirname, '../../test-results')
  await fs.mkdir(dir, { recursive: true })
  const file = path.join(dir, `hooks-fuzz.${server?.engine.db.kind ?? 'unknown'}.json`)
  await fs.writeFile(file, JSON.stringify({ runsPerFamily: runs, statuses: counts }, null, 2))
  await server?.close()
})

// Units a hostile sender likes: NUL, both surrogate halves alone, quotes, escapes, brackets.
const weirdUnit = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\ud800',
    '\udfff',
    '"',
    '\\',
    '[',
    '{',
    '}',
    ']',
    '\u2028',
    '\uffff',
    'é',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
)
const weirdString = fc.string({ unit: weirdUnit, maxLength: 12 })

const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    weirdString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(weirdString, tie('value'), { maxKeys: 4 }),
  ),
}))

const contentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/x-www-form-urlencoded',
    'text/plain',
    'application/octet-stream',
    'text/xml',
  ),
  { nil: undefined },
)

/** A body family: its bytes, and the content types it is sent with. */
interface Input {
  family: string
  body: Buffer
  contentType: string | undefined
}

const families: [string, fc.Arbitrary<Buffer>][] = [
  ['json', jsonValue.map((v) => Buffer.from(JSON.stringify(v) ?? 'null'))],
  [
    'json numbers',
    fc
      .constantFrom('1e400', '-1e400', '12345678901234567890123', '-0', '0.1e-400', '[1e309]')
      .map((s) => Buffer.from(s)),
  ],
  [
    'deep',
    fc
      .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom(['[', ']'], ['{"a":', '}']))
      .map(([depth, [open, close]]) =>
        Buffer.from(open!.repeat(depth) + '1' + close!.repeat(depth)),
      ),
  ],
  ['bytes', fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b))],
  [
    'form',
    fc
      .string({
        unit: fc.constantFrom(
          'a',
          'b',
          '=',
          '&',
          '+',
          '%',
          '%00',
          '%FF',
          '%C3%A9',
          '%ED%A0%80',
          '%2',
          'é',
        ),
        maxLength: 30,
      })
      .map((s) => Buffer.from(s)),
  ],
]

const counts: Record<string, Record<string, number>> = {}

/** Sends one input; checks the answer, and for a 2xx that its row is routed with a faithful event. */
async function check(triggerId: string, input: Input): Promise<void> {
  const res = await fetch(`${server.url}/hooks/${triggerId}`, {
    method: 'POST',
    headers: input.contentType === undefined ? {} : { 'content-type': input.contentType },
    body: new Uint8Array(input.body),
  })
  const text = await res.text()
  const what = `${input.family} ${input.contentType} ${input.body.toString('base64').slice(0, 200)} → ${res.status} ${text.slice(0, 200)}`
  const tally = (counts[input.family] ??= {})
  tally[res.status] = (tally[res.status] ?? 0) + 1
  expect(res.status, what).toBeLessThan(500)
  if (res.status >= 400) {
    expect(JSON.parse(text).error.code, what).toMatch(/^[a-z_]+$/)
    return
  }
  expect(res.status, what).toBeGreaterThanOrEqual(200)
  const id = JSON.parse(text).id as string
  const row = await waitFor(async () => {
    const r = (await server.api('GET', `/v1/inbound-requests/${id}`, { key })).body
    // A failed try would wait a minute's lease: it is a failure here, not a wait.
    return r.outcome !== 'accepted' || r.routingAttempts > 0 ? r : undefined
  }, 15_000)
  expect(['routed', 'unrouted'], `${what}: ${row.outcome} ${row.reason}`).toContain(row.outcome)
  if (triggerId !== plain) return
  const event = (await server.api('GET', `/v1/events/${row.eventIds[0]}`, { key })).body
  expect(forwarded(event.data), what).toEqual(expected(input))
}

/** What the event gives back: the bytes when it carries them in base64, else the payload. */
function forwarded(data: { payload: unknown; payloadEncoding?: string }): unknown {
  return data.payloadEncoding === 'base64'
    ? { bytes: Buffer.from(data.payload as string, 'base64').toString('hex') }
    : { payload: data.payload }
}

/**
 * What a faithful event carries for the bytes sent, worked out apart from the code under test:
 * the parsed JSON, the form or the text when PostgreSQL holds it exactly, else the bytes.
 */
function expected(input: Input): unknown {
  const bytes = { bytes: input.body.toString('hex') }
  if (!isUtf8(input.body)) return bytes
  const text = input.body.toString('utf8')
  if (text.length > 0) {
    try {
      const value: unknown = JSON.parse(text)
      return storable(value) ? { payload: value } : bytes
    } catch {}
  }
  if ((input.contentType ?? '').startsWith('application/x-www-form-urlencoded'))
    return formValue(input.body) ?? bytes
  return text.includes('\u0000') ? bytes : { payload: text }
}

/** jsonb keeps it as it is: no NUL, no lone surrogate, no Infinity, no -0 (numeric has none). */
function storable(value: unknown): boolean {
  const ok = (s: string) => s.isWellFormed() && !s.includes('\u0000')
  if (typeof value === 'string') return ok(value)
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0)
  if (Array.isArray(value)) return value.every(storable)
  if (value && typeof value === 'object')
    return Object.entries(value).every(([k, v]) => ok(k) && storable(v))
  return true
}

function formValue(body: Buffer): { payload: Record<string, string | string[]> } | null {
  for (const [run] of body.toString('latin1').matchAll(/(?:%[0-9a-f]{2})+/gi)) {
    try {
      decodeURIComponent(run)
    } catch {
      return null
    }
  }
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) {
    if (k.includes('\u0000') || v.includes('\u0000')) return null
    const seen = out[k]
    out[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v]
  }
  return { payload: out }
}

describe('/hooks under generated bodies', () => {
  for (const [family, bodies] of families) {
    it(`${family}: each is a 2xx that routes faithfully, or a 4xx with a code`, async () => {
      await fc.assert(
        fc.asyncProperty(bodies, contentType, fc.boolean(), async (body, type, splitting) => {
          await check(splitting ? split : plain, { family, body, contentType: type })
        }),
        { numRuns: runs },
      )
    }, 300_000)
  }

  it('refuses exactly the bodies nested deeper than 512', async () => {
    const statusOf = async (depth: number) =>
      (
        await fetch(`${server.url}/hooks/${plain}`, {
          method: 'POST',
          body: new Uint8Array(Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
        })
      ).status
    expect(await statusOf(512)).toBe(200)
    expect(await statusOf(513)).toBe(400)
  })

  it('stays healthy after all of it', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    expect(Object.keys(counts).length).toBe(families.length)
  })
})
