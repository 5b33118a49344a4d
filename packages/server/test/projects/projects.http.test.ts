import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminToken, startTestServer, type TestServer } from '../helpers/server.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

describe('projects', () => {
  it('creates a project with its first admin key when called with the admin token', async () => {
    const res = await server.api('POST', '/v1/projects', {
      key: adminToken,
      body: { name: 'Acme', ownerEmail: 'ops@acme.test' },
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ name: 'Acme', ownerEmail: 'ops@acme.test' })
    expect(res.body.apiKey).toMatch(/^sy_[A-Za-z0-9_-]{43}$/)
    const settings = await server.api('GET', '/v1/settings', { key: res.body.apiKey })
    expect(settings.body.projectId).toBe(res.body.id)
  })

  it('refuses project creation with a project key, saying the route takes the instance token', async () => {
    const { apiKey } = await server.createProject()
    const res = await server.api('POST', '/v1/projects', { key: apiKey, body: { name: 'x' } })
    expect(res.status).toBe(403)
    expect(res.body.error).toMatchObject({
      code: 'instance_token_required',
      message:
        'This route takes the instance admin token (SWITCHYARD_ADMIN_TOKEN); this is a project API key.',
    })
  })

  it('lists projects with cursor pagination', async () => {
    for (let i = 0; i < 3; i++) await server.createProject(`list-${i}`)
    const first = await server.api('GET', '/v1/projects?limit=2', { key: adminToken })
    expect(first.body.data).toHaveLength(2)
    const second = await server.api('GET', `/v1/projects?limit=2&cursor=${first.body.nextCursor}`, {
      key: adminToken,
    })
    expect(second.body.data.length).toBeGreaterThan(0)
    expect(second.body.data[0].id).not.toBe(first.body.data[1].id)
  })

  it('answers 400 invalid_cursor for a cursor it never issued', async () => {
    const res = await server.api('GET', '/v1/projects?cursor=bm9wZQ', { key: adminToken })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_cursor')
  })
})

describe('API keys and roles', () => {
  it('shows a new key once and lists it without the secret', async () => {
    const { apiKey } = await server.createProject()
    const created = await server.api('POST', '/v1/api-keys', {
      key: apiKey,
      body: { name: 'ci', role: 'member' },
    })
    expect(created.status).toBe(201)
    expect(created.body.key).toMatch(/^sy_/)
    const list = await server.api('GET', '/v1/api-keys', { key: apiKey })
    const listed = list.body.data.find((k: { id: string }) => k.id === created.body.id)
    expect(listed).toMatchObject({
      name: 'ci',
      role: 'member',
      prefix: created.body.key.slice(0, 10),
    })
    expect(listed.key).toBeUndefined()
  })

  it('refuses a revoked key with 401', async () => {
    const { apiKey } = await server.createProject()
    const created = await server.api('POST', '/v1/api-keys', {
      key: apiKey,
      body: { name: 'temp', role: 'viewer' },
    })
    expect((await server.api('GET', '/v1/events', { key: created.body.key })).status).toBe(200)
    expect(
      (await server.api('DELETE', `/v1/api-keys/${created.body.id}`, { key: apiKey })).status,
    ).toBe(204)
    const res = await server.api('GET', '/v1/events', { key: created.body.key })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('unauthorized')
  })

  it('forbids a viewer from publishing events with 403 forbidden', async () => {
    const { apiKey } = await server.createProject()
    const viewer = await server.api('POST', '/v1/api-keys', {
      key: apiKey,
      body: { name: 'v', role: 'viewer' },
    })
    const res = await server.api('POST', '/v1/events', {
      key: viewer.body.key,
      body: { type: 'webhook.test', data: {} },
    })
    expect(res.status).toBe(403)
    expect(res.body.error).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('member'),
    })
  })

  it('forbids a member from creating keys', async () => {
    const { apiKey } = await server.createProject()
    const member = await server.api('POST', '/v1/api-keys', {
      key: apiKey,
      body: { name: 'm', role: 'member' },
    })
    const res = await server.api('POST', '/v1/api-keys', {
      key: member.body.key,
      body: { name: 'x', role: 'admin' },
    })
    expect(res.status).toBe(403)
  })

  it("answers 404 when revoking another project's key", async () => {
    const a = await server.createProject()
    const b = await server.createProject()
    const bKey = await server.api('POST', '/v1/api-keys', {
      key: b.apiKey,
      body: { name: 'b', role: 'viewer' },
    })
    const res = await server.api('DELETE', `/v1/api-keys/${bKey.body.id}`, { key: a.apiKey })
    expect(res.status).toBe(404)
    expect((await server.api('GET', '/v1/events', { key: bKey.body.key })).status).toBe(200)
  })
})

describe('settings', () => {
  it('updates the retry schedule and leaves other settings as they were', async () => {
    const { apiKey } = await server.createProject()
    const before = await server.api('GET', '/v1/settings', { key: apiKey })
    const res = await server.api('PUT', '/v1/settings', {
      key: apiKey,
      body: { retrySchedule: [1, 2, 3] },
    })
    expect(res.status).toBe(200)
    expect(res.body.retrySchedule).toEqual([1, 2, 3])
    expect(res.body.autoDisable).toEqual(before.body.autoDisable)
  })

  it('refuses an unknown settings field', async () => {
    const { apiKey } = await server.createProject()
    const res = await server.api('PUT', '/v1/settings', {
      key: apiKey,
      body: { retrySchedul: [1] },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.details).toEqual([
      { path: '/retrySchedul', message: 'is not a known field; remove it' },
    ])
  })
})

describe('deliveryWeight, an instance-wide setting', () => {
  it('refuses a project key changing its own weight with 403 instance_admin_required', async () => {
    const { apiKey } = await server.createProject('greedy')
    const res = await server.api('PUT', '/v1/settings', {
      key: apiKey,
      body: { deliveryWeight: 100 },
    })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('instance_admin_required')
    expect(res.body.error.message).toContain('PATCH /v1/projects/:id')
    const settings = await server.api('GET', '/v1/settings', { key: apiKey })
    expect(settings.body.deliveryWeight).toBe(1)
    // Sending back the value it read (a settings form) changes nothing and is allowed.
    const same = await server.api('PUT', '/v1/settings', {
      key: apiKey,
      body: { deliveryWeight: 1, retentionDays: 7 },
    })
    expect(same.status).toBe(200)
    expect(same.body).toMatchObject({ deliveryWeight: 1, retentionDays: 7 })
  })

  it('lets the instance admin set it with PATCH /v1/projects/:id, and the project reads it', async () => {
    const { projectId, apiKey } = await server.createProject('weighted')
    const res = await server.api('PATCH', `/v1/projects/${projectId}`, {
      key: adminToken,
      body: { deliveryWeight: 5 },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ id: projectId, deliveryWeight: 5 })
    expect((await server.api('GET', '/v1/settings', { key: apiKey })).body.deliveryWeight).toBe(5)
    // A project key may not use the instance route either.
    const own = await server.api('PATCH', `/v1/projects/${projectId}`, {
      key: apiKey,
      body: { deliveryWeight: 50 },
    })
    expect(own.status).toBe(401)
    const unknown = await server.api('PATCH', '/v1/projects/01900000-0000-7000-8000-000000000000', {
      key: adminToken,
      body: { deliveryWeight: 2 },
    })
    expect(unknown.status).toBe(404)
  })
})
