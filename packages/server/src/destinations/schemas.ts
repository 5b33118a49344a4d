import { wireFormats } from '../catalog/index.ts'
import type { DestinationRow } from './store.ts'
import { presetNames, presetUrlIsSecret, redactPreset } from './templates/index.ts'

export const timeoutMsRange = { minimum: 1000, maximum: 30_000, default: 15_000 } as const
export const maxConcurrencyRange = { minimum: 1, maximum: 100, default: 10 } as const

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
} as const

export const destinationTypeSchema = {
  type: 'string',
  enum: ['webhook', 'email'],
  default: 'webhook',
  description: 'webhook: an HTTP POST per event; email: a mail per event over SMTP_URL.',
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
    type: { type: 'string', enum: ['webhook', 'email'] },
    name: { type: ['string', 'null'] },
    url: {
      type: ['string', 'null'],
      description: "Null for email. A Slack preset's URL shows only its origin.",
    },
    to: { type: ['array', 'null'], items: { type: 'string' } },
    template: {
      description: 'The custom body template, or the preset with its secret options redacted.',
      anyOf: [
        { type: 'string' },
        { type: 'object', additionalProperties: presetOptionValue },
        { type: 'null' },
      ],
    },
    events: { type: 'array', items: { type: 'string' } },
    format: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    timeoutMs: { type: 'integer' },
    maxConcurrency: { type: 'integer' },
    rateLimitPerSecond: { type: ['integer', 'null'] },
    enabled: { type: 'boolean' },
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

/** The API view of a destination; the secret is never part of it. */
export function destinationOut(row: DestinationRow) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    url: shownUrl(row),
    to: row.email_to,
    template: row.preset ? redactPreset(row.preset) : row.template,
    events: row.event_filter,
    format: row.format,
    headers: redactHeaders(row.headers),
    timeoutMs: row.timeout_ms,
    maxConcurrency: row.max_concurrency,
    rateLimitPerSecond: row.rate_limit_per_second,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    consecutiveFailures: row.consecutive_failures,
    failingSince: row.failing_since?.toISOString() ?? null,
    managed: row.managed_by !== null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
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
