import { query, type Queryable, sql } from '../store/index.ts'
import type { TriggerRow } from './types.ts'

/** The only file that names the triggers and trigger_values tables (and inbound_requests' row type). */

/** NOTIFY channel: `triggerId:requestId:outcome` whenever a request is judged or routed. */
export const inboundChannel = 'switchyard_inbound'

export type InboundOutcomeName =
  | 'received'
  | 'handshake'
  | 'rejected'
  | 'error'
  | 'accepted'
  | 'routed'
  | 'unrouted'
  | 'held'
  | 'failed'

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
  /** The size received when `body` keeps only its first bytes (requests not accepted); else null. */
  body_size: number | null
  outcome: InboundOutcomeName
  reason: string | null
  response_status: number | null
  event_ids: string[] | null
  routed_credential_ids: string[] | null
  /** Outcome held: the INVALID credentials still waiting (trigger invalidCredentials "hold"). */
  held_credential_ids: string[] | null
  /** Failed routing tries recorded so far; at the router's limit the outcome becomes `failed`. */
  routing_attempts: number
  received_at: Date
  processed_at: Date | null
  /** The trace it was received in (tracing/ `currentTraceContext`); null with tracing off. */
  trace_context?: string | null
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
                          routing, body_limit_bytes, invalid_credentials, redact, created_at,
                          updated_at)
    values (${t.id}, ${t.project_id}, ${t.integration}, ${t.name}, ${t.level}, ${j(t.setup)}::jsonb,
            ${j(t.response)}::jsonb, ${j(t.verification)}::jsonb, ${j(t.routing)}::jsonb,
            ${t.body_limit_bytes}, ${t.invalid_credentials}, ${j(t.redact)}::jsonb,
            ${now.toISOString()}::timestamptz,
            ${now.toISOString()}::timestamptz)
    returning *`,
  )
  // Nobody can know a new id before this answers, but a stale "unknown" must never hide it.
  forgetTrigger(t.id)
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
      body_limit_bytes = ${t.body_limit_bytes}, invalid_credentials = ${t.invalid_credentials},
      redact = ${j(t.redact)}::jsonb, updated_at = ${now.toISOString()}::timestamptz
    where project_id = ${t.project_id} and id = ${t.id}
    returning *`,
  )
  forgetTrigger(t.id)
  return rows[0] ?? null
}

/** By id alone: /hooks knows no project until the trigger names it. */
export async function findTrigger(q: Queryable, id: string): Promise<TriggerRow | null> {
  const rows = await query<TriggerRow>(q, sql`select * from triggers where id = ${id}`)
  return rows[0] ?? null
}

// /hooks reads its trigger on every request, the router on every batch. Edits made through this
// process drop the entry at once; other processes see them within `triggerCacheMs`.
const triggerCacheMs = 1000
const triggerCacheSize = 10_000
const cachedTriggers = new Map<string, { row: TriggerRow; until: number }>()
// Ids found to be no trigger, for as long: a provider still sending to a deleted trigger, or a
// flood of requests to one made-up id, is answered 404 without a read each. Kept apart from the
// triggers so that a flood of distinct made-up ids only evicts its own kind (oldest first).
const unknownTriggers = new Map<string, number>()
// The read under way per id: requests that find the entry expired share it (at 2,000 requests/s
// each expiry sent a read per request until the first came back, ~40 reads a second).
const loadingTriggers = new Map<string, Promise<TriggerRow | null>>()

// Counts edits made through this process, so a read that an edit overtook keeps nothing.
let triggerEdits = 0

/** `findTrigger` through the process's short-lived cache: for /hooks and the router. */
export async function findTriggerCached(q: Queryable, id: string): Promise<TriggerRow | null> {
  const now = performance.now()
  const hit = cachedTriggers.get(id)
  if (hit && hit.until > now) return hit.row
  if ((unknownTriggers.get(id) ?? 0) > now) return null
  const editsBefore = triggerEdits
  const remember = (row: TriggerRow | null): TriggerRow | null => {
    if (triggerEdits !== editsBefore) return row
    cachedTriggers.delete(id)
    unknownTriggers.delete(id)
    const until = performance.now() + triggerCacheMs
    if (row) {
      if (cachedTriggers.size >= triggerCacheSize)
        cachedTriggers.delete(cachedTriggers.keys().next().value!)
      cachedTriggers.set(id, { row, until })
    } else {
      if (unknownTriggers.size >= triggerCacheSize)
        unknownTriggers.delete(unknownTriggers.keys().next().value!)
      unknownTriggers.set(id, until)
    }
    return row
  }
  // A transaction reads on its own connection and never waits for a read under way on another:
  // on the embedded store, which has one connection, that read waits for this transaction.
  if (q.isTransaction) return remember(await findTrigger(q, id))
  let loading = loadingTriggers.get(id)
  if (!loading) {
    const read = findTrigger(q, id).then((row) => {
      if (loadingTriggers.get(id) === read) loadingTriggers.delete(id)
      return remember(row)
    })
    read.catch(() => loadingTriggers.get(id) === read && loadingTriggers.delete(id))
    loadingTriggers.set(id, (loading = read))
  }
  return loading
}

/** Drops the trigger's cached row (or its absence), and any read of it under way, after an edit. */
function forgetTrigger(id: string): void {
  triggerEdits++
  cachedTriggers.delete(id)
  unknownTriggers.delete(id)
  loadingTriggers.delete(id)
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
  forgetTrigger(id)
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

/** The project's triggers of one integration (developer-token uses, credential lifecycle). */
export async function listIntegrationTriggers(
  q: Queryable,
  projectId: string,
  integration: string,
): Promise<TriggerRow[]> {
  return query<TriggerRow>(
    q,
    sql`
    select * from triggers where project_id = ${projectId} and integration = ${integration}
    order by id`,
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

/**
 * Writes sealed values; `keep: true` leaves a key that is already set as it is (a handshake that
 * may only establish a value). Answers the keys written.
 */
export async function writeTriggerValues(
  q: Queryable,
  v: {
    triggerId: string
    credentialId: string
    sealed: Record<string, string>
    now: Date
    keep?: boolean
  },
): Promise<string[]> {
  const entries = Object.entries(v.sealed)
  if (entries.length === 0) return []
  const conflict = v.keep
    ? sql`do nothing`
    : sql`do update set value_ciphertext = excluded.value_ciphertext, updated_at = excluded.updated_at`
  const rows = await query<{ key: string }>(
    q,
    sql`
    insert into trigger_values (trigger_id, credential_id, key, value_ciphertext, updated_at)
    select ${v.triggerId}::uuid, ${v.credentialId}, k, c, ${v.now.toISOString()}::timestamptz
    from unnest(${entries.map((e) => e[0])}::text[], ${entries.map((e) => e[1])}::text[]) as t (k, c)
    on conflict (trigger_id, credential_id, key) ${conflict}
    returning key`,
  )
  return rows.map((r) => r.key)
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

/** Forgets what handshakes and setups kept for a credential, on every trigger of the project. */
export async function deleteCredentialValues(
  q: Queryable,
  projectId: string,
  credentialId: string,
): Promise<void> {
  await sql`
    delete from trigger_values
    where credential_id = ${credentialId}
      and trigger_id in (select id from triggers where project_id = ${projectId})`.execute(q)
}
