import { describe, expect, it } from 'vitest'
import { Webhook } from 'standardwebhooks'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { type Receiver } from '../helpers/receiver.ts'
import {
  createDestination,
  dispatchHarness,
  publish,
  recordCreated,
  workflowFailed,
} from './fixtures.ts'

const { clock, server, dispatcher, receiver } = dispatchHarness()

/** A project with one destination pointing at `target`. */
async function setUp(target: Receiver, destination: Record<string, unknown> = {}) {
  const { apiKey: key } = await server.createProject()
  const dest = await createDestination(server, key, {
    url: target.url,
    events: ['*'],
    ...destination,
  })
  return { key, dest }
}

/*
 * How long a wake may take. The server never polls (an hour), so a second request within this
 * bound can only come from the wake under test; 3 s was missed with the machine busy (two cores,
 * load 13), and the bound only ends a failing test.
 */
const wakeWaitMs = 30_000

const attemptOf = (destinationId: string) =>
  waitForDispatch(dispatcher(), 'attempt', (e) => e.destinationId === destinationId)

describe('a delivered request', () => {
  it('carries Standard Webhooks headers that verify with the destination secret', async () => {
    const target = await receiver()
    const { key, dest } = await setUp(target)
    await publish(server, key)
    const [request] = await target.waitForRequests(1)
    // Verified by the standardwebhooks package itself, against the wall clock.
    const payload = new Webhook(dest.secret).verify(request!.body, request!.headers as never)
    expect(payload).toMatchObject({ type: 'record.created', data: recordCreated.data })
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
  })

  it('sends JSON with a Switchyard user agent and the custom headers', async () => {
    const target = await receiver()
    const { key } = await setUp(target, { headers: { 'X-Team': 'ops', Authorization: 'Bearer t' } })
    await publish(server, key)
    const [request] = await target.waitForRequests(1)
    expect(request!.method).toBe('POST')
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/^Switchyard\/\d+\.\d+\.\d+/),
      'x-team': 'ops',
      authorization: 'Bearer t',
    })
  })

  it("renders the body in the destination's wire format", async () => {
    const target = await receiver()
    const { key } = await setUp(target, { format: 'managed-sync', events: ['record_created'] })
    const eventId = await publish(server, key)
    const [request] = await target.waitForRequests(1)
    expect(JSON.parse(request!.body)).toEqual({
      event: 'record_created',
      sync: 'googledrive',
      syncInstanceId: recordCreated.data.syncId,
      credentialId: recordCreated.credentialId,
      user: { id: recordCreated.userId },
      data: { recordId: recordCreated.data.recordId, model: 'files' },
    })
    expect(eventId).toBeTruthy()
  })

  it('logs the attempt with status, headers, body, duration, and no credential values', async () => {
    const target = await receiver()
    target.answer((_r, res) => res.writeHead(200, { 'x-receipt': 'r-1' }).end('thanks'))
    const { key, dest } = await setUp(target, { headers: { Authorization: 'Bearer t' } })
    const delivered = waitForDispatch(dispatcher(), 'delivered', (e) => e.destinationId === dest.id)
    await publish(server, key)
    const { deliveryId } = await delivered
    const res = await server.api('GET', `/v1/deliveries/${deliveryId}`, { key })
    expect(res.body).toMatchObject({ status: 'succeeded', attemptCount: 1, lastStatus: 200 })
    expect(res.body.attempts).toEqual([
      expect.objectContaining({
        number: 1,
        outcome: 'delivered',
        status: 200,
        errorClass: null,
        durationMs: expect.any(Number),
        responseBody: 'thanks',
        responseHeaders: expect.objectContaining({ 'x-receipt': 'r-1' }),
        requestHeaders: expect.objectContaining({
          authorization: '[redacted]',
          'webhook-id': deliveryId,
        }),
      }),
    ])
    // The log keeps the exact body sent, byte for byte what the receiver got.
    expect(res.body.attempts[0].requestBody).toBe(target.requests.at(-1)!.body)
  })
})

describe('the attempt log', () => {
  it("keeps the URL each attempt was sent to, not the destination's current one", async () => {
    const before = await receiver(500)
    const after = await receiver(200)
    const { key, dest } = await setUp(before)
    const first = attemptOf(dest.id)
    await publish(server, key)
    const { deliveryId } = await first
    const moved = await server.api('PATCH', `/v1/destinations/${dest.id}`, {
      key,
      body: { url: after.url },
    })
    expect(moved.status).toBe(200)
    const delivered = waitForDispatch(dispatcher(), 'delivered', (e) => e.deliveryId === deliveryId)
    await server.api('POST', `/v1/deliveries/${deliveryId}/retry`, { key })
    await delivered
    const res = await server.api('GET', `/v1/deliveries/${deliveryId}`, { key })
    expect(res.body.attempts.map((a: { url: string }) => a.url)).toEqual([before.url, after.url])
  })

  it("keeps only the origin of a Slack preset's URL, which is its secret", async () => {
    const target = await receiver(200)
    const { apiKey: key } = await server.createProject()
    const dest = await createDestination(server, key, {
      events: ['*'],
      format: 'monitoring',
      template: { preset: 'slack', url: `${target.url}/services/T000/B000/s3cret` },
    })
    const delivered = waitForDispatch(dispatcher(), 'delivered', (e) => e.destinationId === dest.id)
    await publish(server, key, workflowFailed)
    const { deliveryId } = await delivered
    const res = await server.api('GET', `/v1/deliveries/${deliveryId}`, { key })
    expect(res.body.attempts[0].url).toBe(`${new URL(target.url).origin}/[redacted]`)
    expect(JSON.stringify(res.body)).not.toContain('s3cret')
  })
})

describe('retries', () => {
  it('retries a 500 on the schedule and sends the same webhook-id', async () => {
    const target = await receiver(500, 200)
    const { key, dest } = await setUp(target)
    const first = attemptOf(dest.id)
    await publish(server, key)
    const attempt = await first
    expect(attempt).toMatchObject({ status: 'pending', outcome: { kind: 'failed', status: 500 } })
    expect(attempt.nextAttemptAt!.getTime() - clock.now().getTime()).toBeGreaterThan(4_500)

    clock.advance(4_000)
    await dispatcher().runOnce()
    expect(target.requests).toHaveLength(1)

    clock.advance(1_100)
    const delivered = waitForDispatch(dispatcher(), 'delivered', (e) => e.destinationId === dest.id)
    dispatcher().wake()
    expect(await delivered).toMatchObject({ attempt: 2, status: 'succeeded' })
    const [one, two] = target.requests
    expect(two!.headers['webhook-id']).toBe(one!.headers['webhook-id'])
    expect(two!.body).toBe(one!.body)
  })

  it('fails a delivery for good after the last attempt of the schedule', async () => {
    const target = await receiver(503)
    const { key, dest } = await setUp(target)
    await server.api('PUT', '/v1/settings', { key, body: { retrySchedule: [1] } })
    const first = attemptOf(dest.id)
    await publish(server, key)
    await first
    clock.advance(1_100)
    const failed = waitForDispatch(dispatcher(), 'failed', (e) => e.destinationId === dest.id)
    dispatcher().wake()
    expect(await failed).toMatchObject({ attempt: 2, status: 'failed', nextAttemptAt: null })
  })

  it('counts a redirect as a failure and does not follow it', async () => {
    const elsewhere = await receiver()
    const target = await receiver()
    target.answer((_r, res) => res.writeHead(302, { location: elsewhere.url }).end())
    const { key, dest } = await setUp(target)
    const first = attemptOf(dest.id)
    await publish(server, key)
    expect((await first).outcome).toMatchObject({
      kind: 'failed',
      errorClass: 'http_status',
      status: 302,
      message: expect.stringContaining('not followed'),
    })
    expect(elsewhere.requests).toHaveLength(0)
  })

  it('retries a 429 after its Retry-After delay when that is shorter than the step', async () => {
    const target = await receiver()
    let calls = 0
    target.answer((_r, res) => {
      if (calls++ === 0) res.writeHead(429, { 'retry-after': '2' }).end()
      else res.writeHead(200).end()
    })
    const { key, dest } = await setUp(target)
    const first = attemptOf(dest.id)
    await publish(server, key)
    const attempt = await first
    expect(attempt.outcome).toMatchObject({ status: 429, retryAfterMs: 2000 })
    expect(attempt.nextAttemptAt!.getTime() - clock.now().getTime()).toBeLessThan(2_100)
    clock.advance(2_100)
    const delivered = waitForDispatch(dispatcher(), 'delivered', (e) => e.destinationId === dest.id)
    dispatcher().wake()
    await delivered
  })

  it('caps a Retry-After longer than the step at the step', async () => {
    const target = await receiver()
    target.answer((_r, res) => res.writeHead(503, { 'retry-after': '86400' }).end())
    const { key, dest } = await setUp(target)
    const first = attemptOf(dest.id)
    await publish(server, key)
    const waitMs = (await first).nextAttemptAt!.getTime() - clock.now().getTime()
    expect(waitMs).toBeGreaterThan(4_000)
    expect(waitMs).toBeLessThanOrEqual(5_000)
  })
})

describe('limits', () => {
  it('sends no more than rateLimitPerSecond in a second', async () => {
    const target = await receiver()
    const { key } = await setUp(target, { rateLimitPerSecond: 2 })
    const events = Array.from({ length: 6 }, () => ({ type: 'webhook.test', data: {} }))
    await server.api('POST', '/v1/events/batch', { key, body: { events } })
    await target.waitForRequests(2)
    await dispatcher().runOnce()
    expect(target.requests).toHaveLength(2)
    clock.advance(1_000)
    dispatcher().wake()
    await target.waitForRequests(4)
  })

  it('claims again when a Retry-After block ends, with no send or poll left to wake it', async () => {
    const target = await receiver()
    let calls = 0
    target.answer((_r, res) => {
      if (calls++ === 0) res.writeHead(429, { 'retry-after': '1' }).end()
      else res.writeHead(200).end()
    })
    // One at a time: the second event waits while the 429 blocks the destination.
    const { key } = await setUp(target, { maxConcurrency: 1 })
    await publish(server, key)
    await target.waitForRequests(1)
    await publish(server, key)
    // The claim after the 429 finds the destination blocked and takes nothing; it must arm a
    // wake for the block's end (this server never polls).
    await target.waitForRequests(2, wakeWaitMs)
  })

  it('sends a retry that is due when its result is written, with no send or poll left to wake it', async () => {
    const target = await receiver()
    let calls = 0
    target.answer((_r, res) => {
      if (calls++ === 0) res.writeHead(429, { 'retry-after': '0' }).end()
      else res.writeHead(200).end()
    })
    const { key } = await setUp(target)
    await publish(server, key)
    // The retry is due at once; only the dispatcher itself, once the 429 is written, can know.
    await target.waitForRequests(2, wakeWaitMs)
  })
})
