import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { createClock } from '../helpers/clock.ts'
import { startReceiver, statuses, type Receiver } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { startSmtpReceiver, type SmtpReceiver } from '../destinations/smtp-receiver.ts'
import {
  collectDispatch,
  createDestination,
  exactSchedule,
  listDeliveries,
  noPoll,
  publish,
  recordCreated,
} from './fixtures.ts'

const clock = createClock()
let server: TestServer
let smtp: SmtpReceiver
const receivers: Receiver[] = []
const minute = 60_000

beforeAll(async () => {
  smtp = await startSmtpReceiver()
  server = await startTestServer({
    now: clock.now,
    config: { ...exactSchedule, ...noPoll, smtpUrl: smtp.url },
  })
})
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(async () => {
  await server.close()
  await smtp.stop()
})

const dispatcher = () => server.engine.dispatcher

/** A recordCreated for another record, so each delivery's body names its event. */
const recordEvent = (n: number) => ({
  ...recordCreated,
  data: {
    ...recordCreated.data,
    recordId: `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`,
  },
})

/**
 * A project whose destination fails until the rule (1 failure, 0.001 days) pauses it: one
 * failed attempt, then its retry 90 s later.
 */
async function paused(options: { contactEmail?: string } = {}) {
  const { apiKey: key } = await server.createProject('Acme')
  await server.api('PUT', '/v1/settings', {
    key,
    body: { autoDisable: { minConsecutiveFailures: 1, afterDays: 0.001 }, retrySchedule: [60, 60] },
  })
  const receiver = await startReceiver(statuses(503))
  receivers.push(receiver)
  const dest = await createDestination(server, key, {
    url: receiver.url,
    events: ['record.created'],
    ...options,
  })
  const first = waitForDispatch(dispatcher(), 'attempt', (e) => e.destinationId === dest.id)
  await publish(server, key, recordEvent(1))
  await first
  clock.advance(90_000)
  const pausedEvent = waitForDispatch(dispatcher(), 'paused', (e) => e.destinationId === dest.id)
  dispatcher().wake()
  await pausedEvent
  return { key, dest, receiver }
}

const read = async (key: string, id: string) =>
  (await server.api('GET', `/v1/destinations/${id}`, { key })).body
const timeline = async (key: string, id: string) =>
  (await server.api('GET', `/v1/destinations/${id}/timeline`, { key })).body.data as {
    kind: string
    message: string
    details: Record<string, unknown>
  }[]

/** Runs the probe for this destination (other tests' paused destinations may be due too). */
async function probe(destinationId: string) {
  return (await server.engine.prober.probe()).filter((r) => r.destinationId === destinationId)
}

describe('pausing', () => {
  it('pauses instead of disabling when the failure rule fires', async () => {
    const { key, dest } = await paused()
    expect(await read(key, dest.id)).toMatchObject({ status: 'paused', enabled: false })
    const [entry] = await timeline(key, dest.id)
    expect(entry).toMatchObject({ kind: 'paused', details: { held: 1 } })
  })

  it('holds deliveries created while paused instead of sending them', async () => {
    const { key, dest, receiver } = await paused()
    const sent = receiver.requests.length
    await publish(server, key, recordEvent(2))
    const held = await listDeliveries(server, key, `destinationId=${dest.id}&status=held`)
    expect(held).toHaveLength(2)
    await dispatcher().runOnce()
    expect(receiver.requests.length).toBe(sent)
  })

  it('emails the contact address with the count of held deliveries', async () => {
    const after = smtp.messages.length
    await paused({ contactEmail: 'oncall@acme.test' })
    const [mail] = (await smtp.waitForMessages(after + 1)).slice(after)
    expect(mail!.subject).toMatch(/are paused$/)
    expect(mail!.text).toContain('Deliveries held (none are dropped): 1')
  })
})

describe('probing', () => {
  it('does not probe before 15 minutes have passed', async () => {
    const { dest } = await paused()
    clock.advance(14 * minute)
    expect(await probe(dest.id)).toEqual([])
  })

  it('probes with a webhook.test event and logs a failed probe on the timeline', async () => {
    const { key, dest, receiver } = await paused()
    clock.advance(15 * minute)
    expect(await probe(dest.id)).toMatchObject([{ outcome: 'failed', error: 'HTTP 503' }])
    expect(JSON.parse(receiver.requests.at(-1)!.body)).toMatchObject({ type: 'webhook.test' })
    const [entry] = await timeline(key, dest.id)
    expect(entry).toMatchObject({ kind: 'probe_failed', details: { status: 503 } })
  })

  it('backs off from every 15 minutes to hourly', async () => {
    const { dest } = await paused()
    const gaps: number[] = []
    let waited = 0
    while (gaps.length < 5) {
      clock.advance(5 * minute)
      waited += 5
      if ((await probe(dest.id)).length === 0) continue
      gaps.push(waited)
      waited = 0
    }
    expect(gaps).toEqual([15, 15, 30, 60, 60])
  })

  it('resumes on the first 2xx and sends what was held in creation order', async () => {
    const { key, dest, receiver } = await paused()
    for (const n of [2, 3, 4]) await publish(server, key, recordEvent(n))
    receiver.answer(statuses(200))
    clock.advance(15 * minute)
    const delivered = collectDispatch(
      dispatcher(),
      'delivered',
      (e) => e.destinationId === dest.id,
      4,
    )
    expect(await probe(dest.id)).toMatchObject([{ outcome: 'resumed', released: 4 }])
    await delivered
    const bodies = receiver.requests.slice(-4).map((r) => JSON.parse(r.body).data.recordId)
    expect(bodies.map((id: string) => Number(id.slice(-12)))).toEqual([1, 2, 3, 4])
    expect(await read(key, dest.id)).toMatchObject({ status: 'enabled', consecutiveFailures: 0 })
    const kinds = (await timeline(key, dest.id)).map((e) => e.kind)
    expect(kinds).toEqual(['resumed', 'paused'])
  })

  it('emails the contact address when it recovers, with the count released', async () => {
    const { receiver, dest } = await paused({ contactEmail: 'oncall@acme.test' })
    receiver.answer(statuses(200))
    clock.advance(15 * minute)
    const after = smtp.messages.length
    await probe(dest.id)
    const [mail] = (await smtp.waitForMessages(after + 1)).slice(after)
    expect(mail!.subject).toMatch(/resumed$/)
    expect(mail!.text).toContain('Held deliveries now being sent, oldest first: 1')
  })

  it('disables a paused destination whose probe answers 410 Gone', async () => {
    const { key, dest, receiver } = await paused()
    receiver.answer(statuses(410))
    clock.advance(15 * minute)
    expect(await probe(dest.id)).toMatchObject([{ outcome: 'disabled' }])
    expect(await read(key, dest.id)).toMatchObject({ status: 'disabled', nextProbeAt: null })
  })

  it('never probes a destination an admin disabled', async () => {
    const { key, dest } = await paused()
    await server.api('POST', `/v1/destinations/${dest.id}/disable`, { key })
    expect(await read(key, dest.id)).toMatchObject({ status: 'disabled' })
    clock.advance(16 * minute)
    expect(await probe(dest.id)).toEqual([])
  })
})
