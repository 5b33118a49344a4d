import { query, type Queryable, sql } from '../store/index.ts'

/** The only file that names the users and credentials tables. */

export interface UserRow {
  project_id: string
  id: string
  metadata: Record<string, unknown>
  created_at: Date
  updated_at: Date
}

export type CredentialStatus = 'VALID' | 'INVALID' | 'PENDING'

export interface CredentialRow {
  project_id: string
  id: string
  user_id: string
  integration: string
  provider_account_id: string | null
  status: CredentialStatus
  error: string | null
  external_state: unknown
  metadata: Record<string, unknown>
  tokens_ciphertext: string | null
  installed_at: Date | null
  pending_events: PendingEvent[] | null
  status_version: number
  created_at: Date
  updated_at: Date
}

/** A status event the row has yet to publish (the outbox), with the key that makes it once. */
export interface PendingEvent {
  key: string
  type: 'integration.installed' | 'credential.failed' | 'credential.fixed'
  data: Record<string, unknown>
}

/** Creates the user or replaces its metadata; `metadata: null` keeps what is stored. */
export async function upsertUser(
  q: Queryable,
  user: { projectId: string; id: string; metadata: Record<string, unknown> | null; now: Date },
): Promise<UserRow> {
  const metadata = user.metadata === null ? null : JSON.stringify(user.metadata)
  const rows = await query<UserRow>(
    q,
    sql`
    insert into users (project_id, id, metadata, created_at, updated_at)
    values (${user.projectId}, ${user.id}, coalesce(${metadata}::jsonb, '{}'::jsonb),
            ${ts(user.now)}::timestamptz, ${ts(user.now)}::timestamptz)
    on conflict (project_id, id) do update
      set metadata = coalesce(${metadata}::jsonb, users.metadata),
          updated_at = case when ${metadata}::jsonb is null then users.updated_at else excluded.updated_at end
    returning *`,
  )
  return rows[0]!
}

export async function findUser(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<UserRow | null> {
  const rows = await query<UserRow>(
    q,
    sql`select * from users where project_id = ${projectId} and id = ${id}`,
  )
  return rows[0] ?? null
}

/** Locks the credential row for the transition that follows (two PUTs race otherwise). */
export async function findCredentialForUpdate(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<CredentialRow | null> {
  const rows = await query<CredentialRow>(
    q,
    sql`select * from credentials where project_id = ${projectId} and id = ${id} for update`,
  )
  return rows[0] ?? null
}

export async function findCredential(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<CredentialRow | null> {
  const rows = await query<CredentialRow>(
    q,
    sql`select * from credentials where project_id = ${projectId} and id = ${id}`,
  )
  return rows[0] ?? null
}

export async function deleteCredentialRow(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<boolean> {
  const rows = await query<{ id: string }>(
    q,
    sql`delete from credentials where project_id = ${projectId} and id = ${id} returning id`,
  )
  return rows.length > 0
}

/** Writes the whole row (the caller merged the stored one with the request). */
export async function saveCredential(q: Queryable, row: CredentialRow): Promise<CredentialRow> {
  const rows = await query<CredentialRow>(
    q,
    sql`
    insert into credentials (project_id, id, user_id, integration, provider_account_id, status, error,
      external_state, metadata, tokens_ciphertext, installed_at, pending_events, status_version,
      created_at, updated_at)
    values (${row.project_id}, ${row.id}, ${row.user_id}, ${row.integration}, ${row.provider_account_id},
      ${row.status}, ${row.error}, ${json(row.external_state)}::jsonb, ${json(row.metadata)}::jsonb,
      ${row.tokens_ciphertext}, ${ts(row.installed_at)}::timestamptz, ${json(row.pending_events)}::jsonb,
      ${row.status_version}, ${ts(row.created_at)}::timestamptz, ${ts(row.updated_at)}::timestamptz)
    on conflict (project_id, id) do update set
      user_id = excluded.user_id, integration = excluded.integration,
      provider_account_id = excluded.provider_account_id, status = excluded.status,
      error = excluded.error, external_state = excluded.external_state, metadata = excluded.metadata,
      tokens_ciphertext = excluded.tokens_ciphertext, installed_at = excluded.installed_at,
      pending_events = excluded.pending_events, status_version = excluded.status_version,
      updated_at = excluded.updated_at
    returning *`,
  )
  return rows[0]!
}

/**
 * Clears the outbox once its events are stored. Compared by value: a transition that appended
 * an event meanwhile leaves the row pending, and the next flush replays (idempotently) and
 * stores the rest.
 */
export async function clearPendingEvents(
  q: Queryable,
  projectId: string,
  id: string,
  flushed: readonly PendingEvent[],
): Promise<void> {
  await sql`
    update credentials set pending_events = null
    where project_id = ${projectId} and id = ${id} and pending_events = ${JSON.stringify(flushed)}::jsonb`.execute(
    q,
  )
}

/** Credentials whose status event is not stored yet (a crash between commit and publish). */
export async function listPendingEvents(q: Queryable, limit: number): Promise<CredentialRow[]> {
  return query<CredentialRow>(
    q,
    sql`select * from credentials where pending_events is not null order by updated_at limit ${limit}`,
  )
}

export interface CredentialFilter {
  projectId: string
  userId: string | null
  integration: string | null
  status: CredentialStatus | null
  /** The last id of the previous page; ids are caller-chosen text, so pages go by id order. */
  after: string | null
  limit: number
}

export async function listCredentials(q: Queryable, f: CredentialFilter): Promise<CredentialRow[]> {
  return query<CredentialRow>(
    q,
    sql`
    select * from credentials
    where project_id = ${f.projectId}
      and (${f.userId}::text is null or user_id = ${f.userId}::text)
      and (${f.integration}::text is null or integration = ${f.integration}::text)
      and (${f.status}::text is null or status = ${f.status}::text)
      and (${f.after}::text is null or id > ${f.after}::text)
    order by id
    limit ${f.limit}`,
  )
}

/** Credentials of an integration whose provider account is one of `accountIds` (app-level routing). */
export async function findCredentialsByAccount(
  q: Queryable,
  projectId: string,
  integration: string,
  accountIds: readonly string[],
): Promise<CredentialRow[]> {
  if (accountIds.length === 0) return []
  return query<CredentialRow>(
    q,
    sql`
    select * from credentials
    where project_id = ${projectId} and integration = ${integration}
      and provider_account_id = any(${accountIds}::text[])
    order by id`,
  )
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}

function ts(value: Date | null): string | null {
  return value ? value.toISOString() : null
}
