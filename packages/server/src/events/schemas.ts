import { wireFormats, type WireFormat } from '../catalog/index.ts'
import type { EventRow } from './store.ts'

/** `POST /v1/events` body; data is checked against the type's schema after this. */
export const eventInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'data'],
  properties: {
    type: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: 'A canonical event type, e.g. record.created.',
    },
    data: {
      type: 'object',
      description: "The event's data; its shape depends on the type (GET /v1/event-types).",
    },
    userId: { type: 'string', minLength: 1, maxLength: 200 },
    credentialId: { type: 'string', minLength: 1, maxLength: 200 },
    integration: { type: 'string', minLength: 1, maxLength: 100 },
    occurredAt: { type: 'string', format: 'date-time' },
  },
} as const

export const eventOutSchema = {
  type: 'object',
  required: ['id', 'type', 'occurredAt', 'receivedAt', 'data'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    type: { type: 'string' },
    userId: { type: ['string', 'null'] },
    credentialId: { type: ['string', 'null'] },
    integration: { type: ['string', 'null'] },
    occurredAt: { type: 'string', format: 'date-time' },
    receivedAt: { type: 'string', format: 'date-time' },
    data: { type: 'object', additionalProperties: true },
  },
} as const

const jsonSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'A JSON Schema (draft 2020-12).',
} as const
const byFormat = <T extends object>(value: T) =>
  Object.fromEntries(wireFormats.map((format) => [format, value])) as Record<WireFormat, T>

/** One entry of `GET /v1/event-types` (catalog/describe.ts `describeEventTypes`). */
export const eventTypeOutSchema = {
  type: 'object',
  required: ['type', 'description', 'names', 'formats', 'dataSchema', 'bodySchemas'],
  properties: {
    type: { type: 'string', description: 'The canonical type, e.g. record.created.' },
    description: { type: 'string' },
    names: {
      type: 'object',
      description: "The type's name in each wire format; null where the format has none.",
      required: wireFormats,
      properties: byFormat({ type: ['string', 'null'] } as const),
    },
    formats: {
      type: 'array',
      items: { type: 'string', enum: wireFormats },
      description: 'The formats that carry the type (a destination in another cannot subscribe).',
    },
    dataSchema: jsonSchema,
    bodySchemas: {
      type: 'object',
      description: "The schema of each format's body; null where the format does not carry it.",
      required: wireFormats,
      properties: byFormat({ anyOf: [jsonSchema, { type: 'null' }] } as const),
    },
  },
} as const

export const idempotencyHeaderSchema = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
} as const

/** The API view of a stored event. */
export function eventOut(row: EventRow) {
  return {
    id: row.id,
    type: row.type,
    userId: row.user_id,
    credentialId: row.credential_id,
    integration: row.integration,
    occurredAt: row.occurred_at.toISOString(),
    receivedAt: row.received_at.toISOString(),
    data: row.data,
  }
}
