import { performance } from 'node:perf_hooks'
import nodemailer from 'nodemailer'
import type { EmailMessage } from '../destinations/index.ts'
import { startDeadline } from './deadline.ts'
import type { AttemptOutcome, AttemptRecord, ErrorClass } from './types.ts'

/** Sends one email and says what came of it. Never throws for SMTP or network faults. */
export interface Mailer {
  send(
    message: EmailMessage & { id: string },
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<AttemptRecord>
}

/**
 * A mailer over `SMTP_URL` (smtp://user:pass@host:587, smtps://… for implicit TLS). One
 * connection per message: email destinations send little, and a fresh connection cannot be left
 * broken by the previous message. Without an SMTP_URL every attempt fails as `connect`, visible
 * in the delivery log, instead of the destination being refused.
 * @example const mailer = createMailer({ smtpUrl: config.smtpUrl, from: 'Switchyard <switchyard@example.com>', now })
 */
export function createMailer(options: {
  smtpUrl: string | null
  from: string
  now: () => Date
}): Mailer {
  const transport = options.smtpUrl
    ? nodemailer.createTransport({
        url: options.smtpUrl,
        // nodemailer's defaults wait up to 2 min to connect and 10 min on a silent socket; our
        // own deadline (the destination's timeout) ends the attempt, these end the socket.
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 30_000,
      })
    : null
  return { send: (message, sendOptions) => sendEmail(transport, options, message, sendOptions) }
}

type Transport = ReturnType<typeof nodemailer.createTransport>

async function sendEmail(
  transport: Transport | null,
  options: { from: string; now: () => Date },
  message: EmailMessage & { id: string },
  sendOptions: { timeoutMs: number; signal?: AbortSignal },
): Promise<AttemptRecord> {
  const startedAt = options.now()
  const started = performance.now()
  const requestHeaders = {
    from: options.from,
    to: message.to.join(', '),
    subject: message.subject,
    'message-id': `<${message.id}@switchyard>`,
  }
  const record = (outcome: AttemptOutcome, response: AttemptRecord['response']) => {
    const durationMs = Math.round(performance.now() - started)
    const requestBody = message.text.slice(0, 4096)
    return { startedAt, durationMs, outcome, requestHeaders, requestBody, response }
  }
  if (!transport) {
    const why = 'SMTP_URL is not set: there is no mail server to send through'
    return record(failed('connect', why), null)
  }
  try {
    const { from } = options
    const { to, subject, text, html } = message
    const sending = transport.sendMail({
      from,
      to,
      subject,
      text,
      html,
      messageId: requestHeaders['message-id'],
    })
    const info = await withDeadline(sending, sendOptions.timeoutMs, sendOptions.signal)
    const status = replyCode(info.response) ?? 250
    const refused = info.rejected.length > 0 ? ` (refused: ${info.rejected.join(', ')})` : ''
    return record(
      { kind: 'delivered', status },
      { status, headers: {}, body: info.response + refused },
    )
  } catch (error) {
    return record(classifySmtpError(error, sendOptions.timeoutMs), smtpReply(error))
  }
}

class Deadline extends Error {}

/** Races the send against the attempt's deadline and the dispatcher's stop. */
function withDeadline<T>(sending: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  const deadline = startDeadline(timeoutMs, signal)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(deadline.timedOut() ? new Deadline() : (deadline.signal.reason as unknown))
    if (deadline.signal.aborted) onAbort()
    else deadline.signal.addEventListener('abort', onAbort, { once: true })
    sending.then(resolve, reject).finally(() => {
      deadline.signal.removeEventListener('abort', onAbort)
      deadline.dispose()
    })
  })
}

function replyCode(response: unknown): number | null {
  const match = typeof response === 'string' ? /^(\d{3})/.exec(response) : null
  return match ? Number(match[1]) : null
}

interface SmtpError {
  code?: unknown
  responseCode?: unknown
  response?: unknown
  message?: unknown
}

// nodemailer's error codes (nodemailer.com/errors) for faults below SMTP itself.
const networkClasses: Record<string, ErrorClass> = {
  ETIMEDOUT: 'timeout',
  EDNS: 'dns',
  ETLS: 'tls',
  ECONNECTION: 'connect',
  ESOCKET: 'connect',
}

/**
 * Turns a failed send into an outcome: a 4xx/5xx reply is `smtp_status` with the reply code as
 * the status (550 mailbox unavailable, 421 service not available…), the rest by nodemailer's code.
 * @example classifySmtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 No such user' }, 15000)
 * // { kind: 'failed', errorClass: 'smtp_status', status: 550, message: 'SMTP 550: No such user' }
 */
export function classifySmtpError(error: unknown, timeoutMs: number): AttemptOutcome {
  if (error instanceof Deadline)
    return failed('timeout', `no complete answer within ${timeoutMs} ms`)
  const { code, responseCode, response, message } = (error ?? {}) as SmtpError
  if (typeof responseCode === 'number' && responseCode >= 400) {
    const text =
      typeof response === 'string' ? response.replace(/^\d{3}[ -]?/, '') : String(message)
    return {
      kind: 'failed',
      errorClass: 'smtp_status',
      status: responseCode,
      message: `SMTP ${responseCode}: ${text}`,
    }
  }
  const errorClass = (typeof code === 'string' && networkClasses[code]) || 'connect'
  const text = String(message ?? error)
  return failed(errorClass, typeof code === 'string' ? `${code}: ${text}` : text)
}

function smtpReply(error: unknown): AttemptRecord['response'] {
  const { responseCode, response } = (error ?? {}) as SmtpError
  if (typeof responseCode !== 'number') return null
  return { status: responseCode, headers: {}, body: typeof response === 'string' ? response : '' }
}

function failed(errorClass: ErrorClass, message: string): AttemptOutcome {
  return { kind: 'failed', errorClass, message }
}
