import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClock } from '../helpers/clock.ts'
import { rawRequest } from '../helpers/raw-http.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { must } from './tenants.ts'

/*
 * Rate limits keyed on what a lookup resolved, not on the raw request: one key spelled many
 * ways, or a trigger id in another letter case, is one bucket; tokens that resolve to nothing
 * share one bucket instead of each getting a fresh one.
 */

const burst = 5
// Next to no refill while a test runs, so counts are exact; `refill()` moves the clock instead.
const perSecond = 0.001
const clock = createClock()
const refill = () => clock.advance(1000 * burst * 1000)

let server: TestServer
let key: string
let triggerId: string

beforeAll(async () => {
  server = await startTestServer({
    now: clock.now,
    config: {
      rateLimitPerSecond: perSecond,
      rateLimitBurst: burst,
      hookRateLimitPerSecond: perSecond,
      hookRateLimitBurst: burst,
    },
  })
  ;({ apiKey: key } = await server.createProject())
  triggerId = (
    await must(server, 201, 'POST', '/v1/triggers', key, {
      integration: 'custom',
      name: 'event',
      level: 'app',
    })
  ).id
})
afterAll(() => server?.close())

/** GET /v1/event-types with this exact Authorization header value. */
async function withAuthorization(value: string) {
  const exchange = rawRequest(
    server.url,
    `GET /v1/event-types HTTP/1.1\r\nhost: x\r\nauthorization: ${value}\r\nconnection: close\r\n\r\n`,
  )
  const answer = await exchange.answer
  exchange.close()
  return { status: answer?.status, code: answer && JSON.parse(answer.body || '{}').error?.code }
}

describe('the per-key bucket', () => {
  it('is one bucket for every spelling of the same key', async () => {
    refill()
    const spellings = [
      `Bearer ${key}`,
      `bearer ${key}`,
      `BEARER ${key}`,
      `Bearer  ${key}`,
      `Bearer ${key} `,
      `bEaReR\t${key}`,
    ]
    const statuses = []
    for (const spelling of spellings) statuses.push((await withAuthorization(spelling)).status)
    // Keyed on the raw header, each spelling had a fresh bucket and all six passed.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
  })

  it('gives tokens that resolve to nothing one shared bucket, apart from valid keys', async () => {
    refill()
    const answers = []
    for (let i = 0; i <= burst; i++)
      answers.push(await withAuthorization(`Bearer sy_not_a_key_${i}_${'x'.repeat(20)}`))
    // Each made-up token used to be a fresh bucket: an endless supply of 401s, and of map
    // entries that pushed real clients' buckets out.
    expect(answers.slice(0, burst).every((a) => a.code === 'unauthorized')).toBe(true)
    expect(answers[burst]).toEqual({ status: 429, code: 'rate_limited' })
    // The valid key's bucket is its own.
    expect((await withAuthorization(`Bearer ${key}`)).status).toBe(200)
  })

  it('answers 429 before reading the body, with Retry-After', async () => {
    refill()
    for (let i = 0; i < burst; i++) await withAuthorization(`Bearer ${key}`)
    // The body is announced but never sent: only an answer given before reading it arrives.
    const exchange = rawRequest(
      server.url,
      `POST /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\n` +
        `content-type: application/json\r\ncontent-length: 100000\r\n\r\n{"type":`,
    )
    const answer = await exchange.answer
    exchange.close()
    expect(answer?.status).toBe(429)
    expect(Number(answer?.headers['retry-after'])).toBeGreaterThanOrEqual(1)
  })
})

describe('the per-trigger bucket', () => {
  const hook = async (id: string) => {
    const res = await fetch(`${server.url}/hooks/${id}`, { method: 'POST', body: '{}' })
    await res.text()
    return res.status
  }

  it('is one bucket for every letter case of the trigger id', async () => {
    refill()
    const spellings = [
      triggerId,
      triggerId.toUpperCase(),
      triggerId.replace(/[a-f]/, (c) => c.toUpperCase()),
    ]
    const statuses = []
    for (let i = 0; i <= burst; i++) statuses.push(await hook(spellings[i % spellings.length]!))
    // Keyed on the id as sent, each spelling had its own bucket and none was limited.
    expect(statuses.slice(0, burst).every((s) => s < 300)).toBe(true)
    expect(statuses[burst]).toBe(429)
  })

  it('is not drawn on by unknown ids, which answer 404 without a bucket', async () => {
    refill()
    for (let i = 0; i < burst * 2; i++)
      expect(await hook(`0190${String(i).padStart(4, '0')}-0000-7000-8000-000000000000`)).toBe(404)
    const statuses = []
    for (let i = 0; i < burst; i++) statuses.push(await hook(triggerId))
    expect(statuses.every((s) => s < 300)).toBe(true)
  })
})
