/**
 * bench/brokers: deliveries/s to each message-broker destination type (RabbitMQ with publisher
 * confirms, NATS JetStream acks, Redis Streams XADD) beside webhooks to the local receiver, in
 * one run against one server (its own process). Each target gets one destination, deleted
 * before the next; N events are published in batches and the clock stops when the broker (or the
 * receiver) holds all N. Targets run one after another, so each has the machine to itself.
 *
 *   npm run bench:brokers                                  # PGlite
 *   BENCH_STORE=postgres npm run bench:brokers             # PostgreSQL at $DATABASE_URL (default local)
 *   BENCH_EVENTS=5000                                      # events per target (default 5,000)
 *
 * Needs the local services: RabbitMQ 127.0.0.1:5672 guest/guest, NATS -js 127.0.0.1:4222, Redis
 * 127.0.0.1:6379 (.ci/run starts them).
 */
import { randomBytes } from 'node:crypto'
import amqp from 'amqplib'
import { Redis } from 'ioredis'
import { connect } from 'nats'
import {
  api,
  benchEvent,
  freshStore,
  report,
  startReceiver,
  startServer,
  waitUntil,
} from './lib.ts'

const events = Number(process.env.BENCH_EVENTS ?? 5000)
const storeKind = process.env.BENCH_STORE ?? 'pglite'
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const name = (prefix: string) => `sy-bench-${prefix}-${randomBytes(4).toString('hex')}`

/** A target: the destination body, a count of what arrived, and a cleanup. */
interface Target {
  label: string
  destination: Record<string, unknown>
  count: () => Promise<number>
  close: () => Promise<void>
}

async function rabbitTarget(): Promise<Target> {
  const model = await amqp.connect('amqp://guest:guest@127.0.0.1:5672/')
  const channel = await model.createChannel()
  const queue = name('q')
  await channel.assertQueue(queue, { durable: true })
  return {
    label: 'rabbitmq (confirms, persistent)',
    destination: {
      type: 'rabbitmq',
      broker: { url: 'amqp://guest:guest@127.0.0.1:5672/', queue },
    },
    count: async () => (await channel.checkQueue(queue)).messageCount,
    close: async () => {
      await channel.deleteQueue(queue)
      await model.close()
    },
  }
}

async function natsTarget(): Promise<Target> {
  const nc = await connect({ servers: '127.0.0.1:4222' })
  const jsm = await nc.jetstreamManager()
  const stream = name('s')
  await jsm.streams.add({ name: stream, subjects: [`${stream}.events`] })
  return {
    label: 'nats (JetStream ack, file storage)',
    destination: {
      type: 'nats',
      broker: { url: 'nats://127.0.0.1:4222', subject: `${stream}.events` },
    },
    count: async () => (await jsm.streams.info(stream)).state.messages,
    close: async () => {
      await jsm.streams.delete(stream)
      await nc.close()
    },
  }
}

async function redisTarget(): Promise<Target> {
  const redis = new Redis('redis://127.0.0.1:6379')
  const stream = name('rs')
  await redis.xgroup('CREATE', stream, 'bench', '$', 'MKSTREAM')
  return {
    label: 'redis (XADD, idempotent script)',
    destination: { type: 'redis', broker: { url: 'redis://127.0.0.1:6379', stream } },
    count: async () => redis.xlen(stream),
    close: async () => {
      const dedupe = await redis.keys(`${stream}:switchyard-dedupe:*`)
      for (let i = 0; i < dedupe.length; i += 1000) await redis.del(...dedupe.slice(i, i + 1000))
      await redis.del(stream)
      await redis.quit()
    },
  }
}

async function main() {
  const store = await freshStore(storeKind === 'postgres' ? baseUrl : null)
  const server = await startServer(store)
  const receiver = await startReceiver()
  const admin = api(server.url, server.apiKey)
  const rows: Record<string, string | number>[] = []
  const targets: Target[] = []
  try {
    await receiver.reset(false)
    const webhook: Target = {
      label: 'webhook (local receiver)',
      destination: { url: `${receiver.url}/ok/bench` },
      count: async () => (await receiver.get<{ ok: number }>('/stats')).ok,
      close: async () => {},
    }
    // Pushed one by one, so a failed setup still closes (deletes) the ones made before it.
    targets.push(webhook)
    targets.push(await rabbitTarget())
    targets.push(await natsTarget())
    targets.push(await redisTarget())
    for (const target of targets) {
      // One destination at a time in the server's project: each run's events go to it alone.
      const client = admin
      const destination = await client<{ id: string }>('POST', '/v1/destinations', {
        events: ['record.created'],
        ...target.destination,
      })
      const started = performance.now()
      for (let sent = 0; sent < events; sent += 1000) {
        const batch = Array.from({ length: Math.min(1000, events - sent) }, () => benchEvent)
        await client('POST', '/v1/events/batch', { events: batch })
      }
      let seen = 0
      const done = await waitUntil(async () => (seen = await target.count()) >= events, 600_000, 50)
      const seconds = (performance.now() - started) / 1000
      rows.push({
        target: target.label,
        store: store.kind,
        events,
        arrived: seen,
        seconds: Number(seconds.toFixed(2)),
        'deliveries/s': done ? Math.round(events / seconds) : 0,
      })
      await client('DELETE', `/v1/destinations/${destination.id}`)
    }
  } finally {
    for (const target of targets) await target.close().catch(() => {})
    await receiver.stop()
    await server.stop()
    await store.drop()
  }
  await report(`brokers-${storeKind}`, rows)
}

await main()
