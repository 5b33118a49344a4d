import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { startTempEngine, type TempEngine } from '../../scripts/openapi-document.ts'
import {
  createClient,
  SwitchyardApiError,
  type EventOut,
  type PublishEventIn,
  type StatsOut,
  type SwitchyardClient,
} from '../../src/index.ts'

// The client against a real Switchyard started from this tree (PGlite in a temp dir).
const adminToken = 'sdk-test-admin'
let server: TempEngine
let admin: SwitchyardClient
let client: SwitchyardClient

const recordCreated = (recordId: string) =>
  ({
    type: 'record.created',
    data: { syncId: 'sync_1', model: 'files', recordId },
  }) satisfies PublishEventIn

beforeAll(async () => {
  server = await startTempEngine(adminToken)
  admin = createClient({ baseUrl: server.engine.url, apiKey: adminToken })
  const project = await admin.projects.create({ name: 'SDK tests', ownerEmail: 'sdk@example.com' })
  client = createClient({ baseUrl: server.engine.url, apiKey: project.apiKey })
})
afterAll(() => server?.close())

describe('createClient against a real server', () => {
  it('creates and lists projects with the instance admin token', async () => {
    const { data } = await admin.projects.list()
    expect(data.map((p) => p.name)).toContain('SDK tests')
  })

  it('publishes an event and reads it back', async () => {
    const created = await client.events.create(recordCreated('rec_1'))
    expectTypeOf(created).toEqualTypeOf<EventOut>()
    expect(created).toMatchObject({ type: 'record.created', data: { recordId: 'rec_1' } })
    expect(await client.events.get(created.id)).toEqual(created)
  })

  it('publishes once per Idempotency-Key', async () => {
    const first = await client.events.create(recordCreated('rec_2'), { idempotencyKey: 'once' })
    const again = await client.events.create(recordCreated('rec_2'), { idempotencyKey: 'once' })
    expect(again.id).toBe(first.id)
  })

  it('publishes a batch', async () => {
    const { data } = await client.events.batch([recordCreated('rec_3'), recordCreated('rec_4')])
    expect(data.map((e) => e.data.recordId)).toEqual(['rec_3', 'rec_4'])
  })

  it('walks every page of a list', async () => {
    const ids = []
    for await (const event of client.events.iterate({ limit: 2, type: ['record.created'] }))
      ids.push(event.id)
    expect(ids.length).toBeGreaterThanOrEqual(4)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it("reads the project's delivery stats", async () => {
    const stats = await client.deliveries.stats()
    expectTypeOf(stats).toEqualTypeOf<StatsOut>()
    expect(Object.keys(stats.windows).sort()).toEqual(['1h', '24h'])
    expect(stats.windows['1h']).toMatchObject({
      attemptMs: { count: expect.any(Number) },
      firstSuccessMs: { count: expect.any(Number) },
    })
    expect(stats.backlog.pending).toEqual(expect.any(Number))
  })

  it('lists the event catalog', async () => {
    const { data } = (await client.eventTypes.list()) as { data: { type: string }[] }
    expect(data.map((t) => t.type)).toContain('record.created')
  })

  it('creates, lists and revokes API keys', async () => {
    const created = await client.apiKeys.create({ name: 'ci', role: 'viewer' })
    expect(created.key).toEqual(expect.any(String))
    expect((await client.apiKeys.list()).data.map((k) => k.id)).toContain(created.id)
    await client.apiKeys.delete(created.id)
    expect((await client.apiKeys.list()).data.map((k) => k.id)).not.toContain(created.id)
  })

  it('reads and changes settings', async () => {
    const updated = await client.settings.update({ retentionDays: 14 })
    expect(updated).toMatchObject({ retentionDays: 14 })
    expect(await client.settings.get()).toMatchObject({ retentionDays: 14 })
  })

  it("throws the server's error as SwitchyardApiError", async () => {
    const error = await client.events.get('0192f000-0000-7000-8000-000000000000').catch((e) => e)
    expect(error).toBeInstanceOf(SwitchyardApiError)
    expect(error).toMatchObject({ status: 404, code: 'not_found', requestId: expect.any(String) })
  })

  it("carries a validation failure's details", async () => {
    const bad = { type: 'record.created', data: { syncId: 'sync_1' } } as unknown as PublishEventIn
    const error = await client.events.create(bad).catch((e) => e)
    expect(error).toMatchObject({ status: 400, code: 'invalid_event_data' })
    expect(error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]),
    )
  })

  it('refuses a revoked or unknown key with 401 unauthorized', async () => {
    const stranger = createClient({ baseUrl: server.engine.url, apiKey: 'sk_unknown' })
    await expect(stranger.events.list()).rejects.toMatchObject({
      status: 401,
      code: 'unauthorized',
    })
  })

  it('creates a portal session, exchanges its link once and revokes it', async () => {
    const session = await client.portalSessions.create({ userId: 'user_1', readOnly: true })
    const token = new URL(session.url).hash.replace('#token=', '')
    const portal = createClient({ baseUrl: server.engine.url, apiKey: 'unused' })
    const { credential } = await portal.portalSessions.exchange(token)
    await expect(portal.portalSessions.exchange(token)).rejects.toMatchObject({
      code: 'portal_token_used',
    })
    const asPortal = createClient({ baseUrl: server.engine.url, apiKey: credential })
    expect((await asPortal.destinations.list()).data).toEqual([])
    expect((await client.portalSessions.revoke(session.id)).status).toBe('revoked')
    await expect(asPortal.destinations.list()).rejects.toMatchObject({
      code: 'portal_session_revoked',
    })
  })
})
