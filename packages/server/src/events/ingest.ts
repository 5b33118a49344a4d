import { createHash } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import { isCanonicalType, validateEventData } from '../catalog/index.ts'
import { apiError, isSqlState, sqlState, type ErrorDetail } from '../errors.ts'
import { newId } from '../ids.ts'
import { withTransaction, type Signal } from '../store/index.ts'
import {
  findByIdempotencyKey,
  insertEvents,
  type EventRow,
  type InlineFanOut,
  type NewEvent,
} from './store.ts'
import { eventsChannel, eventsNotice } from './stream.ts'

/** An event as producers publish it (`POST /v1/events`). */
export interface EventIn {
  type: string
  data: Record<string, unknown>
  userId?: string
  credentialId?: string
  integration?: string
  occurredAt?: string
}

/**
 * Work that must commit with the events: the delivery feature creates their deliveries here.
 * Called inside the ingest transaction. A fan-out may also offer `inline`: the same work as SQL
 * that ingest appends to its insert, so accepting events takes one statement and one round trip
 * instead of begin, insert, fan-out, commit (socket writes dominate ingest cost: bench/ingest).
 */
export interface FanOut {
  (tx: Transaction<any>, events: readonly EventRow[]): Promise<void>
  /** `signal` given: the statement commits on its own, so wake-ups go out after it, coalesced. */
  inline?: (events: readonly NewEvent[], signal: Signal | null) => InlineFanOut | null
}

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
  fanOut: FanOut
  now: () => Date
  /** Given, statements of their own announce after commit, coalesced (store/signal.ts). */
  signal?: Signal
  /** The caller knows its Idempotency-Key is new: no lookup first (a collision still replays). */
  skipReplayLookup?: boolean
  /** Given, a lone event without an Idempotency-Key joins concurrent ones in one statement. */
  insertOne?: (event: NewEvent) => Promise<EventRow>
}

/**
 * Validates, stores and fans out events in one transaction: all or nothing.
 * A repeated Idempotency-Key with the same body returns the events it created the first time.
 * @returns the stored events and whether they were replayed from an earlier request
 */
export async function ingestEvents(
  q: Kysely<any>,
  input: IngestInput,
  deps: IngestDeps,
): Promise<{ events: EventRow[]; replayed: boolean }> {
  validateAll(input)
  const requestHash = input.idempotencyKey
    ? createHash('sha256').update(JSON.stringify(input.requestBody)).digest('hex')
    : null
  if (input.idempotencyKey && !deps.skipReplayLookup) {
    const earlier = await replayOf(q, input, requestHash!)
    if (earlier) return { events: earlier, replayed: true }
  }
  const rows = toNewEvents(input, requestHash, deps.now())
  try {
    const events =
      deps.insertOne && rows.length === 1 && !input.idempotencyKey && !q.isTransaction
        ? [await deps.insertOne(rows[0]!)]
        : await storeEvents(q, rows, deps)
    return { events, replayed: false }
  } catch (error) {
    // Two requests with one key raced: the loser answers like a retry would.
    if (input.idempotencyKey && isSqlState(error, sqlState.uniqueViolation)) {
      const earlier = await replayOf(q, input, requestHash!)
      if (earlier) return { events: earlier, replayed: true }
    }
    throw error
  }
}

/**
 * Inserts events with their deliveries in one statement (or one transaction when the fan-out
 * has no inline form) and announces them to live streams (GET /v1/events/stream), which read
 * each project's batch by its id range.
 * @returns the stored rows in the order of `rows`
 */
export async function storeEvents(
  q: Kysely<any>,
  rows: readonly NewEvent[],
  deps: Pick<IngestDeps, 'fanOut' | 'signal'>,
): Promise<EventRow[]> {
  // Inside a caller's transaction the notices must ride on its commit; a statement of its own
  // announces after it commits (a NOTIFY in the statement serialises commits: store/signal.ts).
  const signal = q.isTransaction ? null : (deps.signal ?? null)
  const announcements = [...Map.groupBy(rows, (r) => r.projectId)].map(
    ([projectId, ofProject]) => ({
      channel: eventsChannel,
      payload: eventsNotice(projectId, ofProject),
    }),
  )
  const inStatement = signal ? [] : announcements
  const inline = deps.fanOut.inline?.(rows, signal)
  const events = inline
    ? await insertEvents(q, rows, { fanOut: inline, announce: inStatement })
    : await withTransaction(q, async (tx) => {
        const inserted = await insertEvents(tx, rows, { announce: inStatement })
        await deps.fanOut(tx, inserted)
        return inserted
      })
  if (signal) for (const a of announcements) signal(a.channel, a.payload)
  return events
}

function validateAll(input: IngestInput): void {
  const unknown = input.events.flatMap((e, i) =>
    isCanonicalType(e.type)
      ? []
      : [{ path: `${input.pathOf(i)}/type`, message: `"${e.type}" is not a known event type` }],
  )
  if (unknown.length > 0) throw apiError('unknown_event_type', undefined, unknown)
  const details: ErrorDetail[] = []
  input.events.forEach((event, i) => {
    const result = validateEventData(event.type as never, event.data)
    if (!result.ok)
      details.push(
        ...result.errors.map((e) => ({
          path: `${input.pathOf(i)}/data${stripDataRoot(e.path)}`,
          message: e.message,
        })),
      )
    if (event.occurredAt !== undefined && Number.isNaN(Date.parse(event.occurredAt))) {
      details.push({
        path: `${input.pathOf(i)}/occurredAt`,
        message: 'must be an ISO 8601 date-time',
      })
    }
  })
  if (details.length > 0) throw apiError('invalid_event_data', undefined, details)
}

// The catalog reports paths from the data root, with or without a leading "/data".
function stripDataRoot(path: string): string {
  if (path === '/') return ''
  return path.startsWith('/data') ? path.slice(5) : path
}

async function replayOf(
  q: Kysely<any>,
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

function toNewEvents(input: IngestInput, requestHash: string | null, now: Date): NewEvent[] {
  const batch = input.events.length > 1
  return input.events.map((e, i) => ({
    id: newId(),
    projectId: input.projectId,
    type: e.type,
    userId: e.userId ?? null,
    credentialId: e.credentialId ?? null,
    integration: e.integration ?? null,
    occurredAt: e.occurredAt ? new Date(e.occurredAt) : now,
    data: e.data,
    idempotencyKey: input.idempotencyKey
      ? batch
        ? `${input.idempotencyKey}#${i}`
        : input.idempotencyKey
      : null,
    requestHash: input.idempotencyKey ? requestHash : null,
  }))
}
