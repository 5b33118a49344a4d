import { prepared, query, type Queryable, sql, type RawBuilder, type Tx } from '../store/index.ts'
import { inboundChannel, type InboundOutcomeName, type InboundRequestRow } from './store.ts'
import { storableHeaders, storableText } from './storable-json.ts'

/** Inbound request rows: written by /hooks, claimed by the router, read by the log and listen. */

export interface NewInboundRequest {
  id: string
  projectId: string
  triggerId: string
  credentialId: string | null
  method: string
  path: string
  queryString: string
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  /** The size received when `body` keeps only its first bytes (redaction.ts `storedRequest`). */
  bodySize?: number | null
  receivedAt: Date
  /** The verdict, reached before the row is written and before the provider is answered. */
  outcome: InboundOutcomeName
  reason: string | null
  responseStatus: number
  /** The trace it was received in (tracing/), which its routing continues; null: none. */
  traceContext?: string | null
}

/**
 * Stores judged requests as they arrived, many in one statement (/hooks group-commits them).
 * The caller announces them on `inboundChannel` after the commit.
 */
export async function insertInboundRequests(
  q: Queryable,
  rows: readonly NewInboundRequest[],
): Promise<void> {
  // One JSON document and one base64 string of all the bodies, each row naming its slice: one
  // statement text for any batch size, so it stays a prepared statement, and PostgreSQL decodes
  // the bodies in one call. As base64 strings inside the JSON it lexed every byte of them: 11
  // rows of 2 KB took 1.3 ms against 1.0 ms, 50 rows 3.7 ms against 2.7 ms. Not as a bytea
  // parameter: PGlite hex-encodes those in JavaScript, a byte at a time (11 rows: 4.2 ms on
  // PGlite against 1.4 ms as base64).
  let bodyAt = 1
  const batch = rows.map((r) => {
    // Text from the request (?id=, a custom code's error) may hold what jsonb cannot; one such
    // row must not fail its batch-mates' insert, so each is made storable (storable-json.ts).
    const row = {
      id: r.id,
      project_id: r.projectId,
      trigger_id: r.triggerId,
      credential_id: r.credentialId === null ? null : storableText(r.credentialId),
      method: storableText(r.method),
      path: storableText(r.path),
      query_string: storableText(r.queryString),
      headers: storableHeaders(r.headers),
      body_at: bodyAt,
      body_length: r.body.length,
      body_size: r.bodySize ?? null,
      outcome: r.outcome,
      reason: r.reason === null ? null : storableText(r.reason),
      response_status: r.responseStatus,
      received_at: r.receivedAt.toISOString(),
      trace_context: r.traceContext ?? null,
    }
    bodyAt += r.body.length
    return row
  })
  const bodies = Buffer.concat(rows.map((r) => r.body)).toString('base64')
  // Materialized: decoded once for the batch, not once per row.
  await prepared(sql`
    with decoded as materialized (select decode(${bodies}::text, 'base64') as bodies)
    insert into inbound_requests (id, project_id, trigger_id, credential_id, method, path, query_string,
                                  headers, body, body_size, outcome, reason, response_status,
                                  received_at, trace_context)
    select id, project_id, trigger_id, credential_id, method, path, query_string, headers,
           substring(decoded.bodies from body_at for body_length), body_size, outcome, reason,
           response_status, received_at, trace_context
    from decoded, jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as t(
      id uuid, project_id uuid, trigger_id uuid, credential_id text, method text, path text,
      query_string text, headers jsonb, body_at int, body_length int, body_size int, outcome text,
      reason text, response_status int, received_at timestamptz, trace_context text)`).execute(q)
}

// The row with its body as base64 text: PGlite turns a bytea into bytes in JavaScript, ~0.13 ms
// a 2 KB body (a router claim of 50 requests spent 7 of its 9 ms on it); base64 decodes natively.
const requestColumns =
  sql.raw(`id, project_id, trigger_id, credential_id, method, path, query_string,
  headers, encode(body, 'base64') as body, body_size, outcome, reason, response_status, event_ids,
  routed_credential_ids, held_credential_ids, routing_attempts, received_at, processed_at,
  trace_context`)

type StoredRequestRow = Omit<InboundRequestRow, 'body'> & { body: string }

async function requestRows(
  q: Queryable,
  statement: RawBuilder<unknown>,
): Promise<InboundRequestRow[]> {
  const rows = await query<StoredRequestRow>(q, statement)
  return rows.map((r): InboundRequestRow => ({ ...r, body: Buffer.from(r.body, 'base64') }))
}

/** The NOTIFY payload listen streams and routers read: `triggerId:requestId:outcome`. */
export function inboundNotice(r: { triggerId: string; id: string; outcome: string }): string {
  return `${r.triggerId}:${r.id}:${r.outcome}`
}

/**
 * Locks accepted requests for routing in the caller's transaction, which then emits their events
 * and marks them done: no write to claim them, and a router that dies mid-way leaves them to
 * another router at once (its transaction rolls back). SKIP LOCKED keeps concurrent routers (one
 * per worker process) off each other's rows without waiting; `locked_until` only backs off a
 * request whose routing failed (`markRoutingFailures`).
 */
export async function lockAcceptedRequests(
  tx: Tx,
  o: { now: Date; limit: number },
): Promise<InboundRequestRow[]> {
  // The scan must walk the accepted index in id order and stop at the limit. Left to itself the
  // planner takes a bitmap scan and a sort (it estimates a few dozen accepted rows), and a bitmap
  // scan visits every entry the index holds: those of requests routed since the last vacuum too
  // (routing moves a row out of the partial index by a new row version; the old entry stays),
  // and never marks them dead. Every claim then grew with the requests routed before it:
  // bench/inbound on PostgreSQL, 4,735 entries and 342 heap pages visited to find 0 rows; 60 µs
  // of PostgreSQL per routed request, more than the insert and the event together. An index scan
  // marks the dead entries it passes, so the next claim skips them. Local to this transaction,
  // and put back after the claim: the event and fan-out statements that follow plan as usual.
  const [was] = await query<{ bitmap: string; seq: string }>(
    tx,
    sql`select current_setting('enable_bitmapscan') as bitmap,
      current_setting('enable_seqscan') as seq,
      set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`,
  )
  const rows = await requestRows(
    tx,
    // The ids first: the columns (the body encoded) are computed for the rows taken, not for
    // every accepted row the scan sorts.
    sql`
    with locked as (
      select id from inbound_requests
      where outcome = 'accepted'
        and (locked_until is null or locked_until < ${o.now.toISOString()}::timestamptz)
      order by id limit ${o.limit}
      for update skip locked)
    select ${requestColumns} from inbound_requests where id in (select id from locked) order by id`,
  )
  await sql`select set_config('enable_bitmapscan', ${was!.bitmap}, true),
    set_config('enable_seqscan', ${was!.seq}, true)`.execute(tx)
  return rows
}

/**
 * Records failed routing tries, in the router's transaction: one more attempt and the error as
 * the reason; a request with a `retryAt` is left to the router until then, one without ends
 * `failed` and is announced.
 */
export async function markRoutingFailures(
  q: Queryable,
  marks: readonly { id: string; reason: string; retryAt: Date | null }[],
  now: Date,
): Promise<void> {
  if (marks.length === 0) return
  await sql`
    with input as (
      select * from unnest(${marks.map((m) => m.id)}::uuid[],
        ${marks.map((m) => storableText(m.reason))}::text[],
        ${marks.map((m) => m.retryAt?.toISOString() ?? null)}::timestamptz[]) as i(id, reason, retry_at)),
    marked as (
      update inbound_requests r set routing_attempts = r.routing_attempts + 1, reason = i.reason,
        outcome = case when i.retry_at is null then 'failed' else r.outcome end,
        locked_until = i.retry_at,
        processed_at = case when i.retry_at is null then ${now.toISOString()}::timestamptz
                            else r.processed_at end
      from input i where r.id = i.id
      returning r.trigger_id, r.id, r.outcome)
    select pg_notify(${inboundChannel}, trigger_id || ':' || id || ':failed') from marked
    where outcome = 'failed'`.execute(q)
}

/**
 * Marks requests routed, unrouted or held, in the router's transaction, and announces them on
 * commit. A released held request (`append`) adds its new events and credentials to those
 * routed before it was held.
 */
export async function completeRouting(
  q: Queryable,
  done: readonly {
    id: string
    outcome: 'routed' | 'unrouted' | 'held'
    eventIds: string[]
    credentialIds: string[]
    heldCredentialIds: string[]
    append: boolean
  }[],
  now: Date,
): Promise<void> {
  if (done.length === 0) return
  const json = (pick: (d: (typeof done)[number]) => string[]) =>
    done.map((d) => JSON.stringify(pick(d)))
  // Arrays of arrays do not fit unnest; the id lists travel as JSON.
  await sql`
    with input as (
      select * from unnest(${done.map((d) => d.id)}::uuid[], ${done.map((d) => d.outcome)}::text[],
        ${json((d) => d.eventIds)}::jsonb[], ${json((d) => d.credentialIds)}::jsonb[],
        ${json((d) => d.heldCredentialIds)}::jsonb[], ${done.map((d) => d.append)}::boolean[])
        as i(id, outcome, event_ids, credential_ids, held_ids, append)),
    marked as (
      update inbound_requests r set outcome = i.outcome,
        event_ids = case when i.append then coalesce(r.event_ids, '{}') else '{}' end
          || array(select jsonb_array_elements_text(i.event_ids))::uuid[],
        routed_credential_ids = case when i.append then coalesce(r.routed_credential_ids, '{}') else '{}' end
          || array(select jsonb_array_elements_text(i.credential_ids)),
        held_credential_ids = nullif(array(select jsonb_array_elements_text(i.held_ids)), '{}'),
        locked_until = null, processed_at = ${now.toISOString()}::timestamptz
      from input i where r.id = i.id
      returning r.trigger_id, r.id, r.outcome)
    select pg_notify(${inboundChannel}, trigger_id || ':' || id || ':' || outcome) from marked`.execute(
    q,
  )
}

/**
 * Puts a routed, unrouted or failed request back in the router's queue (after the missing
 * credential exists, or what failed is fixed), with its tries counted from zero again.
 */
export async function requeueRequest(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<boolean> {
  const rows = await query<{ id: string }>(
    q,
    sql`
    with requeued as (
      update inbound_requests set outcome = 'accepted', processed_at = null, locked_until = null,
        reason = null, routing_attempts = 0
      where project_id = ${projectId} and id = ${id} and outcome in ('routed', 'unrouted', 'failed')
      returning trigger_id, id)
    select id, pg_notify(${inboundChannel}, trigger_id || ':' || id || ':accepted') from requeued`,
  )
  return rows.length > 0
}

/**
 * Puts the requests held for a credential back in the router's queue (it is VALID again, or it
 * was deleted). They keep `held_credential_ids`, so the router sends only to those credentials.
 */
export async function releaseHeldRequests(
  q: Queryable,
  projectId: string,
  credentialId: string,
): Promise<number> {
  const rows = await query<{ id: string }>(
    q,
    sql`
    with released as (
      update inbound_requests set outcome = 'accepted', locked_until = null
      where project_id = ${projectId} and outcome = 'held'
        and ${credentialId}::text = any(held_credential_ids)
      returning trigger_id, id)
    select id, pg_notify(${inboundChannel}, trigger_id || ':' || id || ':accepted') from released`,
  )
  return rows.length
}

export async function findInboundRequest(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<InboundRequestRow | null> {
  const rows = await requestRows(
    q,
    sql`select ${requestColumns} from inbound_requests where project_id = ${projectId} and id = ${id}`,
  )
  return rows[0] ?? null
}

export async function listInboundRequests(
  q: Queryable,
  f: {
    projectId: string
    triggerId: string | null
    outcome: string | null
    before: string | null
    limit: number
  },
): Promise<InboundRequestRow[]> {
  return requestRows(
    q,
    sql`
    select ${requestColumns} from inbound_requests
    where project_id = ${f.projectId}
      and (${f.triggerId}::uuid is null or trigger_id = ${f.triggerId}::uuid)
      and (${f.outcome}::text is null or outcome = ${f.outcome}::text)
      and (${f.before}::uuid is null or id < ${f.before}::uuid)
    order by id desc limit ${f.limit}`,
  )
}

/**
 * Deletes up to `limit` of a project's inbound requests received before `before`, except those
 * still waiting to be routed (accepted, held). Ids are UUIDv7: `id < beforeId` keeps the scan
 * to the old end of the project's index; `received_at` decides.
 */
export async function deleteOldInboundRequests(
  q: Queryable,
  projectId: string,
  before: Date,
  limit: number,
): Promise<number> {
  const rows = await query(
    q,
    sql`
    delete from inbound_requests where id in (
      select id from inbound_requests
      where project_id = ${projectId} and id < ${idBefore(before)}::uuid
        and received_at < ${before.toISOString()}::timestamptz
        and outcome not in ('accepted', 'held')
      limit ${limit})
    returning 1`,
  )
  return rows.length
}

// The least UUIDv7 of the millisecond after `at`: every id made up to `at` sorts below it.
function idBefore(at: Date): string {
  const hex = Math.max(0, at.getTime() + 1)
    .toString(16)
    .padStart(12, '0')
    .slice(-12)
  return `${hex.slice(0, 8)}-${hex.slice(8)}-0000-0000-000000000000`
}
