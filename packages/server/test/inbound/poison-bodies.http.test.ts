import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import {
  createTrigger,
  inboundConfig,
  inboundRequests,
  sendHook,
  triggerEvents,
} from './helpers.ts'

/*
 * Issue #24 item 6: bodies PostgreSQL's jsonb cannot hold, or JSON.stringify cannot write again,
 * were answered 200 and then never routed. Each one here is either refused with a 4xx before it
 * is acknowledged, or acknowledged and routed to a `trigger.received` event that gives back
 * exactly what the provider sent.
 */

let server: TestServer
let key: string
let triggerId: string
beforeAll(async () => {
  server = await startTestServer({ config: inboundConfig })
  key = (await server.createProject()).apiKey
  triggerId = (await createTrigger(server, key, {})).id
})
afterAll(() => server.close())

const json = 'application/json'
const form = 'application/x-www-form-urlencoded'

/** Sends a body, expects a 2xx, waits for its row to be routed, and returns its event. */
async function routedEvent(contentType: string, body: string | Buffer, query?: string) {
  const res = await sendHook(server, triggerId, {
    headers: { 'content-type': contentType },
    body,
    query,
  })
  expect(res.status, res.text).toBe(200)
  const row = await waitFor(async () => {
    const [latest] = await inboundRequests(server, key, triggerId)
    return latest && latest.outcome !== 'accepted' ? latest : undefined
  }, 15_000)
  expect(row.outcome).toBe('routed')
  const events = await triggerEvents(server, key)
  const event = events.find((e) => e.data.inboundRequestId === row.id)
  expect(event, 'the routed request has its event').toBeDefined()
  return event.data as Record<string, any>
}

/** The bytes the event gives back: decoded when it carries them in base64. */
function bytesOf(data: Record<string, any>): Buffer {
  expect(data.payloadEncoding).toBe('base64')
  return Buffer.from(data.payload as string, 'base64')
}

describe('bodies jsonb cannot hold are routed, byte for byte', () => {
  const cases: [string, string, string | Buffer][] = [
    ['NUL in a JSON string', json, '{"text":"a\\u0000b","n":1}'],
    ['a lone surrogate in a JSON string', json, '{"text":"\\ud800"}'],
    ['a lone low surrogate', json, '["\\udc00"]'],
    ['NUL in a JSON key', json, '{"\\u0000key":1}'],
    ['a form x=%00', form, 'x=%00&y=1'],
    ['a form escape that is not UTF-8 (x=%FF)', form, 'x=%FF'],
    ['a NUL byte in a text body', 'text/plain', Buffer.from('line\u0000end')],
    ['bytes that are not UTF-8', 'application/octet-stream', Buffer.from([0, 0xff, 0xfe, 0x80, 1])],
    ['a number JSON.parse reads as Infinity', json, '{"n":1e400}'],
  ]
  for (const [name, contentType, body] of cases) {
    it(`routes ${name}, and its event gives back the bytes sent`, async () => {
      const data = await routedEvent(contentType, body)
      expect(bytesOf(data).equals(Buffer.from(body))).toBe(true)
    })
  }

  it('forwards ordinary JSON as parsed, without an encoding', async () => {
    const data = await routedEvent(json, '{"team_id":"T1","text":"héllo ✓ \\u00e9"}')
    expect(data.payload).toEqual({ team_id: 'T1', text: 'héllo ✓ é' })
    expect(data.payloadEncoding).toBeUndefined()
  })

  it('routes a query with %00, keeping the query as received beside the parsed one', async () => {
    const data = await routedEvent(json, '{"ok":true}', 'x=%00&page=2')
    expect(data.payload).toEqual({ ok: true })
    expect(data.query).toEqual({ page: '2' })
    expect(data.queryString).toBe('x=%00&page=2')
  })

  it('routes JSON nested 512 deep, the most /hooks takes, as parsed', async () => {
    const body = '['.repeat(512) + ']'.repeat(512)
    const data = await routedEvent(json, body)
    expect(JSON.stringify(data.payload)).toBe(body)
  })
})

describe('bodies nested too deep', () => {
  it('answers 10,000-deep JSON 400 json_too_deep, logged as rejected with an excerpt', async () => {
    const body = '['.repeat(10_000) + ']'.repeat(10_000)
    const res = await sendHook(server, triggerId, { headers: { 'content-type': json }, body })
    expect(res.status).toBe(400)
    expect(JSON.parse(res.text).error.code).toBe('json_too_deep')
    const [row] = await inboundRequests(server, key, triggerId)
    expect(row).toMatchObject({
      outcome: 'rejected',
      responseStatus: 400,
      bodySize: 20_000,
      bodyTruncated: true,
    })
    expect(row.reason).toMatch(/deeper than 512/)
    expect(row.body).toBe('['.repeat(4096))
  })

  it('refuses depth 513 whatever the content type, and ignores brackets inside strings', async () => {
    const deep = '{"a":'.repeat(513) + '1' + '}'.repeat(513)
    const res = await sendHook(server, triggerId, {
      headers: { 'content-type': 'text/plain' },
      body: deep,
    })
    expect(res.status).toBe(400)
    const quoted = JSON.stringify({ text: '['.repeat(5000), more: '"\\[' })
    const data = await routedEvent(json, quoted)
    expect(data.payload).toEqual(JSON.parse(quoted))
  })
})
