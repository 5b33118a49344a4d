import { query, sql, type Queryable } from '../store/index.ts'

/** A portal session row; the link token and the session credential are stored as hashes. */
export interface PortalSessionRow {
  id: string
  project_id: string
  user_id: string | null
  event_types: string[] | null
  read_only: boolean
  link_hash: Buffer
  credential_hash: Buffer | null
  exchanged_at: Date | null
  expires_at: Date
  revoked_at: Date | null
  created_by: Record<string, unknown>
  created_at: Date
}

export async function insertPortalSession(
  q: Queryable,
  s: {
    id: string
    projectId: string
    userId: string | null
    eventTypes: string[] | null
    readOnly: boolean
    linkHash: Buffer
    expiresAt: Date
    createdBy: Record<string, unknown>
    now: Date
  },
): Promise<PortalSessionRow> {
  const rows = await query<PortalSessionRow>(
    q,
    sql`
    insert into portal_sessions (id, project_id, user_id, event_types, read_only, link_hash,
                                 expires_at, created_by, created_at)
    values (${s.id}, ${s.projectId}, ${s.userId}, ${s.eventTypes}::text[], ${s.readOnly},
            ${s.linkHash}, ${s.expiresAt.toISOString()}::timestamptz,
            ${JSON.stringify(s.createdBy)}::jsonb, ${s.now.toISOString()}::timestamptz)
    returning *`,
  )
  return rows[0]!
}

/**
 * Exchanges a link once: sets the credential only on a session not exchanged, revoked or
 * expired, so two concurrent exchanges of one link cannot both win (the row lock of the update).
 * @returns the session when this call exchanged it, else null
 */
export async function exchangeLink(
  q: Queryable,
  linkHash: Buffer,
  credentialHash: Buffer,
  now: Date,
): Promise<PortalSessionRow | null> {
  const rows = await query<PortalSessionRow>(
    q,
    sql`
    update portal_sessions
    set credential_hash = ${credentialHash}, exchanged_at = ${now.toISOString()}::timestamptz
    where link_hash = ${linkHash} and exchanged_at is null and revoked_at is null
      and expires_at > ${now.toISOString()}::timestamptz
    returning *`,
  )
  return rows[0] ?? null
}

export async function findByLinkHash(
  q: Queryable,
  linkHash: Buffer,
): Promise<PortalSessionRow | null> {
  const rows = await query<PortalSessionRow>(
    q,
    sql`select * from portal_sessions where link_hash = ${linkHash}`,
  )
  return rows[0] ?? null
}

export async function findByCredentialHash(
  q: Queryable,
  credentialHash: Buffer,
): Promise<PortalSessionRow | null> {
  const rows = await query<PortalSessionRow>(
    q,
    sql`select * from portal_sessions where credential_hash = ${credentialHash}`,
  )
  return rows[0] ?? null
}

/** Newest first; `before` is the last id of the previous page. */
export async function listPortalSessions(
  q: Queryable,
  projectId: string,
  page: { before: string | null; limit: number },
): Promise<PortalSessionRow[]> {
  return query<PortalSessionRow>(
    q,
    sql`
    select * from portal_sessions
    where project_id = ${projectId} and (${page.before}::uuid is null or id < ${page.before}::uuid)
    order by id desc limit ${page.limit}`,
  )
}

/** Revokes a session (a second revoke keeps the first time). @returns the row, or null */
export async function revokePortalSession(
  q: Queryable,
  projectId: string,
  id: string,
  now: Date,
): Promise<PortalSessionRow | null> {
  const rows = await query<PortalSessionRow>(
    q,
    sql`
    update portal_sessions set revoked_at = coalesce(revoked_at, ${now.toISOString()}::timestamptz)
    where project_id = ${projectId} and id = ${id}
    returning *`,
  )
  return rows[0] ?? null
}
