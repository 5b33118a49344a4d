import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { promisify } from 'node:util'
import amqp from 'amqplib'
import { Redis } from 'ioredis'
import { connect, type NatsConnection } from 'nats'

/*
 * The consumer side of the broker tests, against the local services (.ci/run starts them):
 * RabbitMQ 127.0.0.1:5672 guest/guest, NATS with JetStream 127.0.0.1:4222, Redis 127.0.0.1:6379.
 * Every test makes its own queue, exchange, stream or key, and removes it in `close`.
 */

export const rabbitUrl = 'amqp://guest:guest@127.0.0.1:5672/'
export const natsUrl = 'nats://127.0.0.1:4222'
export const redisUrl = 'redis://127.0.0.1:6379/0'

/** One message as the consumer read it. */
export interface Received {
  id: string
  headers: Record<string, string>
  body: string
}

export interface Consumer {
  /** What the destination's `broker` field needs (besides the URL). */
  target: Record<string, unknown>
  /** Every message read so far. */
  received(): Promise<Received[]>
  close(): Promise<void>
}

/** A unique name per test: queues, streams and subjects never collide across runs. */
export function uniqueName(prefix: string): string {
  return `sy-test-${prefix}-${randomBytes(4).toString('hex')}`
}

/**
 * A durable queue (and, with `exchange`, a direct exchange bound to it by the routing key).
 * @example const q = await rabbitConsumer({ exchange: true })
 */
export async function rabbitConsumer(options: { exchange?: boolean } = {}): Promise<Consumer> {
  const model = await amqp.connect(rabbitUrl)
  const channel = await model.createChannel()
  const queue = uniqueName('q')
  await channel.assertQueue(queue, { durable: true })
  const exchange = options.exchange ? uniqueName('x') : null
  if (exchange) {
    await channel.assertExchange(exchange, 'direct', { durable: false })
    await channel.bindQueue(queue, exchange, 'events')
  }
  const seen: Received[] = []
  await channel.consume(
    queue,
    (message) => {
      if (!message) return
      const headers = Object.fromEntries(
        Object.entries(message.properties.headers ?? {}).map(([k, v]) => [k, String(v)]),
      )
      seen.push({
        id: String(message.properties.messageId),
        headers,
        body: message.content.toString(),
      })
    },
    { noAck: true },
  )
  return {
    target: exchange ? { exchange, routingKey: 'events' } : { queue },
    received: async () => seen,
    close: async () => {
      await channel.deleteQueue(queue)
      if (exchange) await channel.deleteExchange(exchange)
      await model.close()
    },
  }
}

/**
 * A JetStream stream (memory storage) capturing one subject.
 * @example const s = await natsConsumer(); s.target // { subject }
 */
export async function natsConsumer(): Promise<Consumer> {
  const nc: NatsConnection = await connect({ servers: '127.0.0.1:4222' })
  const jsm = await nc.jetstreamManager()
  const stream = uniqueName('s')
  const subject = `${stream}.events`
  await jsm.streams.add({ name: stream, subjects: [subject], storage: 'memory' as never })
  return {
    target: { subject },
    received: async () => {
      const info = await jsm.streams.info(stream)
      const out: Received[] = []
      for (
        let seq = info.state.first_seq;
        seq <= info.state.last_seq && info.state.messages;
        seq++
      ) {
        const message = await jsm.streams.getMessage(stream, { seq })
        const headers: Record<string, string> = {}
        for (const [key, values] of message.header ?? []) headers[key] = values.join(',')
        out.push({ id: headers['webhook-id'] ?? '', headers, body: message.string() })
      }
      return out
    },
    close: async () => {
      await jsm.streams.delete(stream)
      await nc.close()
    },
  }
}

/**
 * A Redis stream (made with its consumer group, as a consumer would).
 * @example const s = await redisConsumer(); s.target // { stream }
 */
export async function redisConsumer(): Promise<Consumer> {
  const client = new Redis(redisUrl)
  const stream = uniqueName('rs')
  await client.xgroup('CREATE', stream, 'readers', '$', 'MKSTREAM')
  return {
    target: { stream },
    received: async () => {
      const entries = await client.xrange(stream, '-', '+')
      return entries.map(([, fields]) => {
        const map: Record<string, string> = {}
        for (let i = 0; i < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!
        const { body = '', ...headers } = map
        return { id: headers['webhook-id'] ?? '', headers, body }
      })
    },
    close: async () => {
      const dedupe = await client.keys(`${stream}:switchyard-dedupe:*`)
      await client.del(stream, ...dedupe)
      await client.quit()
    },
  }
}

/** Redis: kills the engine's connection for a destination, found by its client name. */
export async function killRedisClient(destinationId: string): Promise<number> {
  const admin = new Redis(redisUrl)
  try {
    const list = (await admin.client('LIST')) as string
    const ids = list
      .split('\n')
      .filter((line) => line.includes(`name=switchyard-${destinationId} `))
      .map((line) => /id=(\d+)/.exec(line)![1]!)
    for (const id of ids) await admin.client('KILL', 'ID', id)
    return ids.length
  } finally {
    await admin.quit()
  }
}

const run = promisify(execFile)

/** RabbitMQ: closes the engine's connection for a destination with `rabbitmqctl close_connection`. */
export async function killRabbitConnection(destinationId: string): Promise<number> {
  const { stdout } = await run('rabbitmqctl', [
    '-q',
    'list_connections',
    'pid',
    'client_properties',
  ])
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(`switchyard-${destinationId}`))
    .map((line) => line.split('\t')[0]!)
  for (const pid of pids)
    await run('rabbitmqctl', ['-q', 'close_connection', pid, 'killed by the broker test'])
  return pids.length
}

/**
 * A TCP relay to NATS whose connections the test can cut: this nats-server runs without its
 * monitoring port or a system account, so it cannot kick one client itself.
 * @example const relay = await tcpRelay(4222); relay.cut()
 */
export async function tcpRelay(port: number): Promise<{
  port: number
  cut: () => number
  close: () => Promise<void>
}> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const cut = () => {
    const n = sockets.size
    for (const s of sockets) s.destroy()
    return n
  }
  return {
    port: (server.address() as net.AddressInfo).port,
    cut,
    close: async () => {
      cut()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
