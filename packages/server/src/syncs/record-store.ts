import { sql } from 'kysely'
import { prepared, query, type Queryable } from '../store/index.ts'
import type { RecordRow } from './types.ts'

/**
 * The only file that names the sync_records and sync_record_contents tables. Every write here
 * runs in a transaction that holds the sync's row lock (store.ts `lockSync`).
 */

/** A record snapshot ready for the store: id computed, content hashed and base64-encoded. */
export interface PreparedRecord {
  id: string
  externalId: string
  name: string | null
  mimeType: string | null
  size: number | null
  data: Record<string, unknown>
  /** sha256 hex of the content; null without content. */
  contentHash: string | null
  /** base64; null without content. */
  content: string | null
  /** sha256 hex over (data, name, MIME type, content hash), keys sorted: equal hash, unchanged. */
  hash: string
}

/** A record the page created or changed, with what it was before. */
export interface WrittenRecord {
  id: string
  previous_data: Record<string, unknown> | null
  /** A tombstone came back to life: reported as created. */
  was_deleted: boolean
  created: boolean
}

/**
 * Writes the page's records and returns those created or changed; unchanged ones are left alone.
 * Two statements: the first sends only ids and hashes and learns which records are new or
 * changed (with what they were, for the diff); the second writes just those. A page of
 * unchanged records thus costs one index probe per record and no JSON parsing in the database
 * (bench/sync). Exact because the caller holds the sync lock: no other page of this sync writes
 * in between.
 * Change numbers: seqBase+1 … seqBase+n for the n records written, in page order (the caller
 * moves the sync's counter past them).
 */
export async function upsertRecords(
  q: Queryable,
  w: {
    syncId: string
    seqBase: number
    seenRunId: string | null
    now: Date
    records: PreparedRecord[]
  },
): Promise<WrittenRecord[]> {
  const changed = await query<WrittenRecord>(
    q,
    prepared(sql`
    with previous as (
      -- = any(ids), not a join with the unnest: the planner cannot estimate the unnest and would
      -- scan every record of the table (42 ms at 100,000 records, against 2 ms by the index).
      select r.id, r.data, r.hash, r.deleted from sync_records r
      where r.id = any(${w.records.map((r) => r.id)}::uuid[])
    )
    select i.id, p.data as previous_data, coalesce(p.deleted, false) as was_deleted,
           (p.id is null) as created
    from unnest(${w.records.map((r) => r.id)}::uuid[], ${w.records.map((r) => r.hash)}::text[]) as i(id, hash)
    left join previous p on p.id = i.id
    where p.id is null or p.deleted or p.hash is distinct from i.hash`),
  )
  if (changed.length === 0) return []
  const changedIds = new Set(changed.map((c) => c.id))
  const rows = w.records.filter((r) => changedIds.has(r.id))
  const col = <T>(pick: (r: PreparedRecord) => T) => rows.map(pick)
  await prepared(sql`
    insert into sync_records as r (id, sync_id, external_id, seq, deleted, name, mime_type, size,
                                   data, hash, seen_run_id, synced_at)
    select t.id, ${w.syncId}::uuid, t.external_id, ${w.seqBase}::bigint + t.ord, false, t.name,
           t.mime_type, t.size, t.data, t.hash, ${w.seenRunId}::uuid, ${w.now.toISOString()}::timestamptz
    from unnest(
      ${col((r) => r.id)}::uuid[], ${col((r) => r.externalId)}::text[], ${col((r) => r.name)}::text[],
      ${col((r) => r.mimeType)}::text[], ${col((r) => r.size)}::bigint[],
      ${col((r) => JSON.stringify(r.data))}::jsonb[], ${col((r) => r.hash)}::text[])
      with ordinality as t(id, external_id, name, mime_type, size, data, hash, ord)
    order by t.id
    on conflict (id) do update
      set seq = excluded.seq, deleted = false, name = excluded.name,
          mime_type = excluded.mime_type, size = excluded.size, data = excluded.data,
          hash = excluded.hash, seen_run_id = coalesce(excluded.seen_run_id, r.seen_run_id),
          synced_at = excluded.synced_at`).execute(q)
  const order = new Map(rows.map((r, i) => [r.id, i]))
  return changed.sort((a, b) => order.get(a.id)! - order.get(b.id)!)
}

/** Stores the content of written records (base64 in, bytea stored) and drops stale content. */
export async function writeContents(
  q: Queryable,
  items: { id: string; content: string | null }[],
): Promise<void> {
  const withContent = items.filter((i) => i.content !== null)
  const without = items.filter((i) => i.content === null).map((i) => i.id)
  if (without.length > 0)
    await sql`delete from sync_record_contents where record_id = any(${without}::uuid[])`.execute(q)
  if (withContent.length === 0) return
  // Base64 text arrays: PGlite cannot serialize bytea arrays, and decode() is cheap.
  await prepared(sql`
    insert into sync_record_contents (record_id, content)
    select id, decode(content, 'base64')
    from unnest(${withContent.map((i) => i.id)}::uuid[], ${withContent.map((i) => i.content)}::text[])
      as t(id, content)
    on conflict (record_id) do update set content = excluded.content`).execute(q)
}

/** FULL runs: notes that the run saw these records (the written ones were marked on write). */
export async function markSeen(q: Queryable, runId: string, ids: string[]): Promise<void> {
  await sql`
    update sync_records set seen_run_id = ${runId}
    where id = any(${ids}::uuid[]) and seen_run_id is distinct from ${runId}::uuid`.execute(q)
}

/**
 * The end of a FULL run: every live record the run did not see becomes a tombstone (metadata,
 * hash and content removed; id and external id kept) with a new change number.
 * @returns the tombstoned records, in change-number order
 */
export async function tombstoneUnseen(
  q: Queryable,
  t: { syncId: string; runId: string; seqBase: number; now: Date },
): Promise<{ id: string; external_id: string; seq: number }[]> {
  const rows = await query<{ id: string; external_id: string; seq: number }>(
    q,
    sql`
    with doomed as (
      select id, row_number() over (order by id) as n from sync_records
      where sync_id = ${t.syncId} and not deleted and seen_run_id is distinct from ${t.runId}::uuid
    )
    update sync_records r
    set deleted = true, seq = ${t.seqBase}::bigint + d.n, name = null, mime_type = null, size = null,
        data = null, hash = null, synced_at = ${t.now.toISOString()}::timestamptz
    from doomed d where r.id = d.id
    returning r.id, r.external_id, r.seq`,
  )
  if (rows.length > 0)
    await sql`delete from sync_record_contents where record_id = any(${rows.map((r) => r.id)}::uuid[])`.execute(
      q,
    )
  return rows.sort((a, b) => a.seq - b.seq)
}

// bigint columns arrive as numbers on both stores (src/store/db.ts sets the pg parser).
const recordColumns = sql`id, sync_id, external_id, seq, deleted, name, mime_type, size, data,
  synced_at`

/** The change feed: records (tombstones included) with a change number above `afterSeq`. */
export async function listRecords(
  q: Queryable,
  f: { syncId: string; afterSeq: number; limit: number },
): Promise<RecordRow[]> {
  return query<RecordRow>(
    q,
    sql`
    select ${recordColumns} from sync_records
    where sync_id = ${f.syncId} and seq > ${f.afterSeq}
    order by seq limit ${f.limit}`,
  )
}

export interface RecordCounts {
  total: number
  active: number
  /** Records with a change number above `afterSeq`. */
  remaining: number
}

export async function countRecords(
  q: Queryable,
  syncId: string,
  afterSeq: number,
): Promise<RecordCounts> {
  const rows = await query<RecordCounts>(
    q,
    sql`
    select count(*)::int as total, (count(*) filter (where not deleted))::int as active,
           (count(*) filter (where seq > ${afterSeq}))::int as remaining
    from sync_records where sync_id = ${syncId}`,
  )
  return rows[0]!
}

export async function findRecord(
  q: Queryable,
  syncId: string,
  id: string,
): Promise<RecordRow | null> {
  const rows = await query<RecordRow>(
    q,
    sql`select ${recordColumns} from sync_records where sync_id = ${syncId} and id = ${id}`,
  )
  return rows[0] ?? null
}

export async function findContent(q: Queryable, recordId: string): Promise<Buffer | null> {
  const rows = await query<{ content: Uint8Array }>(
    q,
    sql`select content from sync_record_contents where record_id = ${recordId}`,
  )
  const content = rows[0]?.content
  return content ? Buffer.from(content.buffer, content.byteOffset, content.byteLength) : null
}
