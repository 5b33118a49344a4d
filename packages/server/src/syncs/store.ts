import { prepared, query, type Queryable, sql } from '../store/index.ts'
import type { RunRow, RunType, SyncRow, SyncStatus } from './types.ts'

/**
 * The only file that names the syncs, sync_runs, sync_run_pages and sync_event_batches tables
 * (records and their contents: record-store.ts, whose writes also move syncs.record_seq; user
 * token keys and audiences: user-token-store.ts).
 */

export interface NewSync {
  id: string
  projectId: string
  userId: string
  credentialId: string | null
  integration: string
  pipeline: string
  configuration: Record<string, unknown>
  configurationName: string | null
  incrementalEverySeconds: number
  fullEverySeconds: number
  nextRunAt: Date | null
  now: Date
}

export async function insertSync(q: Queryable, s: NewSync): Promise<SyncRow> {
  const rows = await query<SyncRow>(
    q,
    sql`
    insert into syncs (id, project_id, user_id, credential_id, integration, pipeline, configuration,
                       configuration_name, status, incremental_every_seconds, full_every_seconds,
                       next_run_at, created_at, updated_at)
    values (${s.id}, ${s.projectId}, ${s.userId}, ${s.credentialId}, ${s.integration}, ${s.pipeline},
            ${JSON.stringify(s.configuration)}::jsonb, ${s.configurationName}, 'INITIALIZING',
            ${s.incrementalEverySeconds}, ${s.fullEverySeconds}, ${ts(s.nextRunAt)}::timestamptz,
            ${ts(s.now)}::timestamptz, ${ts(s.now)}::timestamptz)
    returning *`,
  )
  return rows[0]!
}

/** The scope a caller sees: a project, and within it one user's syncs for a user token. */
export interface SyncScope {
  projectId: string
  userId: string | null
}

export async function findSync(
  q: Queryable,
  scope: SyncScope,
  id: string,
): Promise<SyncRow | null> {
  const rows = await query<SyncRow>(
    q,
    sql`
    select * from syncs
    where id = ${id} and project_id = ${scope.projectId}
      and (${scope.userId}::text is null or user_id = ${scope.userId}::text)`,
  )
  return rows[0] ?? null
}

export interface SyncFilter extends SyncScope {
  integration: string | null
  status: SyncStatus | null
  before: string | null
  limit: number
}

/** Newest first; `before` is the last id of the previous page. */
export async function listSyncs(q: Queryable, f: SyncFilter): Promise<SyncRow[]> {
  return query<SyncRow>(
    q,
    sql`
    select * from syncs
    where project_id = ${f.projectId}
      and (${f.userId}::text is null or user_id = ${f.userId}::text)
      and (${f.integration}::text is null or integration = ${f.integration}::text)
      and (${f.status}::text is null or status = ${f.status}::text)
      and (${f.before}::uuid is null or id < ${f.before}::uuid)
    order by id desc limit ${f.limit}`,
  )
}

/**
 * Locks the sync row for the rest of the transaction. Every write to a sync's runs and records
 * takes this lock first (one lock order: sync, run, records), so pages, completion, failure and
 * disabling of one sync never interleave, and change numbers commit in order.
 */
export async function lockSync(q: Queryable, id: string): Promise<SyncRow | null> {
  const rows = await query<SyncRow>(q, sql`select * from syncs where id = ${id} for update`)
  return rows[0] ?? null
}

export interface SyncPatch {
  status?: SyncStatus
  error?: { code: string; message: string } | null
  initialCompletedAt?: Date
  lastSyncedAt?: Date
  lastFullAt?: Date
  latestCursor?: string | null
  recordSeq?: number
  nextRunAt?: Date | null
  transientFailures?: number
}

const patchColumns: Record<keyof SyncPatch, string> = {
  status: 'status',
  error: 'error',
  initialCompletedAt: 'initial_completed_at',
  lastSyncedAt: 'last_synced_at',
  lastFullAt: 'last_full_at',
  latestCursor: 'latest_cursor',
  recordSeq: 'record_seq',
  nextRunAt: 'next_run_at',
  transientFailures: 'transient_failures',
}

/** Sets the given fields (and updated_at); fields left out keep their value. */
export async function updateSync(
  q: Queryable,
  id: string,
  patch: SyncPatch,
  now: Date,
): Promise<SyncRow> {
  const sets = Object.entries(patch).map(([key, value]) => {
    const column = sql.ref(patchColumns[key as keyof SyncPatch])
    return sql`${column} = ${patchValue(key, value)}`
  })
  const rows = await query<SyncRow>(
    q,
    sql`update syncs set ${sql.join([...sets, sql`updated_at = ${ts(now)}::timestamptz`])}
        where id = ${id} returning *`,
  )
  return rows[0]!
}

function patchValue(key: string, value: unknown) {
  if (key === 'error') return sql`${value === null ? null : JSON.stringify(value)}::jsonb`
  if (value instanceof Date || value === null) return sql`${ts(value)}`
  return sql`${value}`
}

/** Times go to the store as ISO text (one encoding for pg and PGlite). */
function ts(date: Date | null): string | null {
  return date ? date.toISOString() : null
}

export async function deleteSync(q: Queryable, scope: SyncScope, id: string): Promise<boolean> {
  const rows = await query<{ id: string }>(
    q,
    sql`
    delete from syncs
    where id = ${id} and project_id = ${scope.projectId}
      and (${scope.userId}::text is null or user_id = ${scope.userId}::text)
    returning id`,
  )
  return rows.length > 0
}

/**
 * Claims due syncs of the built-in connectors: pushes their next_run_at past the lease so no
 * other process picks them up meanwhile (a run that outlives the lease is refused a second
 * open run by sync_runs_one_open_idx). SKIP LOCKED: a sync locked by a page write is not due
 * for this tick anyway.
 */
export async function claimDueSyncs(
  q: Queryable,
  c: { integrations: string[]; now: Date; leaseUntil: Date; limit: number },
): Promise<SyncRow[]> {
  return query<SyncRow>(
    q,
    sql`
    update syncs set next_run_at = ${ts(c.leaseUntil)}::timestamptz
    where id in (
      select id from syncs
      where next_run_at <= ${ts(c.now)}::timestamptz and status in ('INITIALIZING', 'IDLE')
        and integration = any(${c.integrations}::text[])
      order by next_run_at limit ${c.limit}
      for update skip locked)
    returning *`,
  )
}

export async function insertRun(
  q: Queryable,
  r: { id: string; syncId: string; type: RunType; now: Date },
): Promise<RunRow> {
  const rows = await query<RunRow>(
    q,
    sql`
    insert into sync_runs (id, sync_id, type, status, started_at, touched_at)
    values (${r.id}, ${r.syncId}, ${r.type}, 'running', ${ts(r.now)}::timestamptz,
            ${ts(r.now)}::timestamptz)
    returning *`,
  )
  return rows[0]!
}

export async function findRun(q: Queryable, syncId: string, runId: string): Promise<RunRow | null> {
  const rows = await query<RunRow>(
    q,
    sql`select * from sync_runs where id = ${runId} and sync_id = ${syncId}`,
  )
  return rows[0] ?? null
}

export async function findOpenRun(q: Queryable, syncId: string): Promise<RunRow | null> {
  const rows = await query<RunRow>(
    q,
    sql`select * from sync_runs where sync_id = ${syncId} and status = 'running'`,
  )
  return rows[0] ?? null
}

/** Ends a run, or every open run of the sync when `runId` is null. */
export async function finishRuns(
  q: Queryable,
  f: {
    syncId: string
    runId: string | null
    status: 'completed' | 'failed' | 'cancelled'
    now: Date
    cursor?: string | null
    error?: { code: string; message: string } | null
  },
): Promise<void> {
  const error = f.error ? JSON.stringify(f.error) : null
  await sql`
    update sync_runs
    set status = ${f.status}, finished_at = ${ts(f.now)}::timestamptz, cursor = ${f.cursor ?? null},
        error = ${error}::jsonb
    where sync_id = ${f.syncId} and status = 'running'
      and (${f.runId}::uuid is null or id = ${f.runId}::uuid)`.execute(q)
}

export interface RunTotals {
  created: number
  updated: number
  unchanged: number
  errored: number
}

/** What the pages of a run (the latest run of the sync when `runId` is null) did, summed. */
export async function runTotals(
  q: Queryable,
  w: { syncId: string; runId: string | null },
): Promise<RunTotals> {
  const rows = await query<RunTotals>(
    q,
    sql`
    select coalesce(sum(p.created), 0)::int as created, coalesce(sum(p.updated), 0)::int as updated,
           coalesce(sum(p.unchanged), 0)::int as unchanged, coalesce(sum(p.errored), 0)::int as errored
    from sync_run_pages p
    where p.run_id = coalesce(${w.runId}::uuid,
      (select id from sync_runs where sync_id = ${w.syncId} order by id desc limit 1))`,
  )
  return rows[0]!
}

/** Registers a page; false when the run already received this exact page. */
export async function insertPage(q: Queryable, runId: string, pageHash: string): Promise<boolean> {
  const rows = await query<{ run_id: string }>(
    q,
    prepared(sql`
    insert into sync_run_pages (run_id, page_hash, created, updated, unchanged, errored)
    values (${runId}, ${pageHash}, 0, 0, 0, 0)
    on conflict do nothing returning run_id`),
  )
  return rows.length > 0
}

/** Records what a page did, and that its run is alive (`touched_at`), in one round trip. */
export async function setPageTotals(
  q: Queryable,
  p: { runId: string; pageHash: string; totals: RunTotals; now: Date },
): Promise<void> {
  const t = p.totals
  await prepared(sql`
    with touched as (
      update sync_runs set touched_at = ${ts(p.now)}::timestamptz where id = ${p.runId} returning id)
    update sync_run_pages
    set created = ${t.created}, updated = ${t.updated}, unchanged = ${t.unchanged}, errored = ${t.errored}
    where run_id = (select id from touched) and page_hash = ${p.pageHash}`).execute(q)
}

export async function findPageTotals(
  q: Queryable,
  runId: string,
  pageHash: string,
): Promise<RunTotals | null> {
  const rows = await query<RunTotals>(
    q,
    sql`
    select created, updated, unchanged, errored from sync_run_pages
    where run_id = ${runId} and page_hash = ${pageHash}`,
  )
  return rows[0] ?? null
}

export interface EventBatchRow {
  id: string
  project_id: string
  sync_id: string
  events: unknown[]
}

export async function insertEventBatch(
  q: Queryable,
  b: { id: string; projectId: string; syncId: string; events: unknown[]; now: Date },
): Promise<void> {
  await sql`
    insert into sync_event_batches (id, project_id, sync_id, events, created_at)
    values (${b.id}, ${b.projectId}, ${b.syncId}, ${JSON.stringify(b.events)}::jsonb,
            ${ts(b.now)}::timestamptz)`.execute(q)
}

/** Unpublished batches: the given ones, or all created before `createdBefore`, oldest first. */
export async function pendingEventBatches(
  q: Queryable,
  w: { ids: string[] | null; createdBefore: Date | null; limit: number },
): Promise<EventBatchRow[]> {
  return query<EventBatchRow>(
    q,
    sql`
    select id, project_id, sync_id, events from sync_event_batches
    where (${w.ids}::uuid[] is null or id = any(${w.ids}::uuid[]))
      and (${ts(w.createdBefore)}::timestamptz is null
           or created_at < ${ts(w.createdBefore)}::timestamptz)
    order by id limit ${w.limit}`,
  )
}

export async function deleteEventBatch(q: Queryable, id: string): Promise<void> {
  await sql`delete from sync_event_batches where id = ${id}`.execute(q)
}
