import type { DeliveryRow } from './store.ts'
import type { AttemptRow } from './log-store.ts'
import { errorClasses, type ErrorClass } from './types.ts'

export const deliveryStatuses = ['pending', 'held', 'succeeded', 'failed', 'coalesced'] as const

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const

export const deliveryOutSchema = {
  type: 'object',
  required: ['id', 'eventId', 'destinationId', 'eventType', 'status', 'attemptCount', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'Also the webhook-id every attempt sends.' },
    eventId: { type: 'string', format: 'uuid' },
    destinationId: { type: 'string', format: 'uuid' },
    eventType: { type: 'string' },
    status: { type: 'string', enum: deliveryStatuses },
    attemptCount: { type: 'integer', description: 'Attempts made so far.' },
    orderingKey: {
      type: ['string', 'null'],
      description: 'The record or credential id it is ordered by (destinations with ordering).',
    },
    sequence: {
      type: ['integer', 'null'],
      description: 'Its place among its key’s deliveries, sent as webhook-sequence.',
    },
    coalescedInto: {
      type: ['string', 'null'],
      format: 'uuid',
      description: 'Status coalesced: the delivery that carried this event (a coalesce rule).',
    },
    nextAttemptAt: nullableTime,
    lastAttemptAt: nullableTime,
    lastStatus: { type: ['integer', 'null'] },
    lastError: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    completedAt: nullableTime,
  },
} as const

/** Where an attempt went: its own URL, not the destination's current one. */
export const attemptUrlSchema = {
  type: ['string', 'null'],
  description:
    "The URL this attempt was sent to (a Slack preset's shows only its origin); null for email, and for attempts logged before it was recorded.",
} as const

export const attemptOutSchema = {
  type: 'object',
  required: ['id', 'number', 'startedAt', 'durationMs', 'outcome'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    number: { type: 'integer' },
    url: attemptUrlSchema,
    startedAt: { type: 'string', format: 'date-time' },
    durationMs: { type: 'integer' },
    outcome: { type: 'string', enum: ['delivered', 'failed', 'gone'] },
    status: {
      type: ['integer', 'null'],
      description: 'The HTTP status, or for email the SMTP reply code.',
    },
    errorClass: { type: ['string', 'null'], enum: [...errorClasses, null] },
    errorMessage: { type: ['string', 'null'] },
    requestHeaders: { type: 'object', additionalProperties: { type: 'string' } },
    requestBody: { type: ['string', 'null'], description: 'The first 4 KiB of the body sent.' },
    responseHeaders: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    responseBody: { type: ['string', 'null'], description: 'The first 4 KiB.' },
  },
} as const

/**
 * When a delivery is next tried: a pending one being sent (leased) is not retried before its
 * lease ends, which its next_attempt_at, left as it was by the claim (store.ts claimDue), does
 * not say.
 */
function nextAttemptOf(row: DeliveryRow): Date | null {
  const { next_attempt_at: at, locked_until: lease } = row
  if (row.status !== 'pending' || at === null || lease === null) return at
  return lease > at ? lease : at
}

/** The API view of a delivery. */
export function deliveryOut(row: DeliveryRow) {
  return {
    id: row.id,
    eventId: row.event_id,
    destinationId: row.destination_id,
    eventType: row.event_type,
    status: row.status,
    attemptCount: row.attempts,
    orderingKey: row.ordering_key,
    sequence: row.sequence === null ? null : Number(row.sequence),
    coalescedInto: row.coalesced_into,
    nextAttemptAt: nextAttemptOf(row)?.toISOString() ?? null,
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
  }
}

/** The API view of a logged attempt. */
export function attemptOut(row: AttemptRow) {
  return {
    id: row.id,
    number: row.number,
    url: row.url,
    startedAt: row.started_at.toISOString(),
    durationMs: row.duration_ms,
    outcome: row.outcome,
    status: row.status,
    errorClass: row.error_class as ErrorClass | null,
    errorMessage: row.error_message,
    requestHeaders: row.request_headers,
    requestBody: row.request_body,
    responseHeaders: row.response_headers,
    responseBody: row.response_body,
  }
}
