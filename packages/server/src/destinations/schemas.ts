import { brokerInSchema, brokerOutSchema, shownBroker } from '../brokers/index.ts'
import { wireFormats, type WireFormat } from '../catalog/index.ts'
import { coalesceSchema } from './coalesce-fields.ts'
import { filterOut, filterOutSchema, filterSchema } from './filter-fields.ts'
import type { DestinationRow } from './store.ts'
import {
  presetNames,
  presetUrlIsSecret,
  redactPreset,
  type StoredPreset,
} from './templates/index.ts'

export const timeoutMsRange = { minimum: 1000, maximum: 30_000, default: 15_000 } as const
// 20 by default: a receiver taking 1,000 events/s at 10–20 ms per answer needs 10–20 requests
// in flight (bench/deliver (d)), and adaptive throttling halves it on a 429 or 503. Not more:
// until their first timeouts, a project's hanging destinations hold that many slots each out of
// its fair share, and the healthy ones wait behind them (bench/deliver (f)).
export const maxConcurrencyRange = { minimum: 1, maximum: 100, default: 20 } as const
export const maxPayloadBytesRange = {
  minimum: 1024,
  maximum: 10_485_760,
  default: 262_144,
} as const

// Header values whose name says they carry a credential are never shown back.
const sensitiveHeader = /auth|key|token|secret|password|cookie|session/i
export const redactedValue = '[redacted]'

/**
 * Hides the values of credential-carrying headers (`Authorization`, `DD-API-KEY`…).
 * @example redactHeaders({ 'DD-API-KEY': 'abc', 'X-Team': 'a' }) // { 'DD-API-KEY': '[redacted]', 'X-Team': 'a' }
 */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      sensitiveHeader.test(name) ? redactedValue : value,
    ]),
  )
}

const presetOptionValue = {
  anyOf: [
    { type: 'string', maxLength: 4096 },
    { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 200 } },
  ],
} as const

/** The fields a destination is configured with (create, patch and test share them). */
export const webhookFieldSchemas = {
  name: { type: ['string', 'null'], maxLength: 200 },
  url: {
    type: 'string',
    minLength: 1,
    maxLength: 2048,
    description: 'Webhook: the http(s) target. Not with a preset (its URL comes from the preset).',
  },
  to: {
    type: 'array',
    minItems: 1,
    maxItems: 20,
    items: { type: 'string', maxLength: 320 },
    description: 'Email: the recipients (bare addresses).',
  },
  template: {
    description:
      'Webhook: a custom body (JSON text with {{ $.event… }} placeholders), or a preset: ' +
      `{"preset": ${presetNames.map((n) => `"${n}"`).join(' | ')}, …options}. Null sends the event as rendered.`,
    anyOf: [
      { type: 'string', minLength: 1, maxLength: 65_536 },
      {
        type: 'object',
        required: ['preset'],
        properties: { preset: { type: 'string', maxLength: 50 } },
        additionalProperties: presetOptionValue,
        maxProperties: 20,
      },
      { type: 'null' },
    ],
  },
  events: {
    type: 'array',
    minItems: 1,
    maxItems: 100,
    items: { type: 'string', minLength: 1, maxLength: 100 },
    description: 'Canonical names, any wire format\'s names, or ["*"] for every event.',
  },
  format: { type: 'string', enum: wireFormats, description: 'Wire format of the body.' },
  headers: {
    type: 'object',
    maxProperties: 50,
    additionalProperties: { type: 'string', maxLength: 4096 },
    description:
      'Custom request headers (no hop-by-hop or webhook-* names); values may hold {{ }} placeholders.',
  },
  timeoutMs: { type: 'integer', minimum: timeoutMsRange.minimum, maximum: timeoutMsRange.maximum },
  maxConcurrency: {
    type: 'integer',
    minimum: maxConcurrencyRange.minimum,
    maximum: maxConcurrencyRange.maximum,
  },
  rateLimitPerSecond: { type: ['integer', 'null'], minimum: 1, maximum: 10_000 },
  contactEmail: {
    type: ['string', 'null'],
    maxLength: 320,
    description: 'Gets an email when the destination pauses and when it recovers.',
  },
  ordering: {
    type: 'string',
    enum: ['none', 'record', 'credential'],
    description:
      "record / credential: deliveries sharing the event's record id / credential id go out " +
      'one at a time, in creation order, with a webhook-sequence header. (Default: none)',
  },
  maxPayloadBytes: {
    type: 'integer',
    minimum: maxPayloadBytesRange.minimum,
    maximum: maxPayloadBytesRange.maximum,
    description:
      'Bodies above this go out as a thin event with a signed URL to fetch the full body. ' +
      '(Default: 262144)',
  },
  coalesce: coalesceSchema,
  broker: brokerInSchema,
  traceContext: {
    type: 'boolean',
    description:
      "With tracing on (OTEL_* settings), each webhook carries its attempt's W3C traceparent " +
      '(and tracestate); false leaves them out. (Default: true)',
  },
  filter: filterSchema,
} as const

export const destinationTypes = ['webhook', 'email', 'rabbitmq', 'nats', 'redis'] as const

export const destinationTypeSchema = {
  type: 'string',
  enum: destinationTypes,
  default: 'webhook',
  description:
    'webhook: an HTTP POST per event; email: a mail per event over SMTP_URL; rabbitmq, nats, ' +
    'redis: a signed message per event on that broker (settings in `broker`).',
} as const

export const destinationInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: {
    type: destinationTypeSchema,
    ...webhookFieldSchemas,
    format: {
      ...webhookFieldSchemas.format,
      description:
        'Wire format of the event: monitoring for email and presets, standard otherwise.',
    },
    timeoutMs: { ...webhookFieldSchemas.timeoutMs, default: timeoutMsRange.default },
    maxConcurrency: { ...webhookFieldSchemas.maxConcurrency, default: maxConcurrencyRange.default },
  },
} as const

export const destinationPatchInSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: webhookFieldSchemas,
} as const

export const destinationOutSchema = {
  type: 'object',
  required: ['id', 'type', 'url', 'events', 'format', 'enabled', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    type: { type: 'string', enum: destinationTypes },
    name: { type: ['string', 'null'] },
    url: {
      type: ['string', 'null'],
      description: "Null for email and brokers. A Slack preset's URL shows only its origin.",
    },
    broker: brokerOutSchema,
    to: { type: ['array', 'null'], items: { type: 'string' } },
    template: {
      description: 'The custom body template, or the preset with its secret options redacted.',
      anyOf: [
        { type: 'string' },
        {
          type: 'object',
          required: ['preset'],
          properties: { preset: { type: 'string', enum: presetNames } },
          additionalProperties: presetOptionValue,
        },
        { type: 'null' },
      ],
    },
    events: { type: 'array', items: { type: 'string' } },
    format: { type: 'string', enum: wireFormats },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    timeoutMs: { type: 'integer' },
    maxConcurrency: { type: 'integer' },
    rateLimitPerSecond: { type: ['integer', 'null'] },
    enabled: { type: 'boolean' },
    status: {
      type: 'string',
      enum: ['enabled', 'paused', 'disabled'],
      description:
        'paused: failing deliveries paused it; new ones are held and a probe resumes it on the ' +
        'first 2xx. disabled: it waits for an admin (or a 410 Gone stopped it).',
    },
    pausedAt: { type: ['string', 'null'], format: 'date-time' },
    nextProbeAt: { type: ['string', 'null'], format: 'date-time' },
    contactEmail: { type: ['string', 'null'] },
    ordering: { type: 'string', enum: ['none', 'record', 'credential'] },
    maxPayloadBytes: { type: 'integer' },
    traceContext: { type: 'boolean' },
    coalesce: { ...coalesceSchema, description: 'Noise-control rules, defaults filled in.' },
    filter: { ...filterOutSchema, description: 'The filter (docs/filters.md); nulls: none.' },
    currentConcurrency: {
      type: 'integer',
      description:
        'The adaptive concurrency limit: halved on 429, 502, 503, 504 and timeouts, one more ' +
        'per window of successes, up to maxConcurrency.',
    },
    disabledReason: { type: ['string', 'null'] },
    disabledAt: { type: ['string', 'null'], format: 'date-time' },
    consecutiveFailures: { type: 'integer', description: 'Failed attempts in a row.' },
    failingSince: { type: ['string', 'null'], format: 'date-time' },
    managed: {
      type: 'boolean',
      description: 'True for the project webhook that PUT /v1/settings {webhookUrl} manages.',
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    secret: { type: 'string', description: 'The whsec_ signing secret; returned only on create.' },
  },
} as const

type PresetTemplateOut = StoredPreset & { preset: (typeof presetNames)[number] }

/** The API view of a destination; the secret is never part of it. */
export function destinationOut(row: DestinationRow) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    url: shownUrl(row),
    broker: shownBroker(row.broker ?? null),
    to: row.email_to,
    // Both were checked against these enums on the way in (presetNames, wireFormats).
    template: row.preset ? (redactPreset(row.preset) as PresetTemplateOut) : row.template,
    events: row.event_filter,
    format: row.format as WireFormat,
    headers: redactHeaders(row.headers),
    timeoutMs: row.timeout_ms,
    maxConcurrency: row.max_concurrency,
    rateLimitPerSecond: row.rate_limit_per_second,
    enabled: row.enabled,
    status: destinationStatus(row),
    pausedAt: row.paused_at?.toISOString() ?? null,
    nextProbeAt: row.next_probe_at?.toISOString() ?? null,
    contactEmail: row.contact_email,
    ordering: row.ordering,
    maxPayloadBytes: row.max_payload_bytes,
    traceContext: row.trace_context,
    coalesce: row.coalesce,
    filter: filterOut(row),
    currentConcurrency: Math.min(row.concurrency_limit ?? row.max_concurrency, row.max_concurrency),
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    consecutiveFailures: row.consecutive_failures,
    failingSince: row.failing_since?.toISOString() ?? null,
    managed: row.managed_by !== null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

/** enabled, paused (auto-disable fired; probed back to health) or disabled (an admin's or a 410's). */
export function destinationStatus(
  row: Pick<DestinationRow, 'enabled' | 'paused_at'>,
): 'enabled' | 'paused' | 'disabled' {
  if (row.enabled) return 'enabled'
  return row.paused_at ? 'paused' : 'disabled'
}

/**
 * A destination's URL as reads and `destination.disabled` events show it: a Slack preset's URL
 * is its secret, so only its origin shows.
 * @example shownUrl(slackRow) // 'https://hooks.slack.com/[redacted]'
 */
export function shownUrl(d: Pick<DestinationRow, 'url' | 'preset'>): string | null {
  return d.preset && d.url && presetUrlIsSecret(d.preset) ? redactUrl(d.url) : d.url
}

/** Keeps a URL's origin: enough to recognise it, not enough to post to it. */
function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/${redactedValue}`
  } catch {
    return redactedValue
  }
}

export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100 } },
} as const
