import { prepared, query, type Queryable, sql } from '../store/index.ts'
import type { RecordRow } from './types.ts'

/**
 * The only file that names the sync_records and sync_record_contents tables. Every write here
 * runs in a transaction that holds the sync's row lock (store.ts `lockSync`). Record writes also
 * move the sync's change counter (syncs.record_seq) in the same statement.
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
 * Which of the page's records are new or changed (with what they were, for the diff), as of one
 * snapshot, and the sync's change counter in that same snapshot. Sends only ids and hashes: a
 * page of unchanged records costs one index probe per record and no JSON parsing in the database.
 * Runs before the caller takes the sync lock, so two pages of one sync check at once; the
 * caller then brings the answer up to date under the lock (`recheckChanged`).
 */
export async function findChanged(
  q: Queryable,
  p: { syncId: string; records: PreparedRecord[] },
): Promise<ChangedSnapshot> {
  const rows = await query<WrittenRecord & { record_seq: number; page_id: string | null }>(
    q,
    prepared(sql`
    with page as (
      -- Comma-joined text, not arrays: node-postgres escapes array parameters element by
      -- element in JavaScript (4 % of the server's time on an unchanged page, bench/sync).
      -- Ids and hex hashes hold no commas.
      select * from unnest(string_to_array(${p.records.map((r) => r.id).join(',')}::text, ',')::uuid[],
                           string_to_array(${p.records.map((r) => r.hash).join(',')}::text, ','))
        as i(id, hash)
    ), previous as (
      -- = any(ids), not a join with the page: the planner cannot estimate the unnest and would
      -- scan every record of the table (42 ms at 100,000 records, against 2 ms by the index).
      select r.id, r.data, r.hash, r.deleted from sync_records r
      where r.id = any(array(select id from page))
    ), changed as (
      select i.id, p.data as previous_data, coalesce(p.deleted, false) as was_deleted,
             (p.id is null) as created
      from page i left join previous p on p.id = i.id
      where p.id is null or p.deleted or p.hash is distinct from i.hash
    )
    -- One row for the counter even when nothing changed; page_id is null on it.
    select s.record_seq, c.id as page_id, c.id, c.previous_data, c.was_deleted, c.created
    from syncs s left join changed c on true
    where s.id = ${p.syncId}`),
  )
  return {
    recordSeq: Number(rows[0]?.record_seq ?? 0),
    changed: rows
      .filter((r) => r.page_id !== null)
      .map(({ id, previous_data, was_deleted, created }) => ({
        id,
        previous_data,
        was_deleted,
        created,
      })),
  }
}

/** What `findChanged` saw: the changed records, and the sync's change counter it saw them at. */
export interface ChangedSnapshot {
  recordSeq: number
  changed: WrittenRecord[]
}

/**
 * Brings a snapshot from `findChanged` up to date. The caller holds the sync lock and read the
 * counter under it: every write to a sync's records moves the counter, so when it has not moved
 * the snapshot is exact; when it has, only the page's records written since (a change number
 * above the snapshot's) are read again, by the feed index.
 */
export async function recheckChanged(
  q: Queryable,
  c: { syncId: string; records: PreparedRecord[]; snapshot: ChangedSnapshot; recordSeq: number },
): Promise<WrittenRecord[]> {
  if (c.recordSeq === c.snapshot.recordSeq) return c.snapshot.changed
  const since = await query<{
    id: string
    data: WrittenRecord['previous_data']
    hash: string | null
    deleted: boolean
  }>(
    q,
    sql`
    with page as (select unnest(${c.records.map((r) => r.id)}::uuid[]) as id),
    written as materialized (
      select id, data, hash, deleted from sync_records
      where sync_id = ${c.syncId} and seq > ${c.snapshot.recordSeq}::bigint
    )
    select w.id, w.data, w.hash, w.deleted from written w join page using (id)`,
  )
  if (since.length === 0) return c.snapshot.changed
  const hashes = new Map(c.records.map((r) => [r.id, r.hash]))
  const fresh = new Map(since.map((r) => [r.id, r]))
  const changed = c.snapshot.changed.filter((w) => !fresh.has(w.id))
  for (const r of since)
    if (r.deleted || r.hash !== hashes.get(r.id))
      changed.push({ id: r.id, previous_data: r.data, was_deleted: r.deleted, created: false })
  return changed
}

/**
 * Writes the changed records (from `recheckChanged`) in one statement that also drops the stale
 * content of updated records that no longer carry any and moves the sync's change counter past
 * them; unchanged records are left alone. The caller holds the sync lock. One statement, not
 * three: each round trip is paid with the lock held (bench/sync).
 * Change numbers: seqBase+1 … seqBase+n for the n records written, in page order.
 * @returns the written records, in page order
 */
export async function upsertRecords(
  q: Queryable,
  w: {
    syncId: string
    seqBase: number
    seenRunId: string | null
    now: Date
    records: PreparedRecord[]
    changed: WrittenRecord[]
  },
): Promise<WrittenRecord[]> {
  const { changed } = w
  if (changed.length === 0) return []
  const changedById = new Map(changed.map((c) => [c.id, c]))
  const rows = w.records.filter((r) => changedById.has(r.id))
  // One JSON document, not seven arrays: node-postgres escapes array parameters element by
  // element in JavaScript, and a page's data as a jsonb[] of JSON strings was the costliest
  // parameter of an INITIAL page (bench/sync).
  const document = JSON.stringify(
    rows.map((r, i) => ({
      id: r.id,
      external_id: r.externalId,
      name: r.name,
      mime_type: r.mimeType,
      size: r.size,
      data: r.data,
      hash: r.hash,
      ord: i + 1,
    })),
  )
  // A new record has no stored content to drop.
  const staleContent = rows
    .filter((r) => r.content === null && !changedById.get(r.id)!.created)
    .map((r) => r.id)
  const now = w.now.toISOString()
  await prepared(sql`
    with written as (
      insert into sync_records as r (id, sync_id, external_id, seq, deleted, name, mime_type, size,
                                     data, hash, seen_run_id, synced_at)
      select t.id, ${w.syncId}::uuid, t.external_id, ${w.seqBase}::bigint + t.ord, false, t.name,
             t.mime_type, t.size, t.data, t.hash, ${w.seenRunId}::uuid, ${now}::timestamptz
      from jsonb_to_recordset(${document}::jsonb) as t(id uuid, external_id text, name text,
        mime_type text, size bigint, data jsonb, hash text, ord bigint)
      order by t.id
      on conflict (id) do update
        set seq = excluded.seq, deleted = false, name = excluded.name,
            mime_type = excluded.mime_type, size = excluded.size, data = excluded.data,
            hash = excluded.hash, seen_run_id = coalesce(excluded.seen_run_id, r.seen_run_id),
            synced_at = excluded.synced_at
      returning 1
    ), dropped as (
      delete from sync_record_contents where record_id = any(${staleContent}::uuid[])
    )
    update syncs set record_seq = ${w.seqBase + rows.length}::bigint, updated_at = ${now}::timestamptz
    where id = ${w.syncId}`).execute(q)
  const order = new Map(rows.map((r, i) => [r.id, i]))
  return [...changed].sort((a, b) => order.get(a.id)! - order.get(b.id)!)
}

/** Stores the content of records written with content, replacing what they had. */
export async function writeContents(
  q: Queryable,
  items: { id: string; content: string }[],
): Promise<void> {
  if (items.length === 0) return
  // Base64 text arrays: PGlite cannot serialize bytea arrays, and decode() is cheap.
  await prepared(sql`
    insert into sync_record_contents (record_id, content)
    select id, decode(content, 'base64')
    from unnest(${items.map((i) => i.id)}::uuid[], ${items.map((i) => i.content)}::text[])
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
