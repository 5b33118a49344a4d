import { query, type Queryable, sql } from '../store/index.ts'

/** The only file that names the integrations and integration_tokens tables. */

export interface IntegrationRow {
  project_id: string
  type: string
  name: string
  base_url: string | null
  created_at: Date
  updated_at: Date
}

export interface SealedToken {
  name: string
  value_ciphertext: string
  updated_at: Date
}

/** Creates the integration or changes its name and base URL; `created` tells which. */
export async function upsertIntegration(
  q: Queryable,
  i: { projectId: string; type: string; name: string; baseUrl: string | null; now: Date },
): Promise<{ row: IntegrationRow; created: boolean }> {
  const now = i.now.toISOString()
  // xmax = 0 only on a freshly inserted row: one statement tells create (201) from change (200).
  const rows = await query<IntegrationRow & { created: boolean }>(
    q,
    sql`
    insert into integrations (project_id, type, name, base_url, created_at, updated_at)
    values (${i.projectId}, ${i.type}, ${i.name}, ${i.baseUrl}, ${now}::timestamptz, ${now}::timestamptz)
    on conflict (project_id, type) do update
      set name = excluded.name, base_url = excluded.base_url, updated_at = excluded.updated_at
    returning *, (xmax = 0) as created`,
  )
  const { created, ...row } = rows[0]!
  return { row, created }
}

export async function findIntegration(
  q: Queryable,
  projectId: string,
  type: string,
): Promise<IntegrationRow | null> {
  const rows = await query<IntegrationRow>(
    q,
    sql`select * from integrations where project_id = ${projectId} and type = ${type}`,
  )
  return rows[0] ?? null
}

/** Integrations in type order; `after` is the last type of the previous page. */
export async function listIntegrations(
  q: Queryable,
  f: { projectId: string; after: string | null; limit: number },
): Promise<IntegrationRow[]> {
  return query<IntegrationRow>(
    q,
    sql`
    select * from integrations
    where project_id = ${f.projectId} and (${f.after}::text is null or type > ${f.after}::text)
    order by type limit ${f.limit}`,
  )
}

/** Deletes the integration; its tokens go with it (foreign key cascade). */
export async function deleteIntegration(
  q: Queryable,
  projectId: string,
  type: string,
): Promise<boolean> {
  const rows = await query<{ type: string }>(
    q,
    sql`delete from integrations where project_id = ${projectId} and type = ${type} returning type`,
  )
  return rows.length > 0
}

export async function readTokens(
  q: Queryable,
  projectId: string,
  type: string,
): Promise<SealedToken[]> {
  return query<SealedToken>(
    q,
    sql`
    select name, value_ciphertext, updated_at from integration_tokens
    where project_id = ${projectId} and integration = ${type}
    order by name`,
  )
}

/** Writes sealed tokens (name → ciphertext) and removes the names in `remove`. */
export async function writeTokens(
  q: Queryable,
  t: {
    projectId: string
    type: string
    sealed: Record<string, string>
    remove: string[]
    now: Date
  },
): Promise<void> {
  const entries = Object.entries(t.sealed)
  if (entries.length > 0)
    await sql`
      insert into integration_tokens (project_id, integration, name, value_ciphertext, updated_at)
      select ${t.projectId}::uuid, ${t.type}, n, c, ${t.now.toISOString()}::timestamptz
      from unnest(${entries.map((e) => e[0])}::text[], ${entries.map((e) => e[1])}::text[]) as x (n, c)
      on conflict (project_id, integration, name) do update
        set value_ciphertext = excluded.value_ciphertext, updated_at = excluded.updated_at`.execute(
      q,
    )
  if (t.remove.length > 0)
    await sql`
      delete from integration_tokens
      where project_id = ${t.projectId} and integration = ${t.type}
        and name = any(${t.remove}::text[])`.execute(q)
}
