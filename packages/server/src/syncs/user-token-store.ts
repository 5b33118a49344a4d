import { query, type Queryable, sql } from '../store/index.ts'

/**
 * The only file that names the user_token_keys and user_token_audiences tables. An audience is
 * the primary key of user_token_audiences, so it belongs to at most one project (migration 0012).
 */

export interface UserTokenKeyRow {
  project_id: string
  public_key: string
  /** In the order the project gave them. */
  audiences: string[]
}

/**
 * Sets a project's key and replaces its audiences.
 * @throws the database's unique violation (23505) when another project owns one of the audiences
 *   (a save racing the caller's own check)
 */
export async function saveUserTokenKey(
  q: Queryable,
  k: { projectId: string; publicKey: string; audiences: string[]; now: Date },
): Promise<void> {
  await sql`
    insert into user_token_keys (project_id, public_key, updated_at)
    values (${k.projectId}, ${k.publicKey}, ${k.now.toISOString()}::timestamptz)
    on conflict (project_id) do update
      set public_key = excluded.public_key, updated_at = excluded.updated_at`.execute(q)
  await sql`delete from user_token_audiences where project_id = ${k.projectId}`.execute(q)
  await sql`
    insert into user_token_audiences (audience, project_id, position)
    select entry.audience, ${k.projectId}, entry.position - 1
    from unnest(${k.audiences}::text[]) with ordinality as entry (audience, position)`.execute(q)
}

/** Removes the project's key; its audiences go with it (on delete cascade). */
export async function deleteUserTokenKey(q: Queryable, projectId: string): Promise<void> {
  await sql`delete from user_token_keys where project_id = ${projectId}`.execute(q)
}

export async function findUserTokenKey(
  q: Queryable,
  projectId: string,
): Promise<UserTokenKeyRow | null> {
  const rows = await query<UserTokenKeyRow>(
    q,
    sql`
    select k.project_id, k.public_key,
           array(select a.audience from user_token_audiences a
                 where a.project_id = k.project_id order by a.position) as audiences
    from user_token_keys k where k.project_id = ${projectId}`,
  )
  return rows[0] ?? null
}

/**
 * The projects owning any of these audiences, each with the audiences of the list it owns. Each
 * audience has one owner, so a token whose audiences all belong to one project finds one row.
 */
export async function findUserTokenKeysByAudience(
  q: Queryable,
  audiences: string[],
): Promise<UserTokenKeyRow[]> {
  return query<UserTokenKeyRow>(
    q,
    sql`
    select k.project_id, k.public_key, array_agg(a.audience order by a.position) as audiences
    from user_token_audiences a join user_token_keys k on k.project_id = a.project_id
    where a.audience = any(${audiences}::text[])
    group by k.project_id, k.public_key`,
  )
}

/** The audiences of `audiences` that a project other than `projectId` owns. */
export async function audiencesOwnedElsewhere(
  q: Queryable,
  projectId: string,
  audiences: string[],
): Promise<string[]> {
  const rows = await query<{ audience: string }>(
    q,
    sql`
    select audience from user_token_audiences
    where audience = any(${audiences}::text[]) and project_id <> ${projectId}`,
  )
  return rows.map((row) => row.audience)
}
