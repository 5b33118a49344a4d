import { query, type Queryable, sql } from '../../store/index.ts'

/** The only file that names the handshake_windows table (migration 0013). */

/** A time during which a handshake may replace a value a trigger already has. */
export interface HandshakeWindowRow {
  id: string
  trigger_id: string
  /** '' for an app-level trigger: its handshakes arrive without ?id=. */
  credential_id: string
  /** `setup`: an API setup is calling the provider; `api`: opened by expect-handshake. */
  kind: 'setup' | 'api'
  opened_at: Date
  expires_at: Date
}

/**
 * Opens a window. On the way it drops the trigger's expired windows and, for an `api` window,
 * the `api` window it replaces (one per trigger and credential, so the table stays small;
 * `setup` windows close themselves by id).
 */
export async function openWindow(
  q: Queryable,
  w: Omit<HandshakeWindowRow, 'opened_at' | 'expires_at'> & { openedAt: Date; expiresAt: Date },
): Promise<HandshakeWindowRow> {
  await sql`
    delete from handshake_windows
    where trigger_id = ${w.trigger_id}
      and (expires_at <= ${w.openedAt.toISOString()}::timestamptz
           or (${w.kind === 'api'}::boolean and kind = 'api' and credential_id = ${w.credential_id}))`.execute(
    q,
  )
  const rows = await query<HandshakeWindowRow>(
    q,
    sql`
    insert into handshake_windows (id, trigger_id, credential_id, kind, opened_at, expires_at)
    values (${w.id}, ${w.trigger_id}, ${w.credential_id}, ${w.kind},
            ${w.openedAt.toISOString()}::timestamptz, ${w.expiresAt.toISOString()}::timestamptz)
    returning *`,
  )
  return rows[0]!
}

/** Closes one window (an API setup that is done, with or without a handshake). */
export async function closeWindow(q: Queryable, id: string): Promise<void> {
  await sql`delete from handshake_windows where id = ${id}`.execute(q)
}

/** Closes the project's windows of a trigger (`credentialId` undefined: all of them). */
export async function closeWindows(
  q: Queryable,
  triggerId: string,
  credentialId: string | undefined,
): Promise<number> {
  const rows = await query<{ id: string }>(
    q,
    sql`
    delete from handshake_windows
    where trigger_id = ${triggerId}
      and (${credentialId ?? null}::text is null or credential_id = ${credentialId ?? null})
    returning id`,
  )
  return rows.length
}

/**
 * Closes every window of the trigger and credential and answers whether one was open at `now`.
 * The delete locks the rows it finds, so of two handshakes racing for one window the second
 * finds none: a window admits one replacement.
 */
export async function takeOpenWindow(
  q: Queryable,
  triggerId: string,
  credentialId: string,
  now: Date,
): Promise<boolean> {
  const rows = await query<{ open: boolean }>(
    q,
    sql`
    delete from handshake_windows
    where trigger_id = ${triggerId} and credential_id = ${credentialId}
    returning expires_at > ${now.toISOString()}::timestamptz as open`,
  )
  return rows.some((r) => r.open)
}

/** The windows still open at `now` of the given triggers, soonest to close first. */
export async function listOpenWindows(
  q: Queryable,
  triggerIds: readonly string[],
  now: Date,
): Promise<HandshakeWindowRow[]> {
  if (triggerIds.length === 0) return []
  return query<HandshakeWindowRow>(
    q,
    sql`
    select * from handshake_windows
    where trigger_id = any(${[...triggerIds]}::uuid[])
      and expires_at > ${now.toISOString()}::timestamptz
    order by expires_at, id`,
  )
}
