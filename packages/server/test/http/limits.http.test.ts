import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClock } from '../helpers/clock.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { must } from '../security/tenants.ts'

let server: TestServer
let key: string
let triggerId: string
// The buckets refill on the engine's clock, so tests move it instead of waiting.
const clock = createClock()

beforeAll(async () => {
  server = await startTestServer({
    now: clock.now,
    config: {
      rateLimitPerSecond: 1,
      rateLimitBurst: 5,
      hookRateLimitPerSecond: 1,
      hookRateLimitBurst: 3,
      requestTimeoutMs: 1000,
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
afterAll(() => server.close())

describe('per-key rate limits', () => {
  it('answers 429 rate_limited with Retry-After past the burst, per key', async () => {
    const { apiKey: other } = await server.createProject('other')
    const statuses: number[] = []
    let limited: { body: any; headers: Headers } | null = null
    for (let i = 0; i < 8; i++) {
      const res = await server.api('GET', '/v1/event-types', { key })
      statuses.push(res.status)
      if (res.status === 429) limited ??= res
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0)
    expect(limited!.body.error.code).toBe('rate_limited')
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    // The bucket refills on the engine's clock, and a clock moved back drains nothing.
    clock.advance(10_000)
    expect((await server.api('GET', '/v1/event-types', { key })).status).toBe(200)
    clock.advance(-3_600_000)
    expect((await server.api('GET', '/v1/event-types', { key })).status).toBe(200)
    clock.advance(3_600_000)
    // Another key has its own bucket.
    expect((await server.api('GET', '/v1/destinations', { key: other })).status).toBe(200)
  })
})

describe('/hooks per-trigger limits', () => {
  it('refuses past the burst with 429 before accepting, and keeps every accepted request', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${server.url}/hooks/${triggerId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: i }),
      })
      statuses.push(res.status)
      if (res.status === 429)
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      await res.text()
    }
    const accepted = statuses.filter((s) => s < 300).length
    expect(statuses.filter((s) => s === 429).length).toBe(6 - accepted)
    expect(accepted).toBeGreaterThanOrEqual(3)
    clock.advance(10_000)
    const logged = await must(
      server,
      200,
      'GET',
      `/v1/inbound-requests?triggerId=${triggerId}`,
      key,
    )
    expect(logged.data).toHaveLength(accepted)
  }, 20_000)
})

describe('body limits and slow clients', () => {
  it('gives configuration routes a smaller body limit than ingest, and says which', async () => {
    clock.advance(10_000)
    const big = JSON.stringify({ name: 'x'.repeat(300 * 1024), role: 'viewer' })
    const res = await server.api('POST', '/v1/api-keys', {
      key,
      rawBody: big,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
    expect(res.body.error.message).toContain('262144 bytes')
    const event = JSON.stringify({ type: 'webhook.test', data: {}, x: 'y'.repeat(300 * 1024) })
    const ingest = await server.api('POST', '/v1/events', {
      key,
      rawBody: event,
      headers: { 'content-type': 'application/json' },
    })
    expect(ingest.status).toBe(400) // read and validated, not cut off
  })

  it('refuses an oversize /hooks body without reading all of it', async () => {
    const started = Date.now()
    const res = await fetch(`${server.url}/hooks/${triggerId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(12 * 1024 * 1024),
    }).catch((error: Error) => ({ status: 0, error }))
    // Either a 413 or the connection is cut once the limit is passed; never a 2xx.
    expect([0, 413, 429]).toContain(res.status)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('cuts a slowloris sender off at the request timeout', async () => {
    const { port } = new URL(server.url)
    const socket = net.connect(Number(port), '127.0.0.1')
    // Cut off mid-drip, the socket may see ECONNRESET before its close: the close is the answer.
    socket.on('error', () => {})
    await new Promise((r) => socket.once('connect', r))
    socket.write(
      `POST /hooks/${triggerId} HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\n`,
    )
    // At a byte every 200 ms the body would take 200 s: the server cuts it off long before.
    let dripped = 0
    const drip = setInterval(() => socket.writable && socket.write('a') && dripped++, 200)
    let answer = ''
    socket.on('data', (chunk) => (answer += chunk.toString()))
    await new Promise((r) => socket.once('close', r))
    clearInterval(drip)
    expect(dripped).toBeLessThan(1000)
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true)
  }, 10_000)
})
