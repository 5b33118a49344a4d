import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pruneInboundRequests } from '../../src/inbound/index.ts'
import { createClock } from '../helpers/clock.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTrigger, inboundConfig, inboundRequests, sendHook } from './helpers.ts'

/*
 * Issue #24 item 12: requests /hooks refused were stored whole and never pruned (50 unsigned
 * 1 MB requests stored 50 MB). Now a refused request keeps a 4 KiB excerpt and its size, and
 * inbound requests go with the project's retentionDays like deliveries.
 */

const clock = createClock()
let server: TestServer
const day = 24 * 3600 * 1000
const json = { 'content-type': 'application/json' }
const github = { verification: { preset: 'github', secrets: ['It’s a Secret to Everybody'] } }

// An API-only engine: no router, so accepted requests stay accepted, and no pruner of its own.
beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: { ...inboundConfig, role: 'api' } })
})
afterAll(() => server.close())

const storedBytes = async (triggerId: string) => {
  const { rows } = await sql<{ n: number }>`
    select coalesce(sum(octet_length(body)), 0)::int as n from inbound_requests
    where trigger_id = ${triggerId}`.execute(server.engine.db.kysely)
  return rows[0]!.n
}

describe('rejected bodies', () => {
  it('keeps a 4 KiB excerpt of each unsigned request, with the size it had', async () => {
    const { apiKey: key } = await server.createProject()
    const trigger = await createTrigger(server, key, github)
    const body = `{"junk":"${'x'.repeat(512 * 1024)}"}`
    for (let i = 0; i < 10; i++) {
      const res = await sendHook(server, trigger.id, { headers: json, body })
      expect(res.status).toBe(401)
    }
    expect(await storedBytes(trigger.id)).toBe(10 * 4096)
    const [logged] = await inboundRequests(server, key, trigger.id)
    expect(logged).toMatchObject({
      outcome: 'rejected',
      bodySize: body.length,
      bodyTruncated: true,
      body: body.slice(0, 4096),
    })
  })

  it('keeps an accepted body whole', async () => {
    const { apiKey: key } = await server.createProject()
    const trigger = await createTrigger(server, key, {})
    const body = `{"data":"${'y'.repeat(50_000)}"}`
    expect((await sendHook(server, trigger.id, { headers: json, body })).status).toBe(200)
    expect(await storedBytes(trigger.id)).toBe(body.length)
    const [logged] = await inboundRequests(server, key, trigger.id)
    expect(logged).toMatchObject({ outcome: 'accepted', bodySize: body.length })
    expect(logged.bodyTruncated).toBe(false)
  })
})

describe('pruneInboundRequests', () => {
  it("deletes requests older than the project's retention, keeping those not routed yet", async () => {
    const short = await server.createProject()
    await server.api('PUT', '/v1/settings', { key: short.apiKey, body: { retentionDays: 7 } })
    const standard = await server.createProject()
    const refusing = await createTrigger(server, short.apiKey, github)
    const accepting = await createTrigger(server, short.apiKey, {})
    const other = await createTrigger(server, standard.apiKey, github)
    await sendHook(server, refusing.id, { headers: json, body: '{}' })
    await sendHook(server, accepting.id, { headers: json, body: '{}' })
    await sendHook(server, other.id, { headers: json, body: '{}' })

    clock.advance(8 * day)
    // Received after the jump: within the retention.
    await sendHook(server, refusing.id, { headers: json, body: '{"late":true}' })
    expect(await pruneInboundRequests(server.engine.db.kysely, { now: clock.now() })).toBe(1)

    const refused = await inboundRequests(server, short.apiKey, refusing.id)
    expect(refused.map((r) => r.body)).toEqual(['{"late":true}'])
    // Accepted but not routed yet: kept, or an acknowledged request would be lost.
    expect(await inboundRequests(server, short.apiKey, accepting.id)).toHaveLength(1)
    // The other project keeps 30 days.
    expect(await inboundRequests(server, standard.apiKey, other.id)).toHaveLength(1)
  })

  it('deletes every expired request of a busy trigger', async () => {
    const { apiKey: key } = await server.createProject()
    await server.api('PUT', '/v1/settings', { key, body: { retentionDays: 1 } })
    const trigger = await createTrigger(server, key, github)
    await Promise.all(
      Array.from({ length: 30 }, () => sendHook(server, trigger.id, { headers: json, body: '{}' })),
    )
    clock.advance(2 * day)
    expect(await pruneInboundRequests(server.engine.db.kysely, { now: clock.now() })).toBe(30)
    expect(await inboundRequests(server, key, trigger.id)).toEqual([])
  })
})
