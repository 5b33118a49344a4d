import amqp, { type ConfirmChannel } from 'amqplib'
import { codeOf, messageOf } from './errors.ts'
import type { BrokerConnection, BrokerDriver, BrokerErrorClass } from './types.ts'

/*
 * RabbitMQ (AMQP 0-9-1): one connection and one confirm channel per destination. Messages are
 * persistent and mandatory: the broker confirms them once they are on disk in every queue they
 * reach, and returns (basic.return) one no queue is bound for, which fails as not_found rather
 * than being dropped. A channel error (a missing exchange closes the channel with 404) ends the
 * connection: the pool opens a fresh one for the next attempt.
 */

export const rabbitmqDriver: BrokerDriver = {
  async connect(target) {
    const { url, broker } = target
    const vhost = url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/'
    const model = await amqp.connect(
      {
        protocol: url.protocol.slice(0, -1),
        hostname: target.address,
        port: url.port ? Number(url.port) : url.protocol === 'amqps:' ? 5671 : 5672,
        username: url.username ? decodeURIComponent(url.username) : 'guest',
        password: url.password ? decodeURIComponent(url.password) : 'guest',
        vhost,
        heartbeat: 30,
      },
      {
        timeout: target.timeoutMs,
        servername: url.hostname,
        clientProperties: { connection_name: target.clientName },
      },
    )
    let open = true
    let channelError: unknown = null
    model.on('error', () => {}) // 'close' follows; an unhandled 'error' would end the process
    model.on('close', () => (open = false))
    const close = async () => {
      open = false
      await model.close().catch(() => {})
    }
    let channel: ConfirmChannel
    try {
      channel = await model.createConfirmChannel()
      if (broker.queue !== undefined) await channel.checkQueue(broker.queue)
      else if (broker.exchange) await channel.checkExchange(broker.exchange)
    } catch (error) {
      await close()
      throw error
    }
    channel.on('error', (error: unknown) => (channelError = error))
    channel.on('close', () => void close())
    const returned = new Set<string>()
    channel.on('return', (message: { properties: { messageId?: string } }) => {
      if (message.properties.messageId) returned.add(message.properties.messageId)
    })
    const exchange = broker.queue !== undefined ? '' : (broker.exchange ?? '')
    const routingKey = broker.queue ?? broker.routingKey ?? ''
    const connection: BrokerConnection = {
      get open() {
        return open
      },
      close,
      publish: (message) =>
        new Promise<string>((resolve, reject) => {
          const options = {
            persistent: true,
            mandatory: true,
            messageId: message.id,
            contentType: 'application/json',
            timestamp: Number(message.headers['webhook-timestamp']),
            type: message.headers['webhook-event-type'],
            headers: message.headers,
          }
          channel.publish(exchange, routingKey, Buffer.from(message.body), options, (error) => {
            // basic.return comes before the confirm of the same message.
            const unroutable = returned.delete(message.id)
            if (error) reject(channelError ?? nacked(error))
            else if (unroutable) reject(unroutableError(exchange, routingKey))
            else resolve('publisher confirm (ack), persistent')
          })
        }),
    }
    return connection
  },
  classify(error) {
    return { errorClass: rabbitClass(error), message: messageOf(error) }
  },
}

function nacked(error: unknown): Error {
  const message = messageOf(error)
  // amqplib rejects every unconfirmed publish with 'channel closed' when the channel ends.
  if (/closed/i.test(message)) return Object.assign(new Error(message), { code: 'ECONNRESET' })
  return Object.assign(new Error(`the broker nacked the message: ${message}`), { code: 'NACK' })
}

function unroutableError(exchange: string, routingKey: string): Error {
  return Object.assign(
    new Error(
      `unroutable: no queue is bound to exchange "${exchange}" for routing key "${routingKey}"`,
    ),
    { code: 'NO_ROUTE' },
  )
}

function rabbitClass(error: unknown): BrokerErrorClass {
  const code = codeOf(error)
  const message = messageOf(error)
  if (code === 'NACK') return 'nack'
  if (code === 'NO_ROUTE' || code === '404' || /NOT_FOUND|NOT-FOUND/.test(message))
    return 'not_found'
  if (code === '403' || /ACCESS.REFUSED|NOT_ALLOWED|NOT-ALLOWED|authenticat/i.test(message))
    return 'auth'
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return 'timeout'
  return 'connect'
}
