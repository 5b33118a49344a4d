import { wireFormats } from '../catalog/index.ts'
import type { DestinationRow } from './store.ts'

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

/** The fields a webhook destination is configured with (create, patch and test share them). */
export const webhookFieldSchemas = {
  name: { type: ['string', 'null'], maxLength: 200 },
  url: { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) target.' },
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
    description: 'Custom request headers (no hop-by-hop or webhook-* names).',
  },
  timeoutMs: { type: 'integer', minimum: timeoutMsRange.minimum, maximum: timeoutMsRange.maximum },
  maxConcurrency: {
    type: 'integer',
    minimum: maxConcurrencyRange.minimum,
    maximum: maxConcurrencyRange.maximum,
  },
  rateLimitPerSecond: { type: ['integer', 'null'], minimum: 1, maximum: 10_000 },
} as const

export const destinationInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: {
    type: { type: 'string', enum: ['webhook'], default: 'webhook' },
    ...webhookFieldSchemas,
    format: { ...webhookFieldSchemas.format, default: 'standard' },
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
    type: { type: 'string' },
    name: { type: ['string', 'null'] },
    url: { type: ['string', 'null'] },
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
    url: row.url,
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

export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100 } },
} as const
