import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer
let key: string

beforeAll(async () => {
  server = await startTestServer()
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const recordCreated = {
  type: 'record.created',
  userId: 'user_01JH448D13EX2BE1SC1GXVT05R',
  credentialId: '0aea7d3a-b5f7-4488-890e-d51a5cf4f8f1',
  integration: 'googledrive',
  data: {
    syncId: '163a345e-2dd4-51ff-bcf5-7667de564bb0',
    model: 'files',
    recordId: '3ce16e33-0163-564d-98ce-99b0a25ab375',
  },
}

describe('POST /v1/events', () => {
  it('accepts a valid event with 202 and reads it back', async () => {
    const res = await server.api('POST', '/v1/events', { key, body: recordCreated })
    expect(res.status).toBe(202)
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/)
    const read = await server.api('GET', `/v1/events/${res.body.id}`, { key })
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({
      id: res.body.id,
      type: 'record.created',
      data: recordCreated.data,
      userId: recordCreated.userId,
    })
  })

  it('answers 422 unknown_event_type for a type not in the catalog', async () => {
    const res = await server.api('POST', '/v1/events', {
      key,
      body: { type: 'record.exploded', data: {} },
    })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('unknown_event_type')
  })

  it('answers 400 with the JSON Schema path when data is invalid', async () => {
    const res = await server.api('POST', '/v1/events', {
      key,
      body: { type: 'record.created', data: { syncId: 's', recordId: 'r' } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_event_data')
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: '/data/model' }))
  })

  it('refuses unknown top-level fields instead of dropping them', async () => {
    const res = await server.api('POST', '/v1/events', {
      key,
      body: { ...recordCreated, colour: 'red' },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: '/colour' }],
    })
  })

  it('answers the same event for a repeated Idempotency-Key and body', async () => {
    const headers = { 'idempotency-key': 'idem-1' }
    const first = await server.api('POST', '/v1/events', { key, body: recordCreated, headers })
    const second = await server.api('POST', '/v1/events', { key, body: recordCreated, headers })
    expect(second.status).toBe(202)
    expect(second.body.id).toBe(first.body.id)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
  })

  it('answers 409 idempotency_conflict for a reused key with a different body', async () => {
    const headers = { 'idempotency-key': 'idem-2' }
    await server.api('POST', '/v1/events', { key, body: recordCreated, headers })
    const res = await server.api('POST', '/v1/events', {
      key,
      body: { ...recordCreated, userId: 'someone-else' },
      headers,
    })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('idempotency_conflict')
  })
})

describe('POST /v1/events/batch', () => {
  it('stores every event of a valid batch in order', async () => {
    const events = Array.from({ length: 5 }, (_, i) => ({
      ...recordCreated,
      data: { ...recordCreated.data, recordId: `r-${i}` },
    }))
    const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
    expect(res.status).toBe(202)
    expect(res.body.data.map((e: { data: { recordId: string } }) => e.data.recordId)).toEqual([
      'r-0',
      'r-1',
      'r-2',
      'r-3',
      'r-4',
    ])
  })

  it('stores nothing when one event of the batch is invalid', async () => {
    const before = await server.api('GET', '/v1/events?limit=500', { key })
    const events = [recordCreated, { type: 'record.created', data: { model: 'files' } }]
    const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
    expect(res.status).toBe(400)
    expect(res.body.error.details).toContainEqual(
      expect.objectContaining({ path: '/events/1/data/syncId' }),
    )
    const after = await server.api('GET', '/v1/events?limit=500', { key })
    expect(after.body.data.length).toBe(before.body.data.length)
  })

  it('refuses more than 1,000 events', async () => {
    const events = Array.from({ length: 1001 }, () => recordCreated)
    const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
  })
})

describe('GET /v1/events', () => {
  it('pages with a cursor and filters by type', async () => {
    const other = await server.createProject('paging')
    for (let i = 0; i < 3; i++)
      await server.api('POST', '/v1/events', { key: other.apiKey, body: recordCreated })
    await server.api('POST', '/v1/events', {
      key: other.apiKey,
      body: { type: 'webhook.test', data: {} },
    })
    const first = await server.api('GET', '/v1/events?limit=2&type=record.created', {
      key: other.apiKey,
    })
    expect(first.body.data).toHaveLength(2)
    expect(first.body.nextCursor).toBeTruthy()
    const second = await server.api(
      'GET',
      `/v1/events?limit=2&type=record.created&cursor=${first.body.nextCursor}`,
      { key: other.apiKey },
    )
    expect(second.body.data).toHaveLength(1)
    expect(second.body.nextCursor).toBeNull()
    const ids = [...first.body.data, ...second.body.data].map((e: { id: string }) => e.id)
    expect(new Set(ids).size).toBe(3)
  })

  it("answers 404 for another project's event", async () => {
    const mine = await server.api('POST', '/v1/events', { key, body: recordCreated })
    const other = await server.createProject('other')
    const res = await server.api('GET', `/v1/events/${mine.body.id}`, { key: other.apiKey })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })
})
