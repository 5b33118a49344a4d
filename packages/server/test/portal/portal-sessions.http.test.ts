import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDestination, noPoll, publish, workflowFailedWith } from '../delivery/fixtures.ts'
import { adminToken, startTestServer, type TestServer } from '../helpers/server.ts'

/*
 * Issue #28 item 2: portal sessions. A one-time link exchanged for a session credential that
 * reaches only the portal routes, only its user's destinations and deliveries, and writes only
 * when not read-only; expired and revoked sessions are refused with their own codes; every
 * action is in the audit log under the session's id.
 */

let server: TestServer
let key: string
let projectId: string
let clockOffsetMs = 0
const hook = 'https://hooks.example.com/portal'

beforeAll(async () => {
  server = await startTestServer({
    config: noPoll,
    now: () => new Date(Date.now() + clockOffsetMs),
  })
  ;({ apiKey: key, projectId } = await server.createProject('Portal'))
})
afterAll(() => server.close())

async function newSession(body: Record<string, unknown> = {}, bearer = key) {
  const res = await server.api('POST', '/v1/portal-sessions', { key: bearer, body })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string; url: string; expiresAt: string } & Record<string, any>
}

const tokenOf = (url: string) => new URL(url).hash.replace(/^#token=/, '')

async function exchange(url: string) {
  return server.api('POST', '/v1/portal-sessions/exchange', { body: { token: tokenOf(url) } })
}

/** A session's credential, ready to call the portal routes with. */
async function credentialFor(body: Record<string, unknown> = {}) {
  const session = await newSession(body)
  const res = await exchange(session.url)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return { session, credential: res.body.credential as string }
}

describe('creating and exchanging a session', () => {
  it('answers a URL with the token in its fragment, exchanged once for a credential', async () => {
    const session = await newSession({ userId: 'user_a', readOnly: true })
    expect(session.url).toMatch(/\/portal#token=sypl_[A-Za-z0-9_-]{43}$/)
    expect(new URL(session.url).search).toBe('')
    const lifetime = Date.parse(session.expiresAt) - Date.parse(session.createdAt)
    expect(lifetime).toBe(3600_000)
    expect(session).toMatchObject({
      projectId,
      userId: 'user_a',
      readOnly: true,
      status: 'pending',
    })
    const first = await exchange(session.url)
    expect(first.status).toBe(200)
    expect(first.body.credential).toMatch(/^syps_/)
    expect(first.body.session).toMatchObject({ id: session.id, status: 'active' })
    const second = await exchange(session.url)
    expect(second.status).toBe(401)
    expect(second.body.error.code).toBe('portal_token_used')
  })

  it('takes the instance admin token with a projectId, and a lifetime within bounds', async () => {
    const session = await newSession({ projectId, expiresInSeconds: 120 }, adminToken)
    expect(Date.parse(session.expiresAt) - Date.parse(session.createdAt)).toBe(120_000)
    const missing = await server.api('POST', '/v1/portal-sessions', { key: adminToken, body: {} })
    expect(missing.status).toBe(400)
    const tooLong = await server.api('POST', '/v1/portal-sessions', {
      key,
      body: { expiresInSeconds: 7 * 86_400 },
    })
    expect(tooLong.status).toBe(400)
  })

  it('is refused to a key without the admin role', async () => {
    const viewer = await server.api('POST', '/v1/api-keys', {
      key,
      body: { name: 'viewer', role: 'viewer' },
    })
    const res = await server.api('POST', '/v1/portal-sessions', { key: viewer.body.key, body: {} })
    expect(res.status).toBe(403)
  })

  it('refuses an expired link and an expired session with portal_session_expired', async () => {
    const unused = await newSession({ expiresInSeconds: 60 })
    const { credential } = await credentialFor({ expiresInSeconds: 60 })
    clockOffsetMs = 61_000
    try {
      const link = await exchange(unused.url)
      expect(link.status).toBe(401)
      expect(link.body.error.code).toBe('portal_session_expired')
      const call = await server.api('GET', '/v1/destinations', { key: credential })
      expect(call.status).toBe(401)
      expect(call.body.error.code).toBe('portal_session_expired')
    } finally {
      clockOffsetMs = 0
    }
  })

  it('lists sessions and revokes one: its credential and its link are refused', async () => {
    const { session, credential } = await credentialFor()
    const unused = await newSession()
    const listed = await server.api('GET', '/v1/portal-sessions', { key })
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining([session.id, unused.id]),
    )
    for (const id of [session.id, unused.id]) {
      const revoked = await server.api('DELETE', `/v1/portal-sessions/${id}`, { key })
      expect(revoked.status).toBe(200)
      expect(revoked.body.status).toBe('revoked')
    }
    const call = await server.api('GET', '/v1/destinations', { key: credential })
    expect(call.status).toBe(401)
    expect(call.body.error.code).toBe('portal_session_revoked')
    const link = await exchange(unused.url)
    expect(link.body.error.code).toBe('portal_session_revoked')
  })
})

describe('what a session may reach', () => {
  it('sees only its user’s destinations and deliveries, and not another’s by id', async () => {
    const mine = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: { userId: 'user_a' },
    })
    const theirs = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: { userId: 'user_b' },
    })
    const unscoped = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
    })
    await publish(server, key, { ...workflowFailedWith({ error: 'a' }), userId: 'user_a' })
    await publish(server, key, { ...workflowFailedWith({ error: 'b' }), userId: 'user_b' })
    const { credential } = await credentialFor({ userId: 'user_a' })

    const list = await server.api('GET', '/v1/destinations?limit=500', { key: credential })
    expect(list.status).toBe(200)
    const ids = list.body.data.map((d: { id: string }) => d.id)
    expect(ids).toContain(mine.id)
    expect(ids).not.toContain(theirs.id)
    expect(ids).not.toContain(unscoped.id)
    for (const id of [theirs.id, unscoped.id]) {
      const read = await server.api('GET', `/v1/destinations/${id}`, { key: credential })
      expect(read.status).toBe(404)
      const patch = await server.api('PATCH', `/v1/destinations/${id}`, {
        key: credential,
        body: { name: 'taken' },
      })
      expect(patch.status).toBe(404)
      const rotate = await server.api('POST', `/v1/destinations/${id}/rotate-secret`, {
        key: credential,
      })
      expect(rotate.status).toBe(404)
    }

    const deliveries = await server.api('GET', '/v1/deliveries?limit=500', { key: credential })
    expect(deliveries.status).toBe(200)
    const destinations = new Set(deliveries.body.data.map((d: any) => d.destinationId))
    expect([...destinations]).toEqual([mine.id])
    const all = await server.api('GET', '/v1/deliveries?limit=500', { key })
    const other = all.body.data.find((d: any) => d.destinationId === theirs.id)
    expect(other).toBeDefined()
    const read = await server.api('GET', `/v1/deliveries/${other.id}`, { key: credential })
    expect(read.status).toBe(404)
    const retry = await server.api('POST', `/v1/deliveries/${other.id}/retry`, { key: credential })
    expect(retry.status).toBe(404)
    const own = deliveries.body.data[0]
    const ownRead = await server.api('GET', `/v1/deliveries/${own.id}`, { key: credential })
    expect(ownRead.status).toBe(200)
    expect(ownRead.body.attempts).toBeInstanceOf(Array)
  })

  it('creates destinations with its user filter and only its event types', async () => {
    const { credential } = await credentialFor({
      userId: 'user_c',
      eventTypes: ['workflow.failed'],
    })
    const created = await server.api('POST', '/v1/destinations', {
      key: credential,
      body: { url: hook, events: ['workflow.failed'], filter: { userId: 'user_other' } },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body.filter.userId).toBe('user_c')
    const cleared = await server.api('PATCH', `/v1/destinations/${created.body.id}`, {
      key: credential,
      body: { filter: null },
    })
    expect(cleared.body.filter.userId).toBe('user_c')
    for (const events of [['record.created'], ['*']]) {
      const refused = await server.api('POST', '/v1/destinations', {
        key: credential,
        body: { url: hook, events },
      })
      expect(refused.status).toBe(403)
      expect(refused.body.error.code).toBe('event_type_not_allowed')
    }
    const catalog = await server.api('GET', '/v1/event-types', { key: credential })
    expect(catalog.status).toBe(200)
    expect(catalog.body.data.map((t: { type: string }) => t.type)).toEqual(['workflow.failed'])
  })

  it('reaches no route outside the portal’s', async () => {
    const { credential } = await credentialFor({ userId: 'user_a' })
    for (const [method, path] of [
      ['GET', '/v1/api-keys'],
      ['GET', '/v1/audit-log'],
      ['GET', '/v1/portal-sessions'],
      ['POST', '/v1/events'],
      ['GET', '/v1/triggers'],
    ] as const) {
      const res = await server.api(method, path, {
        key: credential,
        body: method === 'POST' ? { type: 'workflow.failed', data: {} } : undefined,
      })
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(res.body.error.code).toBe('portal_route_not_allowed')
    }
  })

  it('read-only: reads, and every write is refused with portal_read_only', async () => {
    const dest = await createDestination(server, key, {
      url: hook,
      events: ['workflow.failed'],
      filter: { userId: 'user_r' },
    })
    const { credential } = await credentialFor({ userId: 'user_r', readOnly: true })
    const read = await server.api('GET', `/v1/destinations/${dest.id}`, { key: credential })
    expect(read.status).toBe(200)
    for (const [method, path, body] of [
      ['POST', '/v1/destinations', { url: hook, events: ['workflow.failed'] }],
      ['PATCH', `/v1/destinations/${dest.id}`, { name: 'x' }],
      ['POST', `/v1/destinations/${dest.id}/rotate-secret`, undefined],
      ['POST', `/v1/destinations/${dest.id}/test`, undefined],
      ['POST', `/v1/destinations/${dest.id}/disable`, undefined],
    ] as const) {
      const res = await server.api(method, path, { key: credential, body })
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(res.body.error.code).toBe('portal_read_only')
    }
    const after = await server.api('GET', `/v1/destinations/${dest.id}`, { key })
    expect(after.body.name).toBeNull()
  })
})

describe('the audit log', () => {
  it('carries the session id on every action taken with it', async () => {
    const { session, credential } = await credentialFor({ userId: 'user_d' })
    const created = await server.api('POST', '/v1/destinations', {
      key: credential,
      body: { url: hook, events: ['workflow.failed'] },
    })
    expect(created.status).toBe(201)
    const rotated = await server.api('POST', `/v1/destinations/${created.body.id}/rotate-secret`, {
      key: credential,
    })
    expect(rotated.status).toBe(200)
    const log = await server.api('GET', '/v1/audit-log?limit=500', { key })
    const bySession = log.body.data.filter(
      (e: any) => e.actor.type === 'portal_session' && e.actor.id === session.id,
    )
    expect(bySession.map((e: any) => e.action).sort()).toEqual([
      'destination.created',
      'destination.secret_rotated',
      'portal_session.exchanged',
    ])
    expect(bySession[0].actor.userId).toBe('user_d')
    expect(JSON.stringify(log.body)).not.toContain(tokenOf(session.url))
    const made = log.body.data.find(
      (e: any) => e.action === 'portal_session.created' && e.targetId === session.id,
    )
    expect(made).toMatchObject({ actor: { type: 'key' } })
  })
})
