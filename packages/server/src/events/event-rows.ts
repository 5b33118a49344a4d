import { isCanonicalType, validateEventData } from '../catalog/index.ts'
import { apiError, type ErrorDetail } from '../errors.ts'
import { newId } from '../ids.ts'
import { currentTraceContext } from '../tracing/index.ts'
import type { NewEvent } from './store.ts'

/** An event as producers publish it (`POST /v1/events`, or an internal producer). */
export interface EventIn {
  type: string
  data: Record<string, unknown>
  userId?: string
  credentialId?: string
  integration?: string
  occurredAt?: string
  /**
   * Internal producers only (the API's schema has no such field): the trace the event belongs
   * to when it is not the active one (inbound routing: each request's own). Default: the active.
   */
  traceContext?: string | null
}

/**
 * Checks every event against the catalog: known type, data of its schema, a date-time
 * `occurredAt`. Error paths start with `pathOf(index)` (`/events/3`, or '' for a lone event).
 * @throws unknown_event_type, invalid_event_data
 */
export function validateEvents(
  events: readonly EventIn[],
  pathOf: (index: number) => string,
): void {
  const unknown = events.flatMap((e, i) =>
    isCanonicalType(e.type)
      ? []
      : [{ path: `${pathOf(i)}/type`, message: `"${e.type}" is not a known event type` }],
  )
  if (unknown.length > 0) throw apiError('unknown_event_type', undefined, unknown)
  const details: ErrorDetail[] = []
  events.forEach((event, i) => {
    const result = validateEventData(event.type as never, event.data)
    if (!result.ok)
      details.push(
        ...result.errors.map((e) => ({
          path: `${pathOf(i)}/data${stripDataRoot(e.path)}`,
          message: e.message,
        })),
      )
    if (event.occurredAt !== undefined && Number.isNaN(Date.parse(event.occurredAt))) {
      details.push({ path: `${pathOf(i)}/occurredAt`, message: 'must be an ISO 8601 date-time' })
    }
  })
  if (details.length > 0) throw apiError('invalid_event_data', undefined, details)
}

// The catalog reports paths from the data root, with or without a leading "/data".
function stripDataRoot(path: string): string {
  if (path === '/') return ''
  return path.startsWith('/data') ? path.slice(5) : path
}

/**
 * The rows of validated events, ids in publication order (UUIDv7). A batch under one
 * idempotency key stores `key#0`, `key#1`…; a lone event stores `key` itself.
 */
export function newEventRows(
  projectId: string,
  events: readonly EventIn[],
  keyed: { key: string | null; requestHash: string | null },
  now: Date,
): NewEvent[] {
  const batch = events.length > 1
  // Stamped here, in the producer's context: a lone event may be stored by another request's
  // statement (events/routes.ts groupCommit), whose context is not its own.
  const traceContext = currentTraceContext()
  return events.map((e, i) => ({
    id: newId(),
    projectId,
    type: e.type,
    userId: e.userId ?? null,
    credentialId: e.credentialId ?? null,
    integration: e.integration ?? null,
    occurredAt: e.occurredAt ? new Date(e.occurredAt) : now,
    data: e.data,
    idempotencyKey: keyed.key ? (batch ? `${keyed.key}#${i}` : keyed.key) : null,
    requestHash: keyed.key ? keyed.requestHash : null,
    traceContext: e.traceContext ?? traceContext,
  }))
}
