import { apiError } from '../errors.ts'

/**
 * Terminology:
 * - broker destination: a destination whose events are published to a message broker the
 *   receiver already consumes instead of POSTed to a URL: `rabbitmq` (AMQP 0-9-1), `nats`
 *   (a JetStream subject) or `redis` (a Redis Stream).
 * - broker settings: the connection URL (which may carry credentials, so it is sealed at rest
 *   and shown with them redacted) and where on the broker the message goes.
 * - confirmation: the broker's word that it holds the message (a publisher confirm, a
 *   JetStream ack, the XADD entry id); only that counts as delivered.
 * Switchyard never creates the broker's topology: the exchange or queue, the stream capturing
 * the subject, the Redis stream must exist, or the attempt fails as `not_found`.
 */

export const brokerKinds = ['rabbitmq', 'nats', 'redis'] as const
export type BrokerKind = (typeof brokerKinds)[number]

/** Is this destination type a broker kind? */
export function isBrokerKind(type: string): type is BrokerKind {
  return (brokerKinds as readonly string[]).includes(type)
}

/** A destination's broker settings as stored (`url` sealed) and, opened, as sent with. */
export interface StoredBroker {
  url: string
  /** rabbitmq: the exchange ('' is the default exchange). */
  exchange?: string
  /** rabbitmq: the routing key. */
  routingKey?: string
  /** rabbitmq: publish straight to this queue (the default exchange, routing key = queue). */
  queue?: string
  /** nats: the subject a JetStream stream captures. */
  subject?: string
  /** redis: the stream key. */
  stream?: string
  /** redis: XADD MAXLEN ~ this many entries; absent: the stream is not trimmed. */
  maxLen?: number
}

const name = { type: 'string', minLength: 1, maxLength: 255 } as const

/** The `broker` field of a destination's create, patch and test bodies. */
export const brokerInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  description:
    'rabbitmq, nats and redis destinations: the connection URL (credentials in it are sealed and ' +
    'never shown back) and the target: rabbitmq `exchange` + `routingKey` or `queue`; nats ' +
    '`subject`; redis `stream` (and `maxLen` to trim it). See docs/brokers.md.',
  properties: {
    url: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      description:
        'amqp(s)://user:pass@host:5672/vhost, nats://user:pass@host:4222 or tls://…, redis(s)://user:pass@host:6379/db',
    },
    exchange: { type: 'string', maxLength: 255 },
    routingKey: { type: 'string', maxLength: 255 },
    queue: name,
    subject: name,
    stream: { type: 'string', minLength: 1, maxLength: 512 },
    maxLen: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
  },
} as const

/** The `broker` field of a destination read: the URL's credentials redacted. */
export const brokerOutSchema = {
  type: ['object', 'null'],
  required: ['url'],
  description: 'Broker destinations: where messages go; null for webhook and email.',
  properties: {
    url: { type: 'string', description: 'The connection URL, its password or token redacted.' },
    exchange: { type: 'string' },
    routingKey: { type: 'string' },
    queue: { type: 'string' },
    subject: { type: 'string' },
    stream: { type: 'string' },
    maxLen: { type: 'integer' },
  },
} as const

export type BrokerIn = StoredBroker

const schemes: Record<BrokerKind, readonly string[]> = {
  rabbitmq: ['amqp:', 'amqps:'],
  nats: ['nats:', 'tls:'],
  redis: ['redis:', 'rediss:'],
}

// The fields each kind reads; any other is refused so a typo is not silently ignored.
const fieldsOf: Record<BrokerKind, readonly (keyof StoredBroker)[]> = {
  rabbitmq: ['url', 'exchange', 'routingKey', 'queue'],
  nats: ['url', 'subject'],
  redis: ['url', 'stream', 'maxLen'],
}

const redacted = '[redacted]'
// Subjects are dot-separated tokens; a wildcard names no single subject to publish to.
const subjectPattern = /^[^\s.*>]+(\.[^\s.*>]+)*$/

/**
 * Checks a broker destination's settings and keeps only the fields its kind reads.
 * @param current the stored (opened) settings a patch starts from: a URL sent back as a read
 *   showed it (credentials `[redacted]`) keeps the stored one
 * @throws invalid_broker with the field in `details`
 * @example checkBroker('nats', { url: 'nats://127.0.0.1:4222', subject: 'orders.events' })
 */
export function checkBroker(
  kind: BrokerKind,
  input: BrokerIn | undefined,
  current: StoredBroker | null = null,
): StoredBroker {
  const refuse = (path: string, message: string) =>
    apiError('invalid_broker', `broker${path.replaceAll('/', '.')} ${message}.`, [
      { path: `/broker${path}`, message },
    ])
  if (!input) throw refuse('', `is required for ${kind} destinations`)
  const extra = Object.keys(input).filter(
    (field) => !fieldsOf[kind].includes(field as keyof StoredBroker),
  )
  if (extra.length > 0) throw refuse(`/${extra[0]}`, `is not used by ${kind} destinations`)
  const url = current && input.url === shownBrokerUrl(current.url) ? current.url : input.url
  checkUrl(kind, url, (message) => refuse('/url', message))
  if (kind === 'rabbitmq') return rabbitTarget({ ...input, url }, refuse)
  if (kind === 'nats') {
    if (!input.subject) throw refuse('/subject', 'is required')
    if (!subjectPattern.test(input.subject))
      throw refuse('/subject', 'must be a subject without wildcards (* or >) or empty tokens')
    return { url, subject: input.subject }
  }
  if (!input.stream) throw refuse('/stream', 'is required')
  return { url, stream: input.stream, ...(input.maxLen ? { maxLen: input.maxLen } : {}) }
}

function rabbitTarget(
  input: StoredBroker,
  refuse: (path: string, message: string) => Error,
): StoredBroker {
  const { url, exchange, routingKey, queue } = input
  if (queue !== undefined) {
    if (exchange !== undefined || routingKey !== undefined)
      throw refuse('/queue', 'goes without exchange and routingKey (it is the routing key)')
    return { url, queue }
  }
  if (routingKey === undefined)
    throw refuse('/routingKey', 'is required with an exchange (or give a queue instead)')
  return { url, exchange: exchange ?? '', routingKey }
}

function checkUrl(kind: BrokerKind, value: string, refuse: (message: string) => Error): void {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw refuse('is not an absolute URL')
  }
  if (!schemes[kind].includes(url.protocol))
    throw refuse(`must use ${schemes[kind].map((s) => s.slice(0, -1)).join(' or ')}`)
  if (!url.hostname) throw refuse('has no host')
  if (value.includes(redacted))
    throw refuse('still holds [redacted]: send the password or token again')
}

/**
 * The URL as reads show it: a password (or a NATS token, which sits in the user part) redacted.
 * @example shownBrokerUrl('amqp://guest:guest@mq:5672/') // 'amqp://guest:[redacted]@mq:5672/'
 */
export function shownBrokerUrl(value: string): string {
  try {
    const url = new URL(value)
    if (url.password) url.password = redacted
    else if (url.username) url.username = redacted
    return url.toString().replaceAll(encodeURIComponent(redacted), redacted)
  } catch {
    return redacted
  }
}

/** The settings as reads show them. */
export function shownBroker(broker: StoredBroker | null): StoredBroker | null {
  return broker ? { ...broker, url: shownBrokerUrl(broker.url) } : null
}

/**
 * Where a message goes, for the attempt log and the destination list: the URL without
 * credentials and the broker-side target.
 * @example brokerTarget('redis', { url: 'redis://:pw@r:6379', stream: 'ev' }) // 'redis://r:6379 stream ev'
 */
export function brokerTarget(kind: BrokerKind, broker: StoredBroker): string {
  let origin: string
  try {
    const url = new URL(broker.url)
    url.username = ''
    url.password = ''
    origin = url.toString().replace(/\/$/, '')
  } catch {
    origin = kind
  }
  if (kind === 'nats') return `${origin} subject ${broker.subject}`
  if (kind === 'redis') return `${origin} stream ${broker.stream}`
  return broker.queue !== undefined
    ? `${origin} queue ${broker.queue}`
    : `${origin} exchange "${broker.exchange ?? ''}" routing key ${broker.routingKey}`
}
