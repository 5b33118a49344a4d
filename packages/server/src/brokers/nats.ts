import { connect, headers as natsHeaders } from 'nats'
import { codeOf, messageOf } from './errors.ts'
import type { BrokerDriver, BrokerErrorClass } from './types.ts'

/*
 * NATS JetStream: one connection per destination, without the client's own reconnects (the
 * pool opens a new one for the next attempt, and retries follow the delivery schedule). The
 * stream's PubAck is the confirmation; `Nats-Msg-Id` is the webhook-id, so a retry inside the
 * stream's duplicate window is acknowledged as a duplicate instead of stored twice.
 */

export const natsDriver: BrokerDriver = {
  async connect(target) {
    const { url, broker } = target
    const port = url.port || '4222'
    const user = url.username ? decodeURIComponent(url.username) : undefined
    const pass = url.password ? decodeURIComponent(url.password) : undefined
    const host = target.address.includes(':') ? `[${target.address}]` : target.address
    const nc = await connect({
      servers: `${host}:${port}`,
      // nats://token@host carries a token; nats://user:pass@host a user and password.
      ...(user && pass ? { user, pass } : user ? { token: user } : {}),
      ...(url.protocol === 'tls:' ? { tls: { servername: url.hostname } as object } : {}),
      name: target.clientName,
      timeout: target.timeoutMs,
      reconnect: false,
      maxReconnectAttempts: 0,
    })
    let open = true
    void nc.closed().then(() => (open = false))
    const js = nc.jetstream({ timeout: target.timeoutMs })
    const subject = broker.subject ?? ''
    return {
      get open() {
        return open && !nc.isClosed()
      },
      close: async () => {
        open = false
        await nc.close().catch(() => {})
      },
      publish: async (message, timeoutMs) => {
        const h = natsHeaders()
        for (const [name, value] of Object.entries(message.headers)) h.set(name, value)
        h.set('Content-Type', 'application/json')
        const ack = await js.publish(subject, message.body, {
          msgID: message.id,
          headers: h,
          timeout: timeoutMs,
        })
        const duplicate = ack.duplicate ? ', a duplicate the stream dropped' : ''
        return `JetStream ack: stream ${ack.stream} seq ${ack.seq}${duplicate}`
      },
    }
  },
  classify(error) {
    const code = codeOf(error)
    const message = messageOf(error)
    // No responders: no stream captures the subject (JetStream answers every captured publish).
    const notFound = code === '503' || code === '404' || /no (stream|responders)/i.test(message)
    if (notFound) {
      const hint = 'no JetStream stream captures the subject'
      return {
        errorClass: 'not_found',
        message: message.includes(hint) ? message : `${hint} (${message})`,
      }
    }
    return { errorClass: natsClass(code, message), message }
  },
}

function natsClass(code: string, message: string): BrokerErrorClass {
  if (/AUTHORIZATION|AUTHENTICATION|PERMISSIONS/.test(code) || /authoriz/i.test(message))
    return 'auth'
  if (code === 'TIMEOUT' || code === 'CONNECTION_TIMEOUT' || code === '408') return 'timeout'
  // JetStream refused to store it (stream full, wrong expectations, storage failure).
  if (/^[45]\d\d$/.test(code) || code.startsWith('JS') || /jetstream/i.test(message)) return 'nack'
  return 'connect'
}
