import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeWithDeliveries } from '../../src/delivery/index.ts'
import { createPublisher, type Publisher } from '../../src/events/index.ts'
import { createInboundFeed } from '../../src/inbound/feed.ts'
import { lockAcceptedRequests } from '../../src/inbound/request-store.ts'
import { sql } from '../../src/store/index.ts'
import { InboundRouter } from '../../src/inbound/router.ts'
import { createClock } from '../helpers/clock.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createTrigger, inboundConfig, inboundRequests, publicUrl, sendHook } from './helpers.ts'

const clock = createClock()
let server: TestServer
// An API-only engine runs no router: the tests below run their own.
beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: { ...inboundConfig, role: 'api' } })
})
afterAll(() => server.close())

const json = { 'content-type': 'application/json' }
const leaseMs = 60_000

const publisher = () =>
  createPublisher({ store: storeWithDeliveries({ now: clock.now }), now: clock.now })

function router(publisher: Publisher): InboundRouter {
  const { db } = server.engine
  return new InboundRouter(
    {
      db,
      publisher,
      now: clock.now,
      log: pino({ level: 'silent' }),
      publicUrl,
      feed: createInboundFeed(db),
    },
    { leaseMs },
  )
}

/** Routes until nothing is left to take now. */
async function routeOnce(r: InboundRouter): Promise<void> {
  await r.start()
  await r.stop()
}

async function acceptedRequest() {
  const { apiKey: key, projectId } = await server.createProject()
  const trigger = await createTrigger(server, key, {})
  const res = await sendHook(server, trigger.id, { headers: json, body: '{"n":1}' })
  expect(res.status).toBe(200)
  const outcome = async () => (await inboundRequests(server, key, trigger.id))[0]?.outcome
  expect(await outcome()).toBe('accepted')
  return { key, projectId, outcome }
}

describe('inbound router', () => {
  it("routes a dead router's requests at once: its lock ends with its transaction", async () => {
    const { outcome } = await acceptedRequest()
    // A router locks the request and dies before it commits: the transaction rolls back.
    const died = server.engine.db.kysely.transaction().execute(async (tx) => {
      const locked = await lockAcceptedRequests(tx, { now: clock.now(), limit: 10 })
      expect(locked.length).toBeGreaterThan(0)
      throw new Error('killed mid-batch')
    })
    await expect(died).rejects.toThrow('killed mid-batch')
    // Without moving the clock: no lease stands between the request and the next router.
    await routeOnce(router(publisher()))
    expect(await outcome()).toBe('routed')
  })

  it('puts back the planner settings it turned off for its claim, as the transaction had them', async () => {
    await acceptedRequest()
    const setting = async (tx: Parameters<typeof lockAcceptedRequests>[0], name: string) =>
      (await sql<{ v: string }>`select current_setting(${name}) as v`.execute(tx)).rows[0]!.v
    const claim = server.engine.db.kysely.transaction().execute(async (tx) => {
      // A transaction that had turned one off itself keeps it off; the other is on again.
      await sql`select set_config('enable_seqscan', 'off', true)`.execute(tx)
      const locked = await lockAcceptedRequests(tx, { now: clock.now(), limit: 10 })
      expect(locked.length).toBeGreaterThan(0)
      expect(await setting(tx, 'enable_bitmapscan')).toBe('on')
      expect(await setting(tx, 'enable_seqscan')).toBe('off')
      throw new Error('rolled back')
    })
    // Any failed expectation above rejects with its own message instead.
    await expect(claim).rejects.toThrow('rolled back')
  })

  it("keeps one project's failure from the others in the batch, and retries it after the lease", async () => {
    const failing = await acceptedRequest()
    const healthy = await acceptedRequest()
    const working = publisher()
    let broken = true
    const breaking: Publisher = {
      ...working,
      publish: async (tx, projectId, events, options) => {
        if (broken && projectId === failing.projectId) throw new Error('publishing failed')
        return working.publish(tx, projectId, events, options)
      },
    }
    await routeOnce(router(breaking))
    expect(await healthy.outcome()).toBe('routed')
    expect(await failing.outcome()).toBe('accepted')
    const events = await server.api('GET', '/v1/events?type=trigger.received', {
      key: failing.key,
    })
    expect(events.body.data).toEqual([])

    // Fixed, but the request waits out its lease rather than being retried at every wake.
    broken = false
    await routeOnce(router(breaking))
    expect(await failing.outcome()).toBe('accepted')
    clock.advance(leaseMs + 1000)
    await routeOnce(router(breaking))
    expect(await failing.outcome()).toBe('routed')
  })
})
