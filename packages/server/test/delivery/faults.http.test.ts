import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { waitForDispatch, type AttemptEvent } from '../../src/delivery/index.ts'
import { startReceiver, type Receiver, type ReceiverHandler } from '../helpers/receiver.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { createDestination, noPoll, publish } from './fixtures.ts'

let server: TestServer
const receivers: Receiver[] = []

beforeAll(async () => {
  server = await startTestServer({ config: noPoll })
})
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(() => server.close())

async function receiver(handler?: ReceiverHandler): Promise<Receiver> {
  const r = await startReceiver(handler)
  receivers.push(r)
  return r
}

const hang: ReceiverHandler = () => {}
const reset: ReceiverHandler = (_request, _res, raw) => raw.socket.destroy()
const trickle: ReceiverHandler = (_request, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' })
  const timer = setInterval(() => res.write('.'), 100)
  res.on('close', () => clearInterval(timer))
}
const fiveMegabytes: ReceiverHandler = (_request, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' })
  res.end(Buffer.alloc(5 * 1024 * 1024, 'x'))
}

/**
 * Publishes one event to a faulty destination (1 s timeout) and a healthy one, and returns
 * the first attempt of each.
 */
async function faultyBesideHealthy(handler: ReceiverHandler) {
  const { apiKey: key } = await server.createProject()
  const faulty = await createDestination(server, key, {
    url: (await receiver(handler)).url,
    events: ['*'],
    timeoutMs: 1000,
  })
  const healthy = await createDestination(server, key, {
    url: (await receiver()).url,
    events: ['*'],
  })
  const attemptOf = (id: string) =>
    waitForDispatch(server.engine.dispatcher, 'attempt', (e) => e.destinationId === id, 10_000)
  const faultyAttempt = attemptOf(faulty.id)
  const healthyAttempt = attemptOf(healthy.id)
  const startedAt = Date.now()
  await publish(server, key)
  const healthyAt = await healthyAttempt.then((e) => ({ e, ms: Date.now() - startedAt }))
  const faultyAt = await faultyAttempt.then((e) => ({ e, ms: Date.now() - startedAt }))
  return { key, faulty: faultyAt, healthy: healthyAt }
}

async function attemptsOf(key: string, attempt: AttemptEvent) {
  const res = await server.api('GET', `/v1/deliveries/${attempt.deliveryId}`, { key })
  return res.body
}

describe('a faulty receiver costs one attempt and nothing else', () => {
  it('times out a receiver that never answers, without delaying a healthy one', async () => {
    const { key, faulty, healthy } = await faultyBesideHealthy(hang)
    expect(faulty.e.outcome).toMatchObject({ kind: 'failed', errorClass: 'timeout' })
    expect(faulty.e.status).toBe('pending')
    expect(healthy.e.outcome?.kind).toBe('delivered')
    expect(healthy.ms).toBeLessThan(faulty.ms)
    expect((await attemptsOf(key, faulty.e)).attempts).toHaveLength(1)
  })

  it('fails a reset connection as a connect error', async () => {
    const { key, faulty, healthy } = await faultyBesideHealthy(reset)
    expect(faulty.e.outcome).toMatchObject({ kind: 'failed', errorClass: 'connect' })
    expect(healthy.e.outcome?.kind).toBe('delivered')
    expect((await attemptsOf(key, faulty.e)).attempts).toHaveLength(1)
  })

  it('times out a body trickled byte by byte past the timeout', async () => {
    const { key, faulty, healthy } = await faultyBesideHealthy(trickle)
    expect(faulty.e.outcome).toMatchObject({ kind: 'failed', errorClass: 'timeout' })
    expect(healthy.ms).toBeLessThan(faulty.ms)
    expect((await attemptsOf(key, faulty.e)).attempts).toHaveLength(1)
  })

  it('keeps the first 4 KiB of a 5 MB answer and drops the rest', async () => {
    const { key, faulty } = await faultyBesideHealthy(fiveMegabytes)
    expect(faulty.e.outcome).toMatchObject({ kind: 'delivered', status: 200 })
    const [attempt] = (await attemptsOf(key, faulty.e)).attempts
    expect(attempt.responseBody).toHaveLength(4096)
  })
})

describe('isolation', () => {
  it("sends no more than a destination's maxConcurrency at once and still serves the others", async () => {
    const { apiKey: key } = await server.createProject()
    const stuck = await receiver(hang)
    const healthy = await receiver()
    await createDestination(server, key, {
      url: stuck.url,
      events: ['*'],
      timeoutMs: 5000,
      maxConcurrency: 2,
    })
    await createDestination(server, key, { url: healthy.url, events: ['*'] })
    const events = Array.from({ length: 20 }, () => ({ type: 'webhook.test', data: {} }))
    await server.api('POST', '/v1/events/batch', { key, body: { events } })
    await healthy.waitForRequests(20)
    expect(stuck.requests).toHaveLength(2)
  })
})

describe('a destination deleted mid-send', () => {
  it('drops the result of the send in flight and goes on', async () => {
    const { apiKey: key } = await server.createProject()
    let answer: () => void = () => {}
    const held = new Promise<void>((resolve) => (answer = resolve))
    const slow = await receiver((_request, res) => void held.then(() => res.end('late')))
    const dest = await createDestination(server, key, { url: slow.url, events: ['*'] })
    const attempt = waitForDispatch(
      server.engine.dispatcher,
      'attempt',
      (e) => e.destinationId === dest.id,
    )
    await publish(server, key)
    await slow.waitForRequests(1)
    expect((await server.api('DELETE', `/v1/destinations/${dest.id}`, { key })).status).toBe(204)
    answer()
    // Reported only once the batch is written: a write that failed would be retried instead.
    expect((await attempt).outcome?.kind).toBe('delivered')
  })
})
