import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseStream, type SseMessage } from '../../src/cli/sse.ts'
import { keyWithRole, publish, recordCreated } from '../delivery/fixtures.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer
let key: string

beforeAll(async () => {
  server = await startTestServer()
  key = (await server.createProject('Acme')).apiKey
})
afterAll(() => server.close())

/** An open `GET /v1/events/stream`, read message by message; `close()` aborts it. */
async function openStream(query = '', headers: Record<string, string> = {}, as = key) {
  const abort = new AbortController()
  const response = await fetch(`${server.url}/v1/events/stream${query}`, {
    headers: { authorization: `Bearer ${as}`, ...headers },
    signal: abort.signal,
  })
  const messages = parseStream(response.body!)
  const next = async (): Promise<SseMessage> => (await messages.next()).value as SseMessage
  return { response, next, close: () => abort.abort() }
}

const deleted = { ...recordCreated, type: 'record.deleted' }

describe('GET /v1/events/stream', () => {
  it('sends ready with the project, then each accepted event with its id', async () => {
    const stream = await openStream()
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const ready = await stream.next()
    expect(ready.event).toBe('ready')
    expect(JSON.parse(ready.data)).toMatchObject({ project: { name: 'Acme' }, types: null })
    const id = await publish(server, key)
    const event = await stream.next()
    stream.close()
    expect(event).toMatchObject({ event: 'event', id })
    expect(JSON.parse(event.data)).toMatchObject({ id, type: 'record.created' })
  })

  it('sends every event of a batch, in order', async () => {
    const stream = await openStream()
    await stream.next()
    const res = await server.api('POST', '/v1/events/batch', {
      key,
      body: { events: [recordCreated, deleted, recordCreated] },
    })
    const ids = res.body.data.map((e: { id: string }) => e.id)
    const received = [await stream.next(), await stream.next(), await stream.next()]
    stream.close()
    expect(received.map((m) => m.id)).toEqual(ids)
  })

  it('sends only the types asked for, by canonical or wire-format name', async () => {
    const stream = await openStream('?types=record_deleted')
    await stream.next()
    await publish(server, key)
    const id = await publish(server, key, deleted)
    const event = await stream.next()
    stream.close()
    expect(event.id).toBe(id)
  })

  it('resumes after Last-Event-ID with what was accepted meanwhile', async () => {
    const first = await publish(server, key)
    const missed = [await publish(server, key), await publish(server, key, deleted)]
    const stream = await openStream('', { 'last-event-id': first })
    await stream.next()
    const resent = [await stream.next(), await stream.next()]
    const live = await publish(server, key)
    const next = await stream.next()
    stream.close()
    expect(resent.map((m) => m.id)).toEqual(missed)
    expect(next.id).toBe(live)
  })

  it("never sends another project's events", async () => {
    const other = (await server.createProject('Other')).apiKey
    const stream = await openStream('', {}, await keyWithRole(server, other, 'viewer'))
    await stream.next()
    await publish(server, key)
    const own = await publish(server, other)
    const event = await stream.next()
    stream.close()
    expect(event.id).toBe(own)
  })

  it('answers 422 for an unknown type and 401 without a key', async () => {
    const unknown = await server.api('GET', '/v1/events/stream?types=record.made', { key })
    expect(unknown.status).toBe(422)
    expect(unknown.body.error.code).toBe('unknown_event_type')
    const anonymous = await server.api('GET', '/v1/events/stream')
    expect(anonymous.status).toBe(401)
  })
})
