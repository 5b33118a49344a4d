import { describe, expect, it } from 'vitest'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { statuses } from '../helpers/receiver.ts'
import {
  collectDispatch,
  createDestination,
  dispatchHarness,
  keyWithRole,
  listDeliveries,
  publish,
} from './fixtures.ts'

const { clock, server, dispatcher, receiver } = dispatchHarness()

/** A project whose only attempt per delivery fails, with a delivery that failed for good. */
async function failedDelivery() {
  const { apiKey: key } = await server.createProject()
  await server.api('PUT', '/v1/settings', { key, body: { retrySchedule: [] } })
  const target = await receiver(500)
  const dest = await createDestination(server, key, { url: target.url, events: ['*'] })
  const failed = waitForDispatch(dispatcher(), 'failed', (e) => e.destinationId === dest.id)
  await publish(server, key)
  const { deliveryId } = await failed
  return { key, dest, target, deliveryId }
}

describe('POST /v1/deliveries/:id/retry', () => {
  it('sends a failed delivery again now with the same webhook-id', async () => {
    const { key, target, deliveryId } = await failedDelivery()
    target.answer(statuses(200))
    const delivered = waitForDispatch(dispatcher(), 'delivered', (e) => e.deliveryId === deliveryId)
    const res = await server.api('POST', `/v1/deliveries/${deliveryId}/retry`, { key })
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({ id: deliveryId, status: 'pending' })
    expect(await delivered).toMatchObject({ attempt: 2 })
    const [first, second] = target.requests
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id'])
  })

  it('sends a succeeded delivery again as a new attempt', async () => {
    const { apiKey: key } = await server.createProject()
    const target = await receiver()
    const dest = await createDestination(server, key, { url: target.url, events: ['*'] })
    const first = waitForDispatch(dispatcher(), 'delivered', (e) => e.destinationId === dest.id)
    await publish(server, key)
    const { deliveryId } = await first
    const again = waitForDispatch(dispatcher(), 'delivered', (e) => e.deliveryId === deliveryId)
    await server.api('POST', `/v1/deliveries/${deliveryId}/retry`, { key })
    await again
    const read = await server.api('GET', `/v1/deliveries/${deliveryId}`, { key })
    expect(read.body.attempts.map((a: { number: number }) => a.number)).toEqual([1, 2])
  })

  it('answers 409 destination_disabled while the destination is disabled', async () => {
    const { key, dest, deliveryId } = await failedDelivery()
    await server.api('POST', `/v1/destinations/${dest.id}/disable`, { key })
    const res = await server.api('POST', `/v1/deliveries/${deliveryId}/retry`, { key })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('destination_disabled')
  })

  it('needs the admin role', async () => {
    const { key, deliveryId } = await failedDelivery()
    const member = await keyWithRole(server, key, 'member')
    const res = await server.api('POST', `/v1/deliveries/${deliveryId}/retry`, { key: member })
    expect(res.status).toBe(403)
  })
})

describe('POST /v1/destinations/:id/recover', () => {
  it('re-queues the failed deliveries created since the time given', async () => {
    const { key, dest, target } = await failedDelivery()
    const failed = waitForDispatch(dispatcher(), 'failed', (e) => e.destinationId === dest.id)
    await publish(server, key)
    await failed
    target.answer(statuses(200))
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === dest.id,
      2,
    )
    const since = new Date(clock.now().getTime() - 3600_000).toISOString()
    const res = await server.api('POST', `/v1/destinations/${dest.id}/recover`, {
      key,
      body: { since },
    })
    expect(res).toMatchObject({ status: 202, body: { requeued: 2 } })
    await delivered
    const succeeded = await listDeliveries(server, key, `destinationId=${dest.id}&status=succeeded`)
    expect(succeeded).toHaveLength(2)
  })

  it('leaves failed deliveries created before the time alone', async () => {
    const { key, dest } = await failedDelivery()
    const since = new Date(clock.now().getTime() + 1000).toISOString()
    const res = await server.api('POST', `/v1/destinations/${dest.id}/recover`, {
      key,
      body: { since },
    })
    expect(res.body).toEqual({ requeued: 0 })
  })
})

describe('GET /v1/deliveries', () => {
  it('filters by status and destination and pages newest first', async () => {
    const { apiKey: key } = await server.createProject()
    const ok = await createDestination(server, key, { url: (await receiver()).url, events: ['*'] })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const delivered = waitForDispatch(dispatcher(), 'delivered', (e) => e.destinationId === ok.id)
      await publish(server, key)
      ids.push((await delivered).deliveryId)
    }
    const first = await server.api(
      'GET',
      `/v1/deliveries?destinationId=${ok.id}&status=succeeded&limit=2`,
      { key },
    )
    expect(first.body.data.map((d: { id: string }) => d.id)).toEqual([ids[2], ids[1]])
    const second = await server.api(
      'GET',
      `/v1/deliveries?destinationId=${ok.id}&status=succeeded&limit=2&cursor=${first.body.nextCursor}`,
      { key },
    )
    expect(second.body.data.map((d: { id: string }) => d.id)).toEqual([ids[0]])
    expect(await listDeliveries(server, key, `destinationId=${ok.id}&status=failed`)).toEqual([])
  })

  it('filters by creation time', async () => {
    const { apiKey: key } = await server.createProject()
    await createDestination(server, key, { url: (await receiver()).url, events: ['*'] })
    const eventId = await publish(server, key)
    const later = new Date(clock.now().getTime() + 60_000).toISOString()
    expect(await listDeliveries(server, key, `until=${later}&eventId=${eventId}`)).toHaveLength(1)
    expect(await listDeliveries(server, key, `since=${later}&eventId=${eventId}`)).toEqual([])
  })

  it("answers 404 for another project's delivery", async () => {
    const { deliveryId } = await failedDelivery()
    const { apiKey: other } = await server.createProject()
    const res = await server.api('GET', `/v1/deliveries/${deliveryId}`, { key: other })
    expect(res.status).toBe(404)
    const retry = await server.api('POST', `/v1/deliveries/${deliveryId}/retry`, { key: other })
    expect(retry.status).toBe(404)
  })

  it('answers 400 for a status that does not exist', async () => {
    const { apiKey: key } = await server.createProject()
    const res = await server.api('GET', '/v1/deliveries?status=lost', { key })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
  })
})
