import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pruneDeliveries, waitForDispatch } from '../../src/delivery/index.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createDestination, noPoll, publish } from './fixtures.ts'

const clock = createClock()
let server: TestServer
let receiver: Receiver
const day = 24 * 3600 * 1000

beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: noPoll })
  receiver = await startReceiver()
})
afterAll(async () => {
  await server.close()
  await receiver.close()
})

/** A project with one delivered delivery; `retentionDays` when given. */
async function deliveredIn(retentionDays?: number) {
  const { apiKey: key } = await server.createProject()
  if (retentionDays) await server.api('PUT', '/v1/settings', { key, body: { retentionDays } })
  const dest = await createDestination(server, key, { url: receiver.url, events: ['*'] })
  const delivered = waitForDispatch(
    server.engine.dispatcher,
    'delivered',
    (e) => e.destinationId === dest.id,
  )
  await publish(server, key)
  const { deliveryId } = await delivered
  return { key, deliveryId }
}

describe('pruneDeliveries', () => {
  it("deletes deliveries and their attempts older than the project's retention", async () => {
    const short = await deliveredIn(7)
    const standard = await deliveredIn()
    clock.advance(8 * day)
    expect(
      await pruneDeliveries(server.engine.db.kysely, { now: clock.now() }),
    ).toBeGreaterThanOrEqual(1)
    const gone = await server.api('GET', `/v1/deliveries/${short.deliveryId}`, { key: short.key })
    expect(gone.status).toBe(404)
    const kept = await server.api('GET', `/v1/deliveries/${standard.deliveryId}`, {
      key: standard.key,
    })
    expect(kept.status).toBe(200)
  })

  it('keeps a pending delivery past the retention', async () => {
    const { apiKey: key } = await server.createProject()
    await server.api('PUT', '/v1/settings', {
      key,
      body: { retentionDays: 1, retrySchedule: [3 * 24 * 3600] },
    })
    const failing = await startReceiver((_r, res) => res.writeHead(500).end())
    try {
      const dest = await createDestination(server, key, { url: failing.url, events: ['*'] })
      const attempt = waitForDispatch(
        server.engine.dispatcher,
        'attempt',
        (e) => e.destinationId === dest.id,
      )
      await publish(server, key)
      const { deliveryId } = await attempt
      clock.advance(2 * day)
      await pruneDeliveries(server.engine.db.kysely, { now: clock.now() })
      const read = await server.api('GET', `/v1/deliveries/${deliveryId}`, { key })
      expect(read.body).toMatchObject({ status: 'pending' })
    } finally {
      await failing.close()
    }
  })
})
