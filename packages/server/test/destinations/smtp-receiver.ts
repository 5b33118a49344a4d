import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

/** A real SMTP server on 127.0.0.1 that parses every message it accepts. */
export interface SmtpReceiver {
  port: number
  /** `smtp://127.0.0.1:port` */
  url: string
  messages: ParsedMail[]
  /** Resolves when `count` messages have arrived, or rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ParsedMail[]>
  /** Stops listening (a mail server that is down); `start()` listens on the same port again. */
  stop(): Promise<void>
  start(): Promise<void>
}

/**
 * Starts an in-process `smtp-server`. Recipients whose local part starts with `bounce` are
 * refused with 550, as a server refuses an unknown mailbox (RFC 5321 §4.2.3).
 * @example const smtp = await startSmtpReceiver(); startTestServer({ config: { smtpUrl: smtp.url } })
 */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const messages: ParsedMail[] = []
  const waiters = new Set<() => void>()
  let server = createServer(messages, waiters)
  await listen(server, 0)
  const port = (server.server.address() as AddressInfo).port
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitForMessages: (count, timeoutMs = 5000) => waitFor(messages, waiters, count, timeoutMs),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
    start: async () => {
      server = createServer(messages, waiters)
      await listen(server, port)
    },
  }
}

function createServer(messages: ParsedMail[], waiters: Set<() => void>): SMTPServer {
  return new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no self-signed STARTTLS for the client to trip on.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!address.address.startsWith('bounce')) return callback()
      callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }))
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail)
          for (const wake of waiters) wake()
          callback()
        })
        .catch(callback)
    },
  })
}

function listen(server: SMTPServer, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
}

function waitFor(
  messages: ParsedMail[],
  waiters: Set<() => void>,
  count: number,
  timeoutMs: number,
): Promise<ParsedMail[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (messages.length < count) return
      cleanup()
      resolve(messages.slice(0, count))
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`expected ${count} messages, got ${messages.length} in ${timeoutMs} ms`))
    }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      waiters.delete(check)
    }
    waiters.add(check)
    check()
  })
}
