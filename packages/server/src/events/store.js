import { sql } from 'kysely';
import { query } from "../store/index.js";
/**
 * Inserts events in one statement through `unnest` (one round trip for up to 1,000 rows).
 * Returns nothing: a unique violation on (project_id, idempotency_key) aborts the statement, and
 * the caller resolves the replay.
 */
export async function insertEvents(q, events) {
    const col = (pick) => events.map(pick);
    return query(q, sql `
    insert into events (id, project_id, type, user_id, credential_id, integration, occurred_at, data,
                        idempotency_key, request_hash)
    select * from unnest(
      ${col((e) => e.id)}::uuid[], ${col((e) => e.projectId)}::uuid[], ${col((e) => e.type)}::text[],
      ${col((e) => e.userId)}::text[], ${col((e) => e.credentialId)}::text[],
      ${col((e) => e.integration)}::text[], ${col((e) => e.occurredAt.toISOString())}::timestamptz[],
      ${col((e) => JSON.stringify(e.data))}::jsonb[], ${col((e) => e.idempotencyKey)}::text[],
      ${col((e) => e.requestHash)}::text[])
    returning *`);
}
/** The events an idempotency key created, in batch order (`key`, or `key#0`, `key#1`… for a batch). */
export async function findByIdempotencyKey(q, projectId, key) {
    return query(q, sql `
    select * from events
    where project_id = ${projectId} and (idempotency_key = ${key} or idempotency_key like ${escapeLike(key) + '#%'})
    order by id`);
}
export async function findEvent(q, projectId, id) {
    const rows = await query(q, sql `select * from events where project_id = ${projectId} and id = ${id}`);
    return rows[0] ?? null;
}
/** Events by id, for renderers that need the whole event (fan-out, dispatch). */
export async function findEventsByIds(q, ids) {
    if (ids.length === 0)
        return [];
    return query(q, sql `select * from events where id = any(${ids}::uuid[])`);
}
/** Newest first; `before` is the last id of the previous page. */
export async function listEvents(q, f) {
    return query(q, sql `
    select * from events
    where project_id = ${f.projectId}
      and (${f.types}::text[] is null or type = any(${f.types}::text[]))
      and (${f.since?.toISOString() ?? null}::timestamptz is null or occurred_at >= ${f.since?.toISOString() ?? null}::timestamptz)
      and (${f.until?.toISOString() ?? null}::timestamptz is null or occurred_at < ${f.until?.toISOString() ?? null}::timestamptz)
      and (${f.before}::uuid is null or id < ${f.before}::uuid)
    order by id desc
    limit ${f.limit}`);
}
function escapeLike(value) {
    return value.replace(/[\\%_]/g, (c) => '\\' + c);
}
