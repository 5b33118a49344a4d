import { createHash } from 'node:crypto'
import { type Queryable } from '../store/index.ts'
import { apiError, isSqlState, sqlState } from '../errors.ts'
import { inSpan } from '../tracing/index.ts'
import { newEventRows, validateEvents, type EventIn } from './event-rows.ts'
import type { StoreEvents } from './publish.ts'
import { findByIdempotencyKey, type EventRow, type NewEvent } from './store.ts'

/** One `POST /v1/events` or `/v1/events/batch` request. */
export interface IngestInput {
  projectId: string
  events: readonly EventIn[]
  idempotencyKey: string | null
  /** The whole request body, hashed to tell a retry from a conflicting reuse of the key. */
  requestBody: unknown
  /** `/events/3` for a batch item, '' for a single event: prefixes error paths. */
  pathOf: (index: number) => string
}

export interface IngestDeps {
  /** Stores the rows with their deliveries (Publisher.store). */
  store: StoreEvents
  now: () => Date
  /** Given, a lone event without an Idempotency-Key joins concurrent ones in one statement. */
  insertOne?: (event: NewEvent) => Promise<EventRow>
}

/**
 * HTTP ingest: validates, stores and fans out a request's events in one statement, all or
 * nothing. A repeated Idempotency-Key with the same body returns the events it created the
 * first time; with another body it is refused. Internal producers use `Publisher.publish`.
 * Traced as `switchyard.ingest` (a child of the request's span; the events store its context).
 * @returns the stored events and whether they were replayed from an earlier request
 */
export function ingestEvents(
  q: Queryable,
  input: IngestInput,
  deps: IngestDeps,
): Promise<{ events: EventRow[]; replayed: boolean }> {
  const attributes = {
    'switchyard.project.id': input.projectId,
    'switchyard.events': input.events.length,
    'switchyard.event.type': input.events[0]?.type ?? '',
  }
  return inSpan('switchyard.ingest', attributes, async (span) => {
    const ingested = await ingest(q, input, deps)
    span?.setAttribute('switchyard.replayed', ingested.replayed)
    if (ingested.events.length === 1)
      span?.setAttribute('switchyard.event.id', ingested.events[0]!.id)
    return ingested
  })
}

async function ingest(
  q: Queryable,
  input: IngestInput,
  deps: IngestDeps,
): Promise<{ events: EventRow[]; replayed: boolean }> {
  validateEvents(input.events, input.pathOf)
  const key = input.idempotencyKey
  const requestHash = key
    ? createHash('sha256').update(JSON.stringify(input.requestBody)).digest('hex')
    : null
  if (key) {
    const earlier = await replayOf(q, input, requestHash!)
    if (earlier) return { events: earlier, replayed: true }
  }
  const rows = newEventRows(input.projectId, input.events, { key, requestHash }, deps.now())
  try {
    const events =
      deps.insertOne && rows.length === 1 && !key
        ? [await deps.insertOne(rows[0]!)]
        : await deps.store(q, rows)
    return { events, replayed: false }
  } catch (error) {
    // Two requests with one key raced: the loser answers like a retry would.
    if (key && isSqlState(error, sqlState.uniqueViolation)) {
      const earlier = await replayOf(q, input, requestHash!)
      if (earlier) return { events: earlier, replayed: true }
    }
    throw error
  }
}

async function replayOf(
  q: Queryable,
  input: IngestInput,
  requestHash: string,
): Promise<EventRow[] | null> {
  const earlier = await findByIdempotencyKey(
    q,
    input.projectId,
    input.idempotencyKey!,
    input.events.length,
  )
  if (earlier.length === 0) return null
  if (!earlier.every((e) => e.request_hash === requestHash)) {
    throw apiError(
      'idempotency_conflict',
      `Idempotency-Key "${input.idempotencyKey}" was already used with a different body; use a new key for a new request.`,
    )
  }
  return earlier
}
