import { sql } from 'kysely'
import { query, type Queryable } from '../store/index.ts'
import { inboundChannel, type InboundOutcomeName, type InboundRequestRow } from './store.ts'

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
  receivedAt: Date
}

/** Stores the request as it arrived, before any judgement (outcome `received`). */
export async function insertInboundRequest(q: Queryable, r: NewInboundRequest): Promise<void> {
  await sql`
    insert into inbound_requests (id, project_id, trigger_id, credential_id, method, path, query_string,
                                  headers, body, outcome, received_at)
    values (${r.id}, ${r.projectId}, ${r.triggerId}, ${r.credentialId}, ${r.method}, ${r.path},
            ${r.queryString}, ${JSON.stringify(r.headers)}::jsonb, ${r.body}, 'received',
            ${r.receivedAt.toISOString()}::timestamptz)`.execute(q)
}

/**
 * Records the judgement and announces it in the same statement: listen streams and idle routers
 * wake on the NOTIFY (sent when the statement commits).
 */
export async function judgeInboundRequest(
  q: Queryable,
  r: { id: string; outcome: InboundOutcomeName; reason: string | null; responseStatus: number },
): Promise<void> {
  await sql`
    with judged as (
      update inbound_requests set outcome = ${r.outcome}, reason = ${r.reason},
        response_status = ${r.responseStatus}
      where id = ${r.id}
      returning trigger_id, id, outcome)
    select pg_notify(${inboundChannel}, trigger_id || ':' || id || ':' || outcome) from judged`.execute(
    q,
  )
}

/**
 * Claims accepted requests for routing: each row is leased until `leaseUntil`, so a router that
 * dies mid-way lets another take the row when the lease ends. SKIP LOCKED keeps concurrent
 * routers (one per worker process) off each other's rows without waiting.
 */
export async function claimAcceptedRequests(
  q: Queryable,
  o: { now: Date; leaseUntil: Date; limit: number },
): Promise<InboundRequestRow[]> {
  return query<InboundRequestRow>(
    q,
    sql`
    update inbound_requests set locked_until = ${o.leaseUntil.toISOString()}::timestamptz
    where id in (
      select id from inbound_requests
      where outcome = 'accepted'
        and (locked_until is null or locked_until < ${o.now.toISOString()}::timestamptz)
      order by id limit ${o.limit}
      for update skip locked)
    returning *`,
  )
}

/**
 * Marks a request routed, unrouted or held. A released held request (`append`) adds its new
 * events and credentials to those routed before it was held.
 */
export async function completeRouting(
  q: Queryable,
  r: {
    id: string
    outcome: 'routed' | 'unrouted' | 'held'
    eventIds: string[]
    credentialIds: string[]
    heldCredentialIds: string[]
    append: boolean
    now: Date
  },
): Promise<void> {
  const held = r.heldCredentialIds.length > 0 ? r.heldCredentialIds : null
  await sql`
    with done as (
      update inbound_requests set outcome = ${r.outcome},
        event_ids = case when ${r.append} then coalesce(event_ids, '{}') else '{}' end || ${r.eventIds}::uuid[],
        routed_credential_ids = case when ${r.append} then coalesce(routed_credential_ids, '{}') else '{}' end
          || ${r.credentialIds}::text[],
        held_credential_ids = ${held}::text[], locked_until = null,
        processed_at = ${r.now.toISOString()}::timestamptz
      where id = ${r.id}
      returning trigger_id, id, outcome)
    select pg_notify(${inboundChannel}, trigger_id || ':' || id || ':' || outcome) from done`.execute(
    q,
  )
}

/** Puts an unrouted request back in the router's queue (after the missing credential exists). */
export async function requeueRequest(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<boolean> {
  const rows = await query<{ id: string }>(
    q,
    sql`
    with requeued as (
      update inbound_requests set outcome = 'accepted', processed_at = null, locked_until = null
      where project_id = ${projectId} and id = ${id} and outcome in ('routed', 'unrouted')
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
  const rows = await query<InboundRequestRow>(
    q,
    sql`select * from inbound_requests where project_id = ${projectId} and id = ${id}`,
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
  return query<InboundRequestRow>(
    q,
    sql`
    select * from inbound_requests
    where project_id = ${f.projectId}
      and (${f.triggerId}::uuid is null or trigger_id = ${f.triggerId}::uuid)
      and (${f.outcome}::text is null or outcome = ${f.outcome}::text)
      and (${f.before}::uuid is null or id < ${f.before}::uuid)
    order by id desc limit ${f.limit}`,
  )
}
