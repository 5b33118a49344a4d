import { sql } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeWithDeliveries } from '../../src/delivery/index.ts'
import { createPublisher, type Publisher } from '../../src/events/index.ts'
import { createInboundFeed } from '../../src/inbound/feed.ts'
import { InboundRouter } from '../../src/inbound/router.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import { createTrigger, inboundConfig, inboundRequests, publicUrl, sendHook } from './helpers.ts'

/*
 * Issue #24 item 6: a request the router could not route held its batch-mates (one failure
 * rolled back its whole project's batch) and was retried forever. Now each request fails alone,
 * and after a bounded number of tries ends `failed`: in the log, announced as `trigger.failed`,
 * and replayable.
 */

const day = 24 * 3600 * 1000
const json = { 'content-type': 'application/json' }

describe('a router batch with a request that cannot be emitted', () => {
  const clock = createClock()
  let server: TestServer
  // An API-only engine runs no router: these tests run their own, so one pass sees one batch.
  beforeAll(async () => {
    server = await startTestServer({ now: clock.now, config: { ...inboundConfig, role: 'api' } })
  })
  afterAll(() => server.close())

  /** A router whose publishing fails for the requests in `bad` (a stand-in for a row the store refuses). */
  function router(bad: Set<string>, maxAttempts = 5): InboundRouter {
    const { db } = server.engine
    const working = createPublisher({
      store: storeWithDeliveries({ now: clock.now }),
      now: clock.now,
    })
    const breaking: Publisher = {
      ...working,
      publish: async (tx, projectId, events, options) => {
        const refused = (e: (typeof events)[number]) =>
          e.type === 'trigger.received' && bad.has(e.data['inboundRequestId'] as string)
        if (events.some(refused)) throw new Error('the store refused this request')
        return working.publish(tx, projectId, events, options)
      },
    }
    const deps = { db, now: clock.now, log: pino({ level: 'silent' }), publicUrl }
    return new InboundRouter(
      { ...deps, publisher: breaking, feed: createInboundFeed(db) },
      { leaseMs: 60_000, maxAttempts },
    )
  }

  async function routeOnce(r: InboundRouter): Promise<void> {
    await r.start()
    await r.stop()
  }

  async function project() {
    const { apiKey: key } = await server.createProject()
    const trigger = await createTrigger(server, key, {})
    const send = async (n: number) => {
      expect(
        (await sendHook(server, trigger.id, { headers: json, body: `{"n":${n}}` })).status,
      ).toBe(200)
      return (await inboundRequests(server, key, trigger.id))[0]!.id as string
    }
    const row = async (id: string) =>
      (await server.api('GET', `/v1/inbound-requests/${id}`, { key })).body
    return { key, trigger, send, row }
  }

  it("routes a failing request's batch-mates of the same project, and retries it later", async () => {
    const p = await project()
    const first = await p.send(1)
    const bad = await p.send(2)
    const last = await p.send(3)
    await routeOnce(router(new Set([bad])))
    expect((await p.row(first)).outcome).toBe('routed')
    expect((await p.row(last)).outcome).toBe('routed')
    expect(await p.row(bad)).toMatchObject({ outcome: 'accepted', routingAttempts: 1 })
    expect((await p.row(bad)).reason).toMatch(/try 1 of 5.*the store refused this request/)
  })

  it('ends a request failed after its last try, raises trigger.failed, and routes it on replay', async () => {
    const p = await project()
    const bad = await p.send(1)
    const failing = router(new Set([bad]), 3)
    for (let tries = 1; tries <= 3; tries++) {
      await routeOnce(failing)
      expect((await p.row(bad)).routingAttempts).toBe(tries)
      // The next try waits for its lease, which doubles: a day covers any of them.
      await routeOnce(failing)
      expect((await p.row(bad)).routingAttempts).toBe(tries)
      clock.advance(day)
    }
    const failed = await p.row(bad)
    expect(failed).toMatchObject({ outcome: 'failed', routingAttempts: 3, eventIds: [] })
    expect(failed.reason).toMatch(/^routing failed 3 times: the store refused this request/)
    expect(failed.processedAt).not.toBeNull()
    const listed = await server.api('GET', `/v1/inbound-requests?outcome=failed`, { key: p.key })
    expect(listed.body.data.map((r: any) => r.id)).toEqual([bad])

    const alerts = await server.api('GET', '/v1/events?type=trigger.failed', { key: p.key })
    expect(alerts.body.data).toHaveLength(1)
    expect(alerts.body.data[0].data).toMatchObject({
      triggerId: p.trigger.id,
      inboundRequestId: bad,
      attempts: 3,
    })

    // Once failed, no router takes it again by itself.
    clock.advance(day)
    await routeOnce(router(new Set()))
    expect((await p.row(bad)).outcome).toBe('failed')

    const replay = await server.api('POST', `/v1/inbound-requests/${bad}/replay`, { key: p.key })
    expect(replay.status).toBe(202)
    await routeOnce(router(new Set()))
    expect(await p.row(bad)).toMatchObject({ outcome: 'routed', routingAttempts: 0, reason: null })
  })
})

describe('a request whose trigger can no longer route it', () => {
  const clock = createClock()
  let server: TestServer
  let receiver: Receiver
  beforeAll(async () => {
    server = await startTestServer({ now: clock.now, config: inboundConfig })
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await server.close()
    await receiver.close()
  })

  it('ends failed on the engine router, alerts a monitoring destination, and replays once fixed', async () => {
    const { apiKey: key } = await server.createProject()
    const alerts = await server.api('POST', '/v1/destinations', {
      key,
      body: { url: receiver.url, events: ['trigger_failure'], format: 'monitoring' },
    })
    expect(alerts.status, JSON.stringify(alerts.body)).toBe(201)
    const trigger = await createTrigger(server, key, {
      integration: 'slack',
      routing: { from: 'body', path: '$.team_id' },
    })
    // A routing path that no longer parses (written by hand, or by an older version).
    await sql`update triggers set routing = ${JSON.stringify({ from: 'body', path: '$..[?(@.a' })}::jsonb
      where id = ${trigger.id}`.execute(server.engine.db.kysely)
    expect(
      (await sendHook(server, trigger.id, { headers: json, body: '{"team_id":"T1"}' })).status,
    ).toBe(200)
    const id = (await inboundRequests(server, key, trigger.id))[0]!.id as string
    const row = async () => (await server.api('GET', `/v1/inbound-requests/${id}`, { key })).body
    for (let tries = 1; tries <= 5; tries++) {
      await waitFor(async () => (await row()).routingAttempts >= tries || undefined, 15_000)
      clock.advance(day)
    }
    expect(await row()).toMatchObject({ outcome: 'failed', routingAttempts: 5 })

    const [alert] = await receiver.waitForRequests(1, 15_000)
    const body = JSON.parse(alert!.body)
    expect(body).toMatchObject({
      type: 'trigger_failure',
      data: { triggerId: trigger.id, inboundRequestId: id },
    })
    expect(body.message).toContain(id)

    const fixed = await server.api('PATCH', `/v1/triggers/${trigger.id}`, {
      key,
      body: { routing: null },
    })
    expect(fixed.status).toBe(200)
    expect((await server.api('POST', `/v1/inbound-requests/${id}/replay`, { key })).status).toBe(
      202,
    )
    await waitFor(async () => (await row()).outcome === 'routed' || undefined, 15_000)
  })
})
