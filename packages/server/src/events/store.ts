import { prepared, query, type Queryable, sql, type RawBuilder } from '../store/index.ts'

/** The only file that names the events table. */

export interface EventRow {
  id: string
  project_id: string
  type: string
  user_id: string | null
  credential_id: string | null
  integration: string | null
  occurred_at: Date
  received_at: Date
  data: Record<string, unknown>
  idempotency_key: string | null
  request_hash: string | null
  /** The W3C trace context it was accepted in (tracing/), as JSON; null with tracing off. */
  trace_context?: string | null
}

export interface NewEvent {
  id: string
  projectId: string
  type: string
  userId: string | null
  credentialId: string | null
  integration: string | null
  occurredAt: Date
  data: Record<string, unknown>
  idempotencyKey: string | null
  /** sha256 hex of the request body */
  requestHash: string | null
  /** The trace it belongs to (tracing/ `currentTraceContext`); null or absent: none. */
  traceContext?: string | null
}

/**
 * The rows an events insert stored, by the name its statement gives them: the relation the
 * deliveries' CTEs read (id, project_id, type, credential_id and data of each inserted event).
 * `insertEvents` names its insert so and delivery/fan-out-store.ts reads it by this constant:
 * the one contract between the two halves of the statement.
 */
export const insertedEvents = sql.table('inserted_events')

/**
 * The deliveries of the inserted events, as CTEs of the same statement (built over
 * `insertedEvents` by delivery/fan-out-store.ts): `ctes` continues the `with` list
 * (", name as (…)"); `created` is a scalar the final select returns (how many deliveries), so
 * CTEs that are not data-modifying still run.
 */
export interface DeliveryCtes {
  ctes: RawBuilder<unknown>
  created: RawBuilder<unknown>
}

/**
 * Inserts events in one statement (one round trip for up to 1,000 rows), with their
 * deliveries' CTEs when given, so both commit together without an explicit transaction.
 * `announce` adds a NOTIFY, sent when the statement (or the caller's transaction) commits.
 * A unique violation on (project_id, idempotency_key) aborts the whole statement, and the
 * caller resolves the replay.
 * The rows travel as one JSON document and come back as one row: node-postgres escapes array
 * parameters element by element in JavaScript and parses every returned row, which was most of
 * the cost of a batch of 1,000 (bench/ingest); the caller already holds what it inserted.
 * @returns the stored rows, in the order given, and how many deliveries `deliveries` created
 */
export async function insertEvents(
  q: Queryable,
  events: readonly NewEvent[],
  options: {
    deliveries?: DeliveryCtes | null
    announce?: readonly { channel: string; payload: string }[]
  } = {},
): Promise<{ events: EventRow[]; created: number }> {
  const { deliveries, announce = [] } = options
  const rows = events.map((e) => ({
    id: e.id,
    project_id: e.projectId,
    type: e.type,
    user_id: e.userId,
    credential_id: e.credentialId,
    integration: e.integration,
    occurred_at: e.occurredAt,
    data: e.data,
    idempotency_key: e.idempotencyKey,
    request_hash: e.requestHash,
    trace_context: e.traceContext ?? null,
  }))
  const [result] = await query<{ received_at: Date; created: number | null }>(
    q,
    prepared(sql`
    with ${insertedEvents} as (
      insert into events (id, project_id, type, user_id, credential_id, integration, occurred_at,
                          data, idempotency_key, request_hash, trace_context)
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as t(
        id uuid, project_id uuid, type text, user_id text, credential_id text, integration text,
        occurred_at timestamptz, data jsonb, idempotency_key text, request_hash text,
        trace_context text)
      returning id, project_id, type, user_id, credential_id, integration, occurred_at, data
    )${deliveries ? deliveries.ctes : sql``}${announce.length > 0 ? sql`, announced as (select pg_notify(c, p) from unnest(${announce.map((a) => a.channel)}::text[], ${announce.map((a) => a.payload)}::text[]) as n(c, p))` : sql``}
    -- now() is the statement's transaction time: the received_at every inserted row defaulted to.
    select now() as received_at, (select count(*) from ${insertedEvents})::int as inserted
      ${deliveries ? sql`, ${deliveries.created} as created` : sql``}${announce.length > 0 ? sql`, (select count(*) from announced) as announced` : sql``}`),
  )
  return {
    events: rows.map((r) => ({ ...r, received_at: result!.received_at })),
    created: Number(result?.created ?? 0),
  }
}

/**
 * The events an idempotency key created, in batch order (`key`, or `key#0`, `key#1`… for a
 * batch of `count`). Exact keys, not `like 'key#%'`: a pattern cannot use the unique index under
 * a non-C collation and would scan the project's events.
 */
export async function findByIdempotencyKey(
  q: Queryable,
  projectId: string,
  key: string,
  count: number,
): Promise<EventRow[]> {
  const keys = [key, ...Array.from({ length: count > 1 ? count : 0 }, (_, i) => `${key}#${i}`)]
  return query<EventRow>(
    q,
    sql`
    select * from events
    where project_id = ${projectId} and idempotency_key = any(${keys}::text[])
    order by id`,
  )
}

export async function findEvent(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<EventRow | null> {
  const rows = await query<EventRow>(
    q,
    sql`select * from events where project_id = ${projectId} and id = ${id}`,
  )
  return rows[0] ?? null
}

/** Events by id, for renderers that need the whole event (fan-out, dispatch). */
/**
 * The event a delivery names, as one json value, for a statement that reads deliveries: the
 * claim returns its rows' events with them (delivery/store.ts claimDue) rather than a read per
 * claim after it. Null when retention deleted the event. Read it with `eventFromJson`.
 * @example sql`select ${eventJsonOf(sql`d.event_id`)} as event from deliveries d`
 */
export const eventJsonOf = (eventId: RawBuilder<unknown>) =>
  sql`(select to_json(ev) from events ev where ev.id = ${eventId})`

/** An event row as `eventJsonOf` returns it: json has no timestamps, so its times are strings. */
export type EventJson = Omit<EventRow, 'occurred_at' | 'received_at'> & {
  occurred_at: string
  received_at: string
}

export function eventFromJson(json: EventJson): EventRow {
  return {
    ...json,
    occurred_at: new Date(json.occurred_at),
    received_at: new Date(json.received_at),
  }
}

export async function findEventsByIds(q: Queryable, ids: readonly string[]): Promise<EventRow[]> {
  if (ids.length === 0) return []
  return query<EventRow>(q, sql`select * from events where id = any(${ids}::uuid[])`)
}

export interface EventFilter {
  projectId: string
  types: string[] | null
  since: Date | null
  until: Date | null
  before: string | null
  limit: number
}

/** Newest first; `before` is the last id of the previous page. */
export async function listEvents(q: Queryable, f: EventFilter): Promise<EventRow[]> {
  return query<EventRow>(
    q,
    sql`
    select * from events
    where project_id = ${f.projectId}
      and (${f.types}::text[] is null or type = any(${f.types}::text[]))
      and (${f.since?.toISOString() ?? null}::timestamptz is null or occurred_at >= ${f.since?.toISOString() ?? null}::timestamptz)
      and (${f.until?.toISOString() ?? null}::timestamptz is null or occurred_at < ${f.until?.toISOString() ?? null}::timestamptz)
      and (${f.before}::uuid is null or id < ${f.before}::uuid)
    order by id desc
    limit ${f.limit}`,
  )
}

/**
 * A project's events with ids in [fromId, throughId], oldest first: what one NOTIFY announced
 * (its first and last id), or everything from a stream's `Last-Event-ID` on (`throughId` null).
 */
export async function listEventsInRange(
  q: Queryable,
  r: {
    projectId: string
    types: readonly string[] | null
    fromId: string
    throughId: string | null
    limit: number
  },
): Promise<EventRow[]> {
  const types = r.types ? [...r.types] : null
  return query<EventRow>(
    q,
    sql`
    select * from events
    where project_id = ${r.projectId} and id >= ${r.fromId}::uuid
      and (${r.throughId}::uuid is null or id <= ${r.throughId}::uuid)
      and (${types}::text[] is null or type = any(${types}::text[]))
    order by id
    limit ${r.limit}`,
  )
}
