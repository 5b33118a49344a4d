import { query, type Queryable, sql } from '../store/index.ts'
import type { ProjectRole } from '../http/auth.ts'

/** The only file that names the projects, api_keys and instance_settings tables. */

export interface ProjectRow {
  id: string
  name: string
  owner_email: string | null
  settings: Record<string, unknown>
  created_at: Date
}

export interface ApiKeyRow {
  id: string
  project_id: string
  name: string
  role: ProjectRole
  prefix: string
  created_at: Date
  last_used_at: Date | null
  revoked_at: Date | null
}

export async function insertProject(
  q: Queryable,
  p: { id: string; name: string; ownerEmail: string | null },
): Promise<ProjectRow> {
  const rows = await query<ProjectRow>(
    q,
    sql`
    insert into projects (id, name, owner_email) values (${p.id}, ${p.name}, ${p.ownerEmail})
    returning *`,
  )
  return rows[0]!
}

export async function listProjects(
  q: Queryable,
  page: { before: string | null; limit: number },
): Promise<ProjectRow[]> {
  return query<ProjectRow>(
    q,
    sql`
    select * from projects where (${page.before}::uuid is null or id < ${page.before}::uuid)
    order by id desc limit ${page.limit}`,
  )
}

export async function findProject(q: Queryable, id: string): Promise<ProjectRow | null> {
  const rows = await query<ProjectRow>(q, sql`select * from projects where id = ${id}`)
  return rows[0] ?? null
}

export async function countProjects(q: Queryable): Promise<number> {
  const rows = await query<{ n: number }>(q, sql`select count(*)::int as n from projects`)
  return rows[0]?.n ?? 0
}

/** Merges `patch` into the project's settings (top-level keys; null removes a key). */
export async function updateProjectSettings(
  q: Queryable,
  id: string,
  patch: { name?: string; settings: Record<string, unknown> },
): Promise<ProjectRow | null> {
  const rows = await query<ProjectRow>(
    q,
    sql`
    update projects
    set name = coalesce(${patch.name ?? null}, name),
        settings = jsonb_strip_nulls(settings || ${JSON.stringify(patch.settings)}::jsonb)
    where id = ${id}
    returning *`,
  )
  return rows[0] ?? null
}

export async function insertApiKey(
  q: Queryable,
  key: {
    id: string
    projectId: string
    name: string
    role: ProjectRole
    prefix: string
    hash: Buffer
  },
): Promise<ApiKeyRow> {
  const rows = await query<ApiKeyRow>(
    q,
    sql`
    insert into api_keys (id, project_id, name, role, prefix, key_hash)
    values (${key.id}, ${key.projectId}, ${key.name}, ${key.role}, ${key.prefix}, ${key.hash})
    returning id, project_id, name, role, prefix, created_at, last_used_at, revoked_at`,
  )
  return rows[0]!
}

export async function findActiveKeyByHash(q: Queryable, hash: Buffer): Promise<ApiKeyRow | null> {
  const rows = await query<ApiKeyRow>(
    q,
    sql`
    select id, project_id, name, role, prefix, created_at, last_used_at, revoked_at
    from api_keys where key_hash = ${hash} and revoked_at is null`,
  )
  return rows[0] ?? null
}

export async function listApiKeys(
  q: Queryable,
  projectId: string,
  page: { before: string | null; limit: number },
): Promise<ApiKeyRow[]> {
  return query<ApiKeyRow>(
    q,
    sql`
    select id, project_id, name, role, prefix, created_at, last_used_at, revoked_at
    from api_keys
    where project_id = ${projectId} and revoked_at is null
      and (${page.before}::uuid is null or id < ${page.before}::uuid)
    order by id desc limit ${page.limit}`,
  )
}

/** @returns the key hash of the revoked key, or null when there was no such active key */
export async function revokeApiKey(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<Buffer | null> {
  const rows = await query<{ key_hash: Buffer }>(
    q,
    sql`
    update api_keys set revoked_at = now()
    where id = ${id} and project_id = ${projectId} and revoked_at is null
    returning key_hash`,
  )
  return rows[0]?.key_hash ?? null
}

export async function readInstanceSetting(q: Queryable, name: string): Promise<string | null> {
  const rows = await query<{ value: string }>(
    q,
    sql`select value from instance_settings where name = ${name}`,
  )
  return rows[0]?.value ?? null
}

/** Writes the setting unless it exists; returns the value that won. */
export async function initInstanceSetting(
  q: Queryable,
  name: string,
  value: string,
): Promise<string> {
  await sql`insert into instance_settings (name, value) values (${name}, ${value}) on conflict (name) do nothing`.execute(
    q,
  )
  return (await readInstanceSetting(q, name)) ?? value
}
