import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDestination, keyWithRole } from '../delivery/fixtures.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer
let key: string

beforeAll(async () => {
  server = await startTestServer()
  key = (await server.createProject()).apiKey
})
afterAll(() => server.close())

const hook = 'https://hooks.example.com/switchyard'

describe('POST /v1/destinations', () => {
  it('creates a webhook destination with defaults and returns its secret once', async () => {
    const created = await createDestination(server, key, { url: hook, events: ['*'] })
    expect(created).toMatchObject({
      type: 'webhook',
      url: hook,
      events: ['*'],
      format: 'standard',
      headers: {},
      timeoutMs: 15000,
      maxConcurrency: 20,
      rateLimitPerSecond: null,
      enabled: true,
      managed: false,
    })
    // Standard Webhooks: whsec_ + base64 of 24 to 64 random bytes.
    const raw = Buffer.from(created.secret.replace(/^whsec_/, ''), 'base64')
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
    expect(raw.length).toBeGreaterThanOrEqual(24)
    const read = await server.api('GET', `/v1/destinations/${created.id}`, { key })
    expect(read.status).toBe(200)
    expect(read.body.secret).toBeUndefined()
  })

  it('keeps a filter written in canonical and wire-format names as written', async () => {
    const events = ['record.created', 'integration_updated_data_model', 'sync_complete']
    const created = await createDestination(server, key, { url: hook, events, format: 'workspace' })
    expect(created.events).toEqual(events)
  })

  it('answers 422 unknown_event_name for a name in no vocabulary', async () => {
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { url: hook, events: ['record.created', 'record_exploded'] },
    })
    expect(res.status).toBe(422)
    expect(res.body.error).toMatchObject({
      code: 'unknown_event_name',
      details: [{ path: '/events', name: 'record_exploded' }],
    })
    expect(res.body.error.message).toContain('record_exploded')
  })

  it.each([
    ['ftp://example.com/hook', 'must use http or https'],
    ['https://user:secret@example.com/hook', 'must not carry credentials'],
    ['not a url', 'is not an absolute URL'],
  ])('answers 400 invalid_url for %s', async (url, message) => {
    const res = await server.api('POST', '/v1/destinations', { key, body: { url, events: ['*'] } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_url')
    expect(res.body.error.details).toEqual([
      { path: '/url', message: expect.stringContaining(message) },
    ])
  })

  it.each(['Transfer-Encoding', 'Connection', 'Host', 'webhook-signature', 'Webhook-Id'])(
    'answers 400 invalid_header for a %s header',
    async (name) => {
      const res = await server.api('POST', '/v1/destinations', {
        key,
        body: { url: hook, events: ['*'], headers: { [name]: 'x' } },
      })
      expect(res.status).toBe(400)
      expect(res.body.error).toMatchObject({
        code: 'invalid_header',
        details: [{ path: `/headers/${name}` }],
      })
    },
  )

  it('answers 400 invalid_url for a webhook without a url', async () => {
    const res = await server.api('POST', '/v1/destinations', { key, body: { events: ['*'] } })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'invalid_url',
      details: [{ path: '/url', message: 'is required' }],
    })
  })

  it('answers 400 validation_failed for a timeout outside 1–30 s', async () => {
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { url: hook, events: ['*'], timeoutMs: 60_000 },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: '/timeoutMs' }],
    })
  })

  it('hides credential-carrying header values on read', async () => {
    const created = await createDestination(server, key, {
      url: hook,
      events: ['*'],
      headers: { 'DD-API-KEY': 'dd-secret', 'X-Team': 'ops' },
    })
    expect(created.headers).toEqual({ 'DD-API-KEY': '[redacted]', 'X-Team': 'ops' })
  })
})

describe('GET /v1/destinations', () => {
  it('pages newest first with a cursor', async () => {
    const { apiKey } = await server.createProject('paging')
    // The project starts with its default email destination, the oldest of the list.
    const [defaultEmail] = (await server.api('GET', '/v1/destinations', { key: apiKey })).body.data
    const ids = []
    for (let i = 0; i < 3; i++)
      ids.push((await createDestination(server, apiKey, { url: hook, events: ['*'] })).id)
    const first = await server.api('GET', '/v1/destinations?limit=2', { key: apiKey })
    expect(first.body.data.map((d: { id: string }) => d.id)).toEqual([ids[2], ids[1]])
    const second = await server.api(
      'GET',
      `/v1/destinations?limit=2&cursor=${first.body.nextCursor}`,
      { key: apiKey },
    )
    expect(second.body.data.map((d: { id: string }) => d.id)).toEqual([ids[0], defaultEmail.id])
    expect(second.body.nextCursor).toBeNull()
  })
})

describe('PATCH and DELETE /v1/destinations/:id', () => {
  it('changes the fields sent and keeps the rest', async () => {
    const created = await createDestination(server, key, {
      url: hook,
      events: ['*'],
      name: 'ops',
      headers: { Authorization: 'Bearer t0ken' },
    })
    const res = await server.api('PATCH', `/v1/destinations/${created.id}`, {
      key,
      body: { url: 'https://other.example.com/in', timeoutMs: 5000 },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      url: 'https://other.example.com/in',
      timeoutMs: 5000,
      name: 'ops',
      events: ['*'],
      headers: { Authorization: '[redacted]' },
    })
  })

  it('validates a patched filter like a new one', async () => {
    const created = await createDestination(server, key, { url: hook, events: ['*'] })
    const res = await server.api('PATCH', `/v1/destinations/${created.id}`, {
      key,
      body: { events: ['nope'] },
    })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('unknown_event_name')
  })

  it('deletes a destination', async () => {
    const created = await createDestination(server, key, { url: hook, events: ['*'] })
    const res = await server.api('DELETE', `/v1/destinations/${created.id}`, { key })
    expect(res.status).toBe(204)
    const read = await server.api('GET', `/v1/destinations/${created.id}`, { key })
    expect(read.status).toBe(404)
  })
})

describe('access', () => {
  it.each(['viewer', 'member'] as const)(
    'refuses a %s key creating a destination',
    async (role) => {
      const weaker = await keyWithRole(server, key, role)
      const res = await server.api('POST', '/v1/destinations', {
        key: weaker,
        body: { url: hook, events: ['*'] },
      })
      expect(res.status).toBe(403)
      expect(res.body.error.code).toBe('forbidden')
      expect(res.body.error.message).toContain('"admin"')
    },
  )

  it('lets a viewer key read destinations', async () => {
    const viewer = await keyWithRole(server, key, 'viewer')
    const res = await server.api('GET', '/v1/destinations', { key: viewer })
    expect(res.status).toBe(200)
  })

  it.each([
    ['GET', ''],
    ['PATCH', ''],
    ['DELETE', ''],
    ['POST', '/enable'],
    ['POST', '/disable'],
    ['POST', '/rotate-secret'],
    ['POST', '/test'],
  ])("answers 404 for another project's destination (%s %s)", async (method, suffix) => {
    const other = await server.createProject('other')
    const theirs = await createDestination(server, other.apiKey, { url: hook, events: ['*'] })
    const res = await server.api(method, `/v1/destinations/${theirs.id}${suffix}`, {
      key,
      ...(method === 'PATCH' ? { body: { name: 'mine now' } } : {}),
    })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })

  it('answers 404 for an id that is not a uuid', async () => {
    const res = await server.api('GET', '/v1/destinations/dst_123', { key })
    expect(res.status).toBe(404)
  })
})
