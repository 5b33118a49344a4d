import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createClient, SwitchyardApiError } from '../../src/index.ts'
import { listen } from '../helpers/listen.ts'

interface Seen {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

type Answer = { status: number; body?: string; headers?: Record<string, string> }

/** A real HTTP server that answers from a script and records what it received. */
async function scriptedServer(answers: Answer[]) {
  const seen: Seen[] = []
  const server = http.createServer(async (req, res) => {
    let body = ''
    for await (const chunk of req) body += chunk
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
    const answer = answers[Math.min(seen.length, answers.length) - 1]!
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
    res.end(answer.body ?? '')
  })
  const { url, close } = await listen(server)
  closers.push(close)
  return { url, seen }
}

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

const apiError = (code: string, message = code) => JSON.stringify({ error: { code, message } })
const event = { type: 'webhook.test', data: {} } as const
const accepted = JSON.stringify({ id: 'e1', type: 'webhook.test', data: {} })

describe('the client request pipeline', () => {
  it('retries a 5xx and sends the same Idempotency-Key on every attempt', async () => {
    const { url, seen } = await scriptedServer([
      { status: 503, body: apiError('store_unavailable') },
      { status: 500, body: apiError('internal_error') },
      { status: 202, body: accepted },
    ])
    const client = createClient({ baseUrl: url, apiKey: 'sk_test' })
    await expect(client.events.create(event)).resolves.toMatchObject({ id: 'e1' })
    expect(seen).toHaveLength(3)
    const keys = new Set(seen.map((s) => s.headers['idempotency-key']))
    expect(keys.size).toBe(1)
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('sends the Idempotency-Key it is given', async () => {
    const { url, seen } = await scriptedServer([{ status: 202, body: accepted }])
    const client = createClient({ baseUrl: url, apiKey: 'sk_test' })
    await client.events.create(event, { idempotencyKey: 'order-42' })
    expect(seen[0]!.headers['idempotency-key']).toBe('order-42')
  })

  it('gives each POST call its own key and GETs none', async () => {
    const { url, seen } = await scriptedServer([{ status: 202, body: accepted }])
    const client = createClient({ baseUrl: url, apiKey: 'sk_test' })
    await client.events.create(event)
    await client.events.create(event)
    await client.events.get('e1')
    expect(seen[0]!.headers['idempotency-key']).not.toBe(seen[1]!.headers['idempotency-key'])
    expect(seen[2]!.headers['idempotency-key']).toBeUndefined()
  })

  it('never retries a 4xx, and throws it as SwitchyardApiError', async () => {
    const details = [{ path: '/data/model', message: 'is required' }]
    const { url, seen } = await scriptedServer([
      {
        status: 400,
        body: JSON.stringify({
          error: { code: 'invalid_event_data', message: 'Bad data.', details },
        }),
        headers: { 'x-request-id': 'req_1' },
      },
    ])
    const client = createClient({ baseUrl: url, apiKey: 'sk_test' })
    const error = await client.events.create(event).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SwitchyardApiError)
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_event_data',
      message: 'Bad data.',
      details,
      requestId: 'req_1',
    })
    expect(seen).toHaveLength(1)
  })

  it('throws the last 5xx once its retries are spent', async () => {
    const { url, seen } = await scriptedServer([
      { status: 503, body: apiError('store_unavailable') },
    ])
    const client = createClient({ baseUrl: url, apiKey: 'sk_test', retries: 1 })
    await expect(client.settings.get()).rejects.toMatchObject({
      status: 503,
      code: 'store_unavailable',
    })
    expect(seen).toHaveLength(2)
  })

  it('retries network errors, then throws network_error', async () => {
    const { url, close } = await listen(http.createServer())
    await close() // nothing listens on this port any more
    const client = createClient({ baseUrl: url, apiKey: 'sk_test', retries: 1 })
    await expect(client.events.list()).rejects.toMatchObject({ status: 0, code: 'network_error' })
  })

  it('names a non-JSON error answer unexpected_response', async () => {
    const { url } = await scriptedServer([{ status: 404, body: '<html>Not Found</html>' }])
    const client = createClient({ baseUrl: url, apiKey: 'sk_test' })
    await expect(client.events.get('e1')).rejects.toMatchObject({
      status: 404,
      code: 'unexpected_response',
    })
  })

  it('sends the key as a bearer token and arrays as repeated query parameters', async () => {
    const { url, seen } = await scriptedServer([
      { status: 200, body: JSON.stringify({ data: [], nextCursor: null }) },
    ])
    const client = createClient({ baseUrl: `${url}/`, apiKey: 'sk_test' })
    await client.events.list({ type: ['record.created', 'record.deleted'], limit: 5 })
    expect(seen[0]!.headers.authorization).toBe('Bearer sk_test')
    expect(seen[0]!.url).toBe('/v1/events?type=record.created&type=record.deleted&limit=5')
  })

  it('resolves a 204 to undefined', async () => {
    const { url } = await scriptedServer([{ status: 204 }])
    const client = createClient({ baseUrl: url, apiKey: 'sk_test' })
    await expect(client.apiKeys.delete('k1')).resolves.toBeUndefined()
  })
})
