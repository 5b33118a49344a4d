import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { createBrokerPool, type BrokerPool, type PublishRequest } from '../../src/brokers/index.ts'
import { waitFor } from '../helpers/wait.ts'
import { redisConsumer, redisUrl, type Consumer } from './consumers.ts'

const pools: BrokerPool[] = []
const consumers: Consumer[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()))
  await Promise.all(consumers.splice(0).map((c) => c.close()))
})

function pool(options: Parameters<typeof createBrokerPool>[0]): BrokerPool {
  const made = createBrokerPool(options)
  pools.push(made)
  return made
}

function request(broker: PublishRequest['broker'], key: string | null): PublishRequest {
  const id = crypto.randomUUID()
  return {
    kind: 'redis',
    broker,
    key,
    timeoutMs: 5000,
    message: { id, body: '{}', headers: { 'webhook-id': id } },
  }
}

describe('the broker pool', () => {
  it('refuses a private broker host unless private targets are allowed, as for webhooks', async () => {
    const refused = await pool({ allowPrivateTargets: false }).publish(
      request({ url: 'redis://127.0.0.1:6379', stream: 'never-written' }, null),
    )
    expect(refused).toMatchObject({
      ok: false,
      errorClass: 'connect',
      message: expect.stringContaining('SWITCHYARD_ALLOW_PRIVATE_TARGETS'),
    })
    const metadata = await pool({ allowPrivateTargets: false }).publish(
      request({ url: 'redis://169.254.169.254:6379', stream: 'x' }, null),
    )
    expect(metadata).toMatchObject({ ok: false, errorClass: 'connect' })
  })

  it('keeps one connection per destination and closes it when idle', async () => {
    const consumer = await redisConsumer()
    consumers.push(consumer)
    const brokers = pool({ allowPrivateTargets: true, idleMs: 300 })
    const broker = { url: redisUrl, stream: String(consumer.target.stream) }
    const results = await Promise.all(
      Array.from({ length: 5 }, () => brokers.publish(request(broker, 'destination-a'))),
    )
    expect(results.every((r) => r.ok)).toBe(true)
    expect(brokers.size()).toBe(1)
    await waitFor(() => brokers.size() === 0, 10_000)
    expect(await consumer.received()).toHaveLength(5)
  })

  it('answers the first entry again for a retried webhook-id (Redis dedupe)', async () => {
    const consumer = await redisConsumer()
    consumers.push(consumer)
    const brokers = pool({ allowPrivateTargets: true })
    const once = request({ url: redisUrl, stream: String(consumer.target.stream) }, 'destination-b')
    const first = await brokers.publish(once)
    const again = await brokers.publish(once)
    expect(again).toMatchObject({
      ok: true,
      confirmation: expect.stringContaining('earlier attempt'),
    })
    expect(first.ok && again.ok && again.confirmation).toContain(
      first.ok && first.confirmation.slice(5),
    )
    expect(await consumer.received()).toHaveLength(1)
  })
})

describe('closing the pool', () => {
  it('closes its connections on the broker side too', async () => {
    const consumer = await redisConsumer()
    consumers.push(consumer)
    const brokers = createBrokerPool({ allowPrivateTargets: true })
    const broker = { url: redisUrl, stream: String(consumer.target.stream) }
    const key = `closing-${crypto.randomUUID()}`
    expect(await brokers.publish(request(broker, key))).toMatchObject({ ok: true })
    const named = async () => {
      const admin = new Redis(redisUrl)
      try {
        return ((await admin.client('LIST')) as string).includes(`name=switchyard-${key} `)
      } finally {
        await admin.quit()
      }
    }
    expect(await named()).toBe(true)
    await brokers.close()
    await waitFor(async () => !(await named()), 5000)
    expect(await brokers.publish(request(broker, key))).toMatchObject({
      ok: false,
      errorClass: 'connect',
    })
  })
})
