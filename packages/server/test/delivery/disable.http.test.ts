import { describe, expect, it } from 'vitest'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { statuses } from '../helpers/receiver.ts'
import {
  collectDispatch,
  createDestination,
  dispatchHarness,
  listDeliveries,
  publish,
} from './fixtures.ts'

const { clock, server, dispatcher, receiver } = dispatchHarness()
const day = 24 * 3600 * 1000

const disabledEvent = (destinationId: string) =>
  waitForDispatch(dispatcher(), 'disabled', (e) => e.destinationId === destinationId)
const pausedEvent = (destinationId: string) =>
  waitForDispatch(dispatcher(), 'paused', (e) => e.destinationId === destinationId)

/** A project with a failing destination and a monitoring one that hears about disables. */
async function setUp(failingCodes: number[]) {
  const { apiKey: key } = await server.createProject('Acme')
  const failing = await receiver(...failingCodes)
  const monitor = await receiver()
  const dest = await createDestination(server, key, { url: failing.url, events: ['*'] })
  await createDestination(server, key, {
    url: monitor.url,
    format: 'monitoring',
    events: ['destination_disabled'],
  })
  return { key, dest, failing, monitor }
}

describe('410 Gone', () => {
  it('disables the destination at once with the reason', async () => {
    const { key, dest } = await setUp([410])
    const disabled = disabledEvent(dest.id)
    await publish(server, key)
    expect(await disabled).toMatchObject({ reason: 'the receiver answered 410 Gone' })
    const read = await server.api('GET', `/v1/destinations/${dest.id}`, { key })
    expect(read.body).toMatchObject({
      enabled: false,
      disabledReason: 'the receiver answered 410 Gone',
    })
  })

  it('fails the delivery without retrying it', async () => {
    const { key, dest } = await setUp([410])
    const failed = waitForDispatch(dispatcher(), 'failed', (e) => e.destinationId === dest.id)
    await publish(server, key)
    expect(await failed).toMatchObject({ attempt: 1, status: 'failed', outcome: { kind: 'gone' } })
  })

  it('tells the other destinations with a destination.disabled event', async () => {
    const { key, dest, monitor } = await setUp([410])
    await publish(server, key)
    const [request] = await monitor.waitForRequests(1)
    const body = JSON.parse(request!.body)
    expect(body).toMatchObject({
      type: 'destination_disabled',
      project: { name: 'Acme' },
      data: { destinationId: dest.id, reason: 'the receiver answered 410 Gone', url: dest.url },
    })
    expect(body.message).toContain('was disabled')
  })
})

describe('auto-disable', () => {
  const rule = { minConsecutiveFailures: 3, afterDays: 5 }

  async function failThreeTimes() {
    const context = await setUp([500])
    await server.api('PUT', '/v1/settings', {
      key: context.key,
      body: { autoDisable: rule, retrySchedule: [60, 60, 60] },
    })
    for (let i = 0; i < 3; i++) {
      const attempt = waitForDispatch(
        dispatcher(),
        'attempt',
        (e) => e.destinationId === context.dest.id,
      )
      await publish(server, context.key)
      await attempt
    }
    return context
  }

  it('keeps a destination enabled while its failures are younger than the window', async () => {
    const { key, dest } = await failThreeTimes()
    const read = await server.api('GET', `/v1/destinations/${dest.id}`, { key })
    expect(read.body).toMatchObject({ enabled: true, consecutiveFailures: 3 })
    expect(read.body.failingSince).not.toBeNull()
  })

  it('pauses a destination failing for the window and at least N times in a row', async () => {
    const { key, dest } = await failThreeTimes()
    clock.advance(5 * day + 61_000)
    const paused = pausedEvent(dest.id)
    dispatcher().wake()
    expect((await paused).reason).toMatch(/^\d+ attempts in a row failed since /)
    const read = await server.api('GET', `/v1/destinations/${dest.id}`, { key })
    expect(read.body).toMatchObject({ enabled: false, status: 'paused' })
  })

  it('holds the pending deliveries of the paused destination', async () => {
    const { key, dest } = await failThreeTimes()
    clock.advance(5 * day + 61_000)
    const paused = pausedEvent(dest.id)
    dispatcher().wake()
    await paused
    const held = await listDeliveries(server, key, `destinationId=${dest.id}&status=held`)
    expect(held).toHaveLength(3)
    expect(await listDeliveries(server, key, `destinationId=${dest.id}&status=pending`)).toEqual([])
  })

  it('sends destination.disabled to the other destinations and not to the disabled one', async () => {
    const { key, dest, monitor } = await failThreeTimes()
    clock.advance(5 * day + 61_000)
    dispatcher().wake()
    const [request] = await monitor.waitForRequests(1)
    expect(JSON.parse(request!.body).data).toMatchObject({ destinationId: dest.id })
    const ofDisabled = await listDeliveries(server, key, `destinationId=${dest.id}`)
    expect(ofDisabled.map((d) => d.eventType)).not.toContain('destination.disabled')
  })

  it('resumes the held deliveries when an admin enables the paused destination', async () => {
    const { key, dest, failing } = await failThreeTimes()
    clock.advance(5 * day + 61_000)
    const paused = pausedEvent(dest.id)
    dispatcher().wake()
    await paused
    failing.answer(statuses(200))
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === dest.id,
      3,
    )
    await server.api('POST', `/v1/destinations/${dest.id}/enable`, { key })
    await delivered
    const read = await server.api('GET', `/v1/destinations/${dest.id}`, { key })
    expect(read.body).toMatchObject({
      enabled: true,
      status: 'enabled',
      consecutiveFailures: 0,
      failingSince: null,
    })
  })
})
