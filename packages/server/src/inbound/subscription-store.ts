import { query, type Queryable, sql } from '../store/index.ts'

/** The only file that names the trigger_subscriptions table. */

/** A webhook registered at the provider; credential_id '' for an app-level subscription. */
export interface SubscriptionRow {
  trigger_id: string
  credential_id: string
  project_id: string
  status: 'active' | 'failed'
  /** The provider's status on the last attempt; null when it could not be reached. */
  response_status: number | null
  /** The provider's body (first 1,000 characters) or why it could not be reached; null when active. */
  error: string | null
  created_at: Date
  updated_at: Date
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
): Promise<SubscriptionRow> {
  const now = s.now.toISOString()
  const rows = await query<SubscriptionRow>(
    q,
    sql`
    insert into trigger_subscriptions (trigger_id, credential_id, project_id, status, response_status,
                                       error, created_at, updated_at)
    values (${s.triggerId}, ${s.credentialId}, ${s.projectId}, ${s.status}, ${s.responseStatus},
            ${s.error}, ${now}::timestamptz, ${now}::timestamptz)
    on conflict (trigger_id, credential_id) do update set status = excluded.status,
      response_status = excluded.response_status, error = excluded.error, updated_at = excluded.updated_at
    returning *`,
  )
  return rows[0]!
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

export async function findSubscription(
  q: Queryable,
  triggerId: string,
  credentialId: string,
): Promise<SubscriptionRow | null> {
  const rows = await query<SubscriptionRow>(
    q,
    sql`
    select * from trigger_subscriptions
    where trigger_id = ${triggerId} and credential_id = ${credentialId}`,
  )
  return rows[0] ?? null
}

/** A trigger's subscriptions in credential order (the app-level one, '', first). */
export async function listSubscriptions(
  q: Queryable,
  f: { triggerId: string; after: string | null; limit: number },
): Promise<SubscriptionRow[]> {
  return query<SubscriptionRow>(
    q,
    sql`
    select * from trigger_subscriptions
    where trigger_id = ${f.triggerId} and (${f.after}::text is null or credential_id > ${f.after}::text)
    order by credential_id limit ${f.limit}`,
  )
}

/** Every subscription of a credential in the project (torn down when the credential goes). */
export async function credentialSubscriptions(
  q: Queryable,
  projectId: string,
  credentialId: string,
): Promise<SubscriptionRow[]> {
  return query<SubscriptionRow>(
    q,
    sql`
    select * from trigger_subscriptions
    where project_id = ${projectId} and credential_id = ${credentialId}
    order by trigger_id`,
  )
}
