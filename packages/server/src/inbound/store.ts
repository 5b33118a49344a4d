import { sql } from 'kysely'
import { query, type Queryable } from '../store/index.ts'
import type { TriggerRow } from './types.ts'

/** The only file that names the triggers, trigger_values, trigger_subscriptions and inbound_requests tables. */

/** NOTIFY channel: `triggerId:requestId:outcome` whenever a request is judged or routed. */
export const inboundChannel = 'switchyard_inbound'

export type InboundOutcomeName =
  'received' | 'handshake' | 'rejected' | 'error' | 'accepted' | 'routed' | 'unrouted'

export interface InboundRequestRow {
  id: string
  project_id: string
  trigger_id: string
  credential_id: string | null
  method: string
  path: string
  query_string: string
  headers: Record<string, string | string[]>
  body: Uint8Array
  outcome: InboundOutcomeName
  reason: string | null
  response_status: number | null
  event_ids: string[] | null
  routed_credential_ids: string[] | null
  received_at: Date
  processed_at: Date | null
}

type TriggerFields = Omit<TriggerRow, 'created_at' | 'updated_at'>

const j = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value))

export async function insertTrigger(
  q: Queryable,
  t: TriggerFields,
  now: Date,
): Promise<TriggerRow> {
  const rows = await query<TriggerRow>(
    q,
    sql`
    insert into triggers (id, project_id, integration, name, level, setup, response, verification,
                          routing, body_limit_bytes, created_at, updated_at)
    values (${t.id}, ${t.project_id}, ${t.integration}, ${t.name}, ${t.level}, ${j(t.setup)}::jsonb,
            ${j(t.response)}::jsonb, ${j(t.verification)}::jsonb, ${j(t.routing)}::jsonb,
            ${t.body_limit_bytes}, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
    returning *`,
  )
  return rows[0]!
}

export async function updateTrigger(
  q: Queryable,
  t: TriggerFields,
  now: Date,
): Promise<TriggerRow | null> {
  const rows = await query<TriggerRow>(
    q,
    sql`
    update triggers set integration = ${t.integration}, name = ${t.name}, level = ${t.level},
      setup = ${j(t.setup)}::jsonb, response = ${j(t.response)}::jsonb,
      verification = ${j(t.verification)}::jsonb, routing = ${j(t.routing)}::jsonb,
      body_limit_bytes = ${t.body_limit_bytes}, updated_at = ${now.toISOString()}::timestamptz
    where project_id = ${t.project_id} and id = ${t.id}
    returning *`,
  )
  cachedTriggers.delete(t.id)
  return rows[0] ?? null
}

/** By id alone: /hooks knows no project until the trigger names it. */
export async function findTrigger(q: Queryable, id: string): Promise<TriggerRow | null> {
  const rows = await query<TriggerRow>(q, sql`select * from triggers where id = ${id}`)
  return rows[0] ?? null
}

// /hooks reads its trigger on every request. Edits made through this process drop the entry at
// once; other processes see them within `triggerCacheMs`. Unknown ids are not kept.
const triggerCacheMs = 1000
const triggerCacheSize = 10_000
const cachedTriggers = new Map<string, { row: TriggerRow; until: number }>()

/** `findTrigger` through the process's short-lived cache: for /hooks. */
export async function findTriggerCached(q: Queryable, id: string): Promise<TriggerRow | null> {
  const hit = cachedTriggers.get(id)
  if (hit && hit.until > performance.now()) return hit.row
  const row = await findTrigger(q, id)
  cachedTriggers.delete(id)
  if (row) {
    if (cachedTriggers.size >= triggerCacheSize)
      cachedTriggers.delete(cachedTriggers.keys().next().value!)
    cachedTriggers.set(id, { row, until: performance.now() + triggerCacheMs })
  }
  return row
}

export async function findProjectTrigger(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<TriggerRow | null> {
  const rows = await query<TriggerRow>(
    q,
    sql`select * from triggers where project_id = ${projectId} and id = ${id}`,
  )
  return rows[0] ?? null
}

export async function deleteTrigger(q: Queryable, projectId: string, id: string): Promise<boolean> {
  const rows = await query<{ id: string }>(
    q,
    sql`delete from triggers where project_id = ${projectId} and id = ${id} returning id`,
  )
  cachedTriggers.delete(id)
  return rows.length > 0
}

export async function listTriggers(
  q: Queryable,
  f: { projectId: string; before: string | null; limit: number },
): Promise<TriggerRow[]> {
  return query<TriggerRow>(
    q,
    sql`
    select * from triggers
    where project_id = ${f.projectId} and (${f.before}::uuid is null or id < ${f.before}::uuid)
    order by id desc limit ${f.limit}`,
  )
}

/** Sealed persisted values of a trigger for one credential ('' = the whole trigger). */
export async function readTriggerValues(
  q: Queryable,
  triggerId: string,
  credentialId: string,
): Promise<Record<string, string>> {
  const rows = await query<{ key: string; value_ciphertext: string }>(
    q,
    sql`
    select key, value_ciphertext from trigger_values
    where trigger_id = ${triggerId} and credential_id = ${credentialId}`,
  )
  return Object.fromEntries(rows.map((r) => [r.key, r.value_ciphertext]))
}

export async function writeTriggerValues(
  q: Queryable,
  v: { triggerId: string; credentialId: string; sealed: Record<string, string>; now: Date },
): Promise<void> {
  const entries = Object.entries(v.sealed)
  if (entries.length === 0) return
  await sql`
    insert into trigger_values (trigger_id, credential_id, key, value_ciphertext, updated_at)
    select ${v.triggerId}::uuid, ${v.credentialId}, k, c, ${v.now.toISOString()}::timestamptz
    from unnest(${entries.map((e) => e[0])}::text[], ${entries.map((e) => e[1])}::text[]) as t (k, c)
    on conflict (trigger_id, credential_id, key) do update
      set value_ciphertext = excluded.value_ciphertext, updated_at = excluded.updated_at`.execute(q)
}

export async function deleteTriggerValues(
  q: Queryable,
  triggerId: string,
  credentialId: string,
): Promise<void> {
  await sql`
    delete from trigger_values where trigger_id = ${triggerId} and credential_id = ${credentialId}`.execute(
    q,
  )
}

export async function upsertSubscription(
  q: Queryable,
  s: {
    triggerId: string
    credentialId: string
    projectId: string
    status: 'active' | 'failed'
    responseStatus: number | null
    error: string | null
    now: Date
  },
): Promise<void> {
  const now = s.now.toISOString()
  await sql`
    insert into trigger_subscriptions (trigger_id, credential_id, project_id, status, response_status,
                                       error, created_at, updated_at)
    values (${s.triggerId}, ${s.credentialId}, ${s.projectId}, ${s.status}, ${s.responseStatus},
            ${s.error}, ${now}::timestamptz, ${now}::timestamptz)
    on conflict (trigger_id, credential_id) do update set status = excluded.status,
      response_status = excluded.response_status, error = excluded.error, updated_at = excluded.updated_at`.execute(
    q,
  )
}

export async function deleteSubscription(
  q: Queryable,
  triggerId: string,
  credentialId: string,
): Promise<boolean> {
  const rows = await query<{ trigger_id: string }>(
    q,
    sql`
    delete from trigger_subscriptions where trigger_id = ${triggerId} and credential_id = ${credentialId}
    returning trigger_id`,
  )
  return rows.length > 0
}
