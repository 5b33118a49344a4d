import { verifyWebhook } from '@switchyard/sdk'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { waitForDispatch } from '../../src/delivery/index.ts'
import { sql, query } from '../../src/store/index.ts'
import { createDestination, exactSchedule, noPoll, recordCreated } from '../delivery/fixtures.ts'
import { createClock } from '../helpers/clock.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { waitFor } from '../helpers/wait.ts'
import {
  killRabbitConnection,
  killRedisClient,
  natsConsumer,
  natsUrl,
  rabbitConsumer,
  rabbitUrl,
  redisConsumer,
  redisUrl,
  tcpRelay,
  uniqueName,
  type Consumer,
  type Received,
} from './consumers.ts'

/*
 * Broker destinations against the real local RabbitMQ, NATS JetStream and Redis. The events
 * per run default to 1,000 (issue #29); SWITCHYARD_BROKER_EVENTS lowers it on a slow machine.
 */
const events = Number(process.env.SWITCHYARD_BROKER_EVENTS ?? 1000)
const kinds = {
  rabbitmq: { url: rabbitUrl, consumer: () => rabbitConsumer({ exchange: true }) },
  nats: { url: natsUrl, consumer: natsConsumer },
  redis: { url: redisUrl, consumer: redisConsumer },
} as const
type Kind = keyof typeof kinds

const clock = createClock()
let server: TestServer
const opened: Consumer[] = []

beforeAll(async () => {
  server = await startTestServer({ now: clock.now, config: { ...noPoll, ...exactSchedule } })
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()))
})
afterAll(async () => {
  await server.close()
})

async function consumerOf(kind: Kind): Promise<Consumer> {
  const consumer = await kinds[kind].consumer()
  opened.push(consumer)
  return consumer
}

/** A project retrying every second (of the test clock), ten times. */
async function project(): Promise<string> {
  const { apiKey } = await server.createProject()
  const res = await server.api('PUT', '/v1/settings', {
    key: apiKey,
    body: { retrySchedule: Array<number>(10).fill(1) },
  })
  expect(res.status).toBe(200)
  return apiKey
}

async function brokerDestination(key: string, kind: Kind, broker: Record<string, unknown>) {
  return createDestination(server, key, {
    type: kind,
    events: ['record.created'],
    timeoutMs: 5000,
    broker: { url: kinds[kind].url, ...broker },
  })
}

/** Publishes `n` record.created events, each with its own record id, in batches of 1,000. */
async function publishMany(key: string, n: number): Promise<void> {
  for (let start = 0; start < n; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - start) }, (_, i) => ({
      ...recordCreated,
      data: { ...recordCreated.data, recordId: `record-${start + i}` },
    }))
    const res = await server.api('POST', '/v1/events/batch', { key, body: { events: batch } })
    expect(res.status, JSON.stringify(res.body)).toBe(202)
  }
}

/** Counts the destination's delivered deliveries as the dispatcher reports them. */
function track(destinationId: string) {
  const delivered = new Set<string>()
  const listener = (e: { destinationId: string; deliveryId: string }) => {
    if (e.destinationId === destinationId) delivered.add(e.deliveryId)
  }
  server.engine.dispatcher.events.on('delivered', listener)
  return { delivered, stop: () => server.engine.dispatcher.events.off('delivered', listener) }
}

/**
 * Waits until `n` deliveries succeeded. When nothing moves for a second, the clock goes past the
 * next retry (1 s) and the dispatcher is woken: the test never waits on the real schedule.
 */
async function drain(tracked: { delivered: Set<string> }, n: number): Promise<void> {
  let last = -1
  let still = 0
  await waitFor(
    () => {
      if (tracked.delivered.size >= n) return true
      if (tracked.delivered.size === last && ++still >= 4) {
        clock.advance(1_100)
        server.engine.dispatcher.wake()
        still = 0
      }
      last = tracked.delivered.size
      return false
    },
    240_000,
    250,
  )
}

/** Every message once by webhook-id, each verifying with the destination's secret. */
async function expectExactlyOnce(received: Received[], n: number, secret: string) {
  const ids = new Set(received.map((m) => m.id))
  expect(ids.size).toBe(n)
  for (const message of received) {
    const event = await verifyWebhook(message.body, message.headers, secret, { now: clock.now })
    expect(event).toMatchObject({ type: 'record.created' })
    expect(message.headers['webhook-event-type']).toBe('record.created')
  }
}

describe.each(Object.keys(kinds) as Kind[])('%s destinations', (kind) => {
  it(
    `delivers ${events} events, each once by webhook-id, signed`,
    { timeout: 300_000 },
    async () => {
      const key = await project()
      const consumer = await consumerOf(kind)
      const destination = await brokerDestination(key, kind, consumer.target)
      const tracked = track(destination.id)
      await publishMany(key, events)
      await drain(tracked, events)
      tracked.stop()
      const received = await waitFor(async () => {
        const all = await consumer.received()
        return all.length >= events && all
      }, 30_000)
      expect(received).toHaveLength(events)
      await expectExactlyOnce(received, events, destination.secret)
      const deliveryIds = new Set(received.map((m) => m.id))
      expect(deliveryIds).toEqual(tracked.delivered)
    },
  )

  it('logs each attempt with the broker, the target and its confirmation', async () => {
    const key = await project()
    const consumer = await consumerOf(kind)
    const destination = await brokerDestination(key, kind, consumer.target)
    const tracked = track(destination.id)
    await publishMany(key, 1)
    await drain(tracked, 1)
    tracked.stop()
    const [deliveryId] = tracked.delivered
    const res = await server.api('GET', `/v1/deliveries/${deliveryId}`, { key })
    const [attempt] = res.body.attempts
    expect(attempt).toMatchObject({
      outcome: 'delivered',
      url: expect.stringMatching(/127\.0\.0\.1/),
      responseHeaders: { broker: kind },
      responseBody: expect.stringMatching(/confirm|JetStream ack|XADD/),
      requestHeaders: { 'webhook-id': deliveryId },
    })
    expect(attempt.url).not.toContain('guest:guest')
  })
})

describe('a broker that refuses', () => {
  it('rabbitmq: bad credentials are logged as auth and retried', async () => {
    const key = await project()
    const consumer = await consumerOf('rabbitmq')
    const destination = await createDestination(server, key, {
      type: 'rabbitmq',
      events: ['record.created'],
      broker: { url: 'amqp://guest:wrong@127.0.0.1:5672/', ...consumer.target },
    })
    const failures = await failedAttempts(key, destination.id, 2)
    expect(failures.map((a) => a.errorClass)).toEqual(['auth', 'auth'])
  })

  it('rabbitmq: a missing exchange is not_found, and delivers once it exists', async () => {
    const key = await project()
    const consumer = await consumerOf('rabbitmq')
    const exchange = `${String(consumer.target.exchange)}-missing`
    const destination = await brokerDestination(key, 'rabbitmq', { exchange, routingKey: 'events' })
    const [failure] = await failedAttempts(key, destination.id, 1)
    expect(failure).toMatchObject({ errorClass: 'not_found' })
    // Pointing it at the exchange that exists lets the retry through.
    const patched = await server.api('PATCH', `/v1/destinations/${destination.id}`, {
      key,
      body: { broker: { url: rabbitUrl, ...consumer.target } },
    })
    expect(patched.status).toBe(200)
    const tracked = track(destination.id)
    await drain(tracked, 1)
    tracked.stop()
    expect(await consumer.received()).toHaveLength(1)
  })

  it('rabbitmq: a queue no one declared is not_found', async () => {
    const key = await project()
    const destination = await brokerDestination(key, 'rabbitmq', { queue: 'sy-test-no-such-queue' })
    const [failure] = await failedAttempts(key, destination.id, 1)
    expect(failure).toMatchObject({ errorClass: 'not_found' })
  })

  it('nats: a subject no stream captures is not_found, and delivers once a stream does', async () => {
    const key = await project()
    const consumer = await consumerOf('nats')
    const subject = `${String(consumer.target.subject)}.unrouted`
    const destination = await brokerDestination(key, 'nats', { subject })
    const [failure] = await failedAttempts(key, destination.id, 1)
    expect(failure).toMatchObject({ errorClass: 'not_found' })
    const patched = await server.api('PATCH', `/v1/destinations/${destination.id}`, {
      key,
      body: { broker: { url: natsUrl, ...consumer.target } },
    })
    expect(patched.status).toBe(200)
    const tracked = track(destination.id)
    await drain(tracked, 1)
    tracked.stop()
    expect(await consumer.received()).toHaveLength(1)
  })

  it('redis: a missing stream is not_found; bad credentials are auth', async () => {
    const key = await project()
    const missing = await brokerDestination(key, 'redis', { stream: 'sy-test-no-such-stream' })
    const [notFound] = await failedAttempts(key, missing.id, 1)
    expect(notFound).toMatchObject({ errorClass: 'not_found' })
    const consumer = await consumerOf('redis')
    const badAuth = await createDestination(server, key, {
      type: 'redis',
      events: ['record.created'],
      broker: { url: 'redis://nobody:wrong@127.0.0.1:6379/0', ...consumer.target },
    })
    const [auth] = await failedAttempts(key, badAuth.id, 1)
    expect(auth).toMatchObject({ errorClass: 'auth' })
  })
})

/** Publishes one event and waits for `n` failed attempts of its delivery, moving the clock on. */
async function failedAttempts(key: string, destinationId: string, n: number) {
  await publishMany(key, 1)
  return waitFor(
    async () => {
      const list = await server.api('GET', `/v1/deliveries?destinationId=${destinationId}`, { key })
      const [delivery] = list.body.data
      if (!delivery) return false
      const res = await server.api('GET', `/v1/deliveries/${delivery.id}`, { key })
      const attempts = res.body.attempts as Record<string, any>[]
      const failed = attempts.filter((a) => a.outcome === 'failed')
      if (failed.length >= n) {
        expect(res.body.status).toBe('pending') // retried on the schedule, not failed for good
        return failed.slice(0, n)
      }
      clock.advance(1_100)
      server.engine.dispatcher.wake()
      return false
    },
    60_000,
    300,
  )
}

describe('a connection killed mid-run', () => {
  const n = Math.min(events, 300)

  async function killedMidRun(
    kind: Kind,
    kill: (destinationId: string) => Promise<number>,
    url?: string,
  ) {
    const key = await project()
    const consumer = await consumerOf(kind)
    const destination = await createDestination(server, key, {
      type: kind,
      events: ['record.created'],
      timeoutMs: 5000,
      broker: { url: url ?? kinds[kind].url, ...consumer.target },
    })
    const tracked = track(destination.id)
    await publishMany(key, n)
    await waitFor(() => tracked.delivered.size >= n / 10, 120_000)
    expect(await kill(destination.id)).toBeGreaterThan(0)
    await drain(tracked, n)
    tracked.stop()
    const received = await consumer.received()
    await expectExactlyOnce(dedupe(received), n, destination.secret)
    return received
  }

  it(
    'redis (CLIENT KILL by client name) loses nothing and stores nothing twice',
    { timeout: 300_000 },
    async () => {
      const received = await killedMidRun('redis', killRedisClient)
      expect(received).toHaveLength(n)
    },
  )

  it('rabbitmq (rabbitmqctl close_connection) loses nothing', { timeout: 300_000 }, async () => {
    // At least once: a message confirmed by the broker but not to us (the connection died
    // between) is published again; the consumer dedupes on webhook-id (the message id).
    await killedMidRun('rabbitmq', killRabbitConnection)
  })

  it(
    'nats (the TCP connection cut) loses nothing and stores nothing twice',
    { timeout: 300_000 },
    async () => {
      const relay = await tcpRelay(4222)
      try {
        const received = await killedMidRun(
          'nats',
          async () => relay.cut(),
          `nats://127.0.0.1:${relay.port}`,
        )
        expect(received).toHaveLength(n)
      } finally {
        await relay.close()
      }
    },
  )
})

function dedupe(received: Received[]): Received[] {
  return [...new Map(received.map((m) => [m.id, m])).values()]
}

describe('broker destination settings', () => {
  it('seals the connection URL and never shows its password', async () => {
    const key = await project()
    const consumer = await consumerOf('rabbitmq')
    const created = await brokerDestination(key, 'rabbitmq', consumer.target)
    expect(created.broker).toMatchObject({
      url: 'amqp://guest:[redacted]@127.0.0.1:5672/',
      ...consumer.target,
    })
    expect(created.url).toBeNull()
    const rows = await query<{ broker: { url: string } }>(
      server.engine.db.kysely,
      sql`select broker from destinations where id = ${created.id}`,
    )
    expect(rows[0]!.broker.url).toMatch(/^v1\./)
    expect(JSON.stringify(rows[0])).not.toContain('guest:guest')
    const read = await server.api('GET', `/v1/destinations/${created.id}`, { key })
    expect(JSON.stringify(read.body)).not.toContain('guest:guest')
    // A patch that sends the URL back as read keeps the stored credentials: the test still works.
    const patched = await server.api('PATCH', `/v1/destinations/${created.id}`, {
      key,
      body: { name: 'renamed', broker: { url: read.body.broker.url, ...consumer.target } },
    })
    expect(patched.status, JSON.stringify(patched.body)).toBe(200)
    const test = await server.api('POST', `/v1/destinations/${created.id}/test`, { key })
    expect(test.body, JSON.stringify(test.body)).toMatchObject({ outcome: 'delivered' })
    const [message] = await consumer.received()
    const event = await verifyWebhook(message!.body, message!.headers, created.secret, {
      now: clock.now,
    })
    expect(event).toMatchObject({ type: 'webhook.test' })
  })

  it('tests an unsaved configuration', async () => {
    const key = await project()
    const consumer = await consumerOf('nats')
    const res = await server.api('POST', '/v1/destinations/test', {
      key,
      body: { type: 'nats', broker: { url: natsUrl, ...consumer.target } },
    })
    expect(res.body, JSON.stringify(res.body)).toMatchObject({
      outcome: 'delivered',
      errorClass: null,
    })
    expect(await consumer.received()).toHaveLength(1)
  })

  it.each([
    [{ type: 'nats', broker: { url: 'http://127.0.0.1:4222', subject: 'a' } }, '/broker/url'],
    [{ type: 'nats', broker: { url: natsUrl, subject: 'orders.*' } }, '/broker/subject'],
    [{ type: 'nats', broker: { url: natsUrl } }, '/broker/subject'],
    [{ type: 'redis', broker: { url: redisUrl } }, '/broker/stream'],
    [{ type: 'redis', broker: { url: redisUrl, stream: 's', subject: 'x' } }, '/broker/subject'],
    [{ type: 'rabbitmq', broker: { url: rabbitUrl, exchange: 'x' } }, '/broker/routingKey'],
    [{ type: 'rabbitmq' }, '/broker'],
  ])('refuses %j with 400 invalid_broker at %s', async (body, path) => {
    const key = await project()
    const res = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['*'], ...body },
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'invalid_broker', details: [{ path }] })
  })

  it('refuses webhook fields on a broker destination, and broker settings on a webhook', async () => {
    const key = await project()
    const broker = await server.api('POST', '/v1/destinations', {
      key,
      body: {
        type: 'redis',
        events: ['*'],
        url: 'https://example.com/',
        broker: { url: redisUrl, stream: 's' },
      },
    })
    expect(broker.status).toBe(400)
    expect(broker.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: '/url' }],
    })
    const webhook = await server.api('POST', '/v1/destinations', {
      key,
      body: { events: ['*'], url: 'https://example.com/', broker: { url: redisUrl, stream: 's' } },
    })
    expect(webhook.status).toBe(400)
    expect(webhook.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: '/broker' }],
    })
  })
})

describe('pause and probes', () => {
  it('pauses a redis destination whose stream is missing, and a probe resumes it once it exists', async () => {
    const { apiKey: key } = await server.createProject()
    await server.api('PUT', '/v1/settings', {
      key,
      body: {
        autoDisable: { minConsecutiveFailures: 1, afterDays: 0.001 },
        retrySchedule: [60, 60],
      },
    })
    const stream = uniqueName('paused')
    const destination = await brokerDestination(key, 'redis', { stream })
    const first = waitForDispatch(
      server.engine.dispatcher,
      'attempt',
      (e) => e.destinationId === destination.id,
    )
    await publishMany(key, 1)
    await first
    clock.advance(90_000)
    const paused = waitForDispatch(
      server.engine.dispatcher,
      'paused',
      (e) => e.destinationId === destination.id,
    )
    server.engine.dispatcher.wake()
    await paused
    const read = await server.api('GET', `/v1/destinations/${destination.id}`, { key })
    expect(read.body).toMatchObject({ status: 'paused' })
    const admin = new Redis(redisUrl)
    try {
      await admin.xgroup('CREATE', stream, 'readers', '$', 'MKSTREAM')
      clock.advance(15 * 60_000)
      const delivered = waitForDispatch(
        server.engine.dispatcher,
        'delivered',
        (e) => e.destinationId === destination.id,
      )
      const probes = await server.engine.prober.probe()
      expect(probes.filter((p) => p.destinationId === destination.id)).toMatchObject([
        { outcome: 'resumed', released: 1 },
      ])
      await delivered
      const entries = await admin.xrange(stream, '-', '+')
      const types = entries.map(([, fields]) => fields[fields.indexOf('webhook-event-type') + 1])
      expect(types).toEqual(['webhook.test', 'record.created'])
    } finally {
      await admin.del(stream, ...(await admin.keys(`${stream}:switchyard-dedupe:*`)))
      await admin.quit()
    }
  })
})

describe('per-key ordering', () => {
  it('publishes one record’s events to the stream in creation order, with webhook-sequence', async () => {
    const key = await project()
    const consumer = await consumerOf('nats')
    const destination = await createDestination(server, key, {
      type: 'nats',
      events: ['record.created'],
      ordering: 'record',
      broker: { url: natsUrl, ...consumer.target },
    })
    const tracked = track(destination.id)
    const batch = Array.from({ length: 20 }, (_, i) => ({
      ...recordCreated,
      data: {
        ...recordCreated.data,
        syncId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      },
    }))
    const res = await server.api('POST', '/v1/events/batch', { key, body: { events: batch } })
    expect(res.status).toBe(202)
    await drain(tracked, 20)
    tracked.stop()
    const received = await consumer.received()
    expect(received.map((m) => Number(m.headers['webhook-sequence']))).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    )
    const syncIds = received.map((m) => JSON.parse(m.body).data.syncId as string)
    expect(syncIds).toEqual(batch.map((e) => e.data.syncId))
  })
})
