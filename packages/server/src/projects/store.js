import { sql } from 'kysely';
import { query } from "../store/index.js";
export async function insertProject(q, p) {
    const rows = await query(q, sql `
    insert into projects (id, name, owner_email) values (${p.id}, ${p.name}, ${p.ownerEmail})
    returning *`);
    return rows[0];
}
export async function listProjects(q, page) {
    return query(q, sql `
    select * from projects where (${page.before}::uuid is null or id < ${page.before}::uuid)
    order by id desc limit ${page.limit}`);
}
export async function findProject(q, id) {
    const rows = await query(q, sql `select * from projects where id = ${id}`);
    return rows[0] ?? null;
}
export async function countProjects(q) {
    const rows = await query(q, sql `select count(*)::int as n from projects`);
    return rows[0]?.n ?? 0;
}
/** Merges `patch` into the project's settings (top-level keys; null removes a key). */
export async function updateProjectSettings(q, id, patch) {
    const rows = await query(q, sql `
    update projects
    set name = coalesce(${patch.name ?? null}, name),
        settings = jsonb_strip_nulls(settings || ${JSON.stringify(patch.settings)}::jsonb)
    where id = ${id}
    returning *`);
    return rows[0] ?? null;
}
export async function insertApiKey(q, key) {
    const rows = await query(q, sql `
    insert into api_keys (id, project_id, name, role, prefix, key_hash)
    values (${key.id}, ${key.projectId}, ${key.name}, ${key.role}, ${key.prefix}, ${key.hash})
    returning id, project_id, name, role, prefix, created_at, last_used_at, revoked_at`);
    return rows[0];
}
export async function findActiveKeyByHash(q, hash) {
    const rows = await query(q, sql `
    select id, project_id, name, role, prefix, created_at, last_used_at, revoked_at
    from api_keys where key_hash = ${hash} and revoked_at is null`);
    return rows[0] ?? null;
}
export async function listApiKeys(q, projectId, page) {
    return query(q, sql `
    select id, project_id, name, role, prefix, created_at, last_used_at, revoked_at
    from api_keys
    where project_id = ${projectId} and revoked_at is null
      and (${page.before}::uuid is null or id < ${page.before}::uuid)
    order by id desc limit ${page.limit}`);
}
/** @returns the key hash of the revoked key, or null when there was no such active key */
export async function revokeApiKey(q, projectId, id) {
    const rows = await query(q, sql `
    update api_keys set revoked_at = now()
    where id = ${id} and project_id = ${projectId} and revoked_at is null
    returning key_hash`);
    return rows[0]?.key_hash ?? null;
}
export async function readInstanceSetting(q, name) {
    const rows = await query(q, sql `select value from instance_settings where name = ${name}`);
    return rows[0]?.value ?? null;
}
/** Writes the setting unless it exists; returns the value that won. */
export async function initInstanceSetting(q, name, value) {
    await sql `insert into instance_settings (name, value) values (${name}, ${value}) on conflict (name) do nothing`.execute(q);
    return (await readInstanceSetting(q, name)) ?? value;
}
