import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSender, type Dispatcher, waitForDispatch } from '../../src/delivery/index.ts'
import { claimDue } from '../../src/delivery/store.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createDestination, standaloneDispatcher } from './fixtures.ts'

const clock = createClock()
let server: TestServer
let receiver: Receiver
const sender = createSender({ allowPrivateTargets: true, now: clock.now })

// An API-only engine: its own dispatcher never starts, so only the ones below send.
beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: { role: 'api' } })
  receiver = await startReceiver()
})
afterAll(async () => {
  await server.close()
  await receiver.close()
  await sender.close()
})

function dispatcher(batchSize: number): Dispatcher {
  return standaloneDispatcher(server, { now: clock.now, sender }, { batchSize })
}

async function publishBatch(key: string, count: number): Promise<void> {
  const events = Array.from({ length: count }, () => ({ type: 'webhook.test', data: {} }))
  const res = await server.api('POST', '/v1/events/batch', { key, body: { events } })
  expect(res.status).toBe(202)
}

describe('several dispatchers on one store', () => {
  it('share the due deliveries without sending any twice', async () => {
    const { apiKey: key } = await server.createProject()
    await createDestination(server, key, { url: receiver.url, events: ['*'], maxConcurrency: 100 })
    await publishBatch(key, 60)
    const before = receiver.requests.length
    const workers = [dispatcher(20), dispatcher(20), dispatcher(20)]
    const claimed = await Promise.all(workers.map((w) => w.runOnce()))
    expect(claimed.reduce((a, b) => a + b, 0)).toBe(60)
    const ids = receiver.requests.slice(before).map((r) => r.headers['webhook-id'])
    expect(ids).toHaveLength(60)
    expect(new Set(ids).size).toBe(60)
  })

  it("do not take a delivery while another worker's lease holds", async () => {
    const { apiKey: key } = await server.createProject()
    await createDestination(server, key, { url: receiver.url, events: ['*'], timeoutMs: 1000 })
    await publishBatch(key, 1)
    // A worker claims and is killed before it records anything.
    const leased = await claimDue(server.engine.db.kysely, {
      workerId: 'killed-worker',
      now: clock.now(),
      limit: 10,
      leaseMarginMs: 30_000,
      after: null,
      load: [],
    })
    expect(leased).toHaveLength(1)
    expect(await dispatcher(10).runOnce()).toBe(0)
  })

  it("send a killed worker's claim again once its lease has run out", async () => {
    const { apiKey: key } = await server.createProject()
    const dest = await createDestination(server, key, {
      url: receiver.url,
      events: ['*'],
      timeoutMs: 1000,
    })
    await publishBatch(key, 1)
    const [leased] = await claimDue(server.engine.db.kysely, {
      workerId: 'killed-worker',
      now: clock.now(),
      limit: 10,
      leaseMarginMs: 30_000,
      after: null,
      load: [],
    })
    expect(leased!.destination_id).toBe(dest.id)
    clock.advance(31_000 + 1000)
    const survivor = dispatcher(10)
    const resent = waitForDispatch(survivor, 'delivered', (e) => e.deliveryId === leased!.id)
    await survivor.runOnce()
    expect(await resent).toMatchObject({ attempt: 2 })
    // The previous test's lease runs out too, so this run may send its delivery as well.
    const sent = receiver.requests.filter((r) => r.headers['webhook-id'] === leased!.id)
    expect(sent).toHaveLength(1)
  })
})
