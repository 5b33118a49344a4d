import { createHash, hash } from 'node:crypto'
import { setImmediate } from 'node:timers/promises'
import { stringify as stableStringify } from 'safe-stable-stringify'
import type { EventIn } from '../events/index.ts'
import { apiError, type ErrorDetail } from '../errors.ts'
import { withTransaction, type Queryable, type Tx } from '../store/index.ts'
import { inSpan } from '../tracing/index.ts'
import { diffRecords } from './diff.ts'
import { recordId } from './record-ids.ts'
import {
  findChanged,
  markSeen,
  recheckChanged,
  upsertRecords,
  writeContents,
  type ChangedSnapshot,
  type PreparedRecord,
  type WrittenRecord,
} from './record-store.ts'
import { lockRunningRun } from './runs.ts'
import { findPageTotals, insertPage, setPageTotals, type RunTotals } from './store.ts'
import { syncEvent, type SyncEventDeps } from './sync-events.ts'
import type { PageResult, RecordErrorIn, RecordIn, RunRow, SyncRow } from './types.ts'

/** Most records (and most record errors) one page may carry. */
export const maxPageRecords = 1000

/** Largest content of one record, decoded. */
export const maxContentBytes = 25 * 1024 * 1024

export interface PageIn {
  records: RecordIn[]
  errors: RecordErrorIn[]
}

/**
 * Pushes one page into a running run: stores the records, decides created / updated / unchanged
 * in the database, and emits `record.created` / `record.updated` (INCREMENTAL and FULL runs) and
 * `record.errored`. Re-sending the same page to the same run changes nothing and emits nothing.
 * Traced as `switchyard.sync.page`: the events it emits belong to that trace.
 * @example await pushPage(db.kysely, deps, { syncId, runId, page: { records, errors: [] } })
 */
export function pushPage(
  q: Queryable,
  deps: SyncEventDeps,
  input: { syncId: string; runId: string; page: PageIn },
): Promise<PageResult> {
  const attributes = {
    'switchyard.sync.id': input.syncId,
    'switchyard.sync.run.id': input.runId,
    'switchyard.sync.records': input.page.records.length,
  }
  return inSpan('switchyard.sync.page', attributes, () => pushPageUntraced(q, deps, input))
}

async function pushPageUntraced(
  q: Queryable,
  deps: SyncEventDeps,
  input: { syncId: string; runId: string; page: PageIn },
): Promise<PageResult> {
  checkDuplicates(input.page.records)
  const prepared = await prepareRecords(input.syncId, input.page.records)
  const pageHash = hashPage(prepared, input.page.errors)
  const now = deps.now()
  const outcome = await withTransaction(q, async (tx) => {
    // The comparison with the stored records runs before the lock, so one page's check overlaps
    // another page's writes; under the lock only what changed since is read again.
    const snapshot =
      prepared.length > 0
        ? await findChanged(tx, { syncId: input.syncId, records: prepared })
        : null
    const { sync, run } = await lockRunningRun(tx, input.syncId, input.runId)
    if (!(await insertPage(tx, run.id, pageHash))) {
      const totals = (await findPageTotals(tx, run.id, pageHash))!
      return { ...totals, replayed: true }
    }
    const written = snapshot ? await writeRecords(tx, { sync, run, prepared, snapshot, now }) : []
    const totals: RunTotals = {
      created: written.filter((w) => w.created || w.was_deleted).length,
      updated: written.filter((w) => !w.created && !w.was_deleted).length,
      unchanged: prepared.length - written.length,
      errored: input.page.errors.length,
    }
    await setPageTotals(tx, { runId: run.id, pageHash, totals, now })
    const events = pageEvents(sync, run, prepared, written, input.page.errors, now)
    // The page's events (at most one per record) commit with its records, in one statement of
    // its transaction: no outbox round trips on the hot path, and no window where records
    // changed but their events are not yet stored.
    await deps.publisher.publish(tx, sync.project_id, events)
    return { ...totals, replayed: false }
  })
  return outcome
}

/** Upserts the records and their content, marks them seen for FULL runs, moves the change counter. */
async function writeRecords(
  tx: Tx,
  w: {
    sync: SyncRow
    run: RunRow
    prepared: PreparedRecord[]
    snapshot: ChangedSnapshot
    now: Date
  },
): Promise<WrittenRecord[]> {
  const { sync, run, prepared, now } = w
  const seqBase = Number(sync.record_seq)
  const seenRunId = run.type === 'INCREMENTAL' ? null : run.id
  const changed = await recheckChanged(tx, {
    syncId: sync.id,
    records: prepared,
    snapshot: w.snapshot,
    recordSeq: seqBase,
  })
  const written = await upsertRecords(tx, {
    syncId: sync.id,
    seqBase,
    seenRunId,
    now,
    records: prepared,
    changed,
  })
  const byId = new Map(prepared.map((r) => [r.id, r]))
  await writeContents(
    tx,
    written.flatMap((w) => {
      const content = byId.get(w.id)!.content
      return content === null ? [] : [{ id: w.id, content }]
    }),
  )
  if (seenRunId && written.length < prepared.length)
    await markSeen(
      tx,
      run.id,
      prepared.map((r) => r.id),
    )
  return written
}

function pageEvents(
  sync: SyncRow,
  run: RunRow,
  prepared: PreparedRecord[],
  written: WrittenRecord[],
  errors: RecordErrorIn[],
  now: Date,
): EventIn[] {
  const writtenById = new Map(written.map((w) => [w.id, w]))
  // INITIAL reports one sync.completed at the end instead of an event per record.
  const changes =
    run.type === 'INITIAL'
      ? []
      : prepared.flatMap((record) => {
          const w = writtenById.get(record.id)
          if (!w) return []
          const ref = { recordId: w.id, externalId: record.externalId }
          if (w.created || w.was_deleted || !w.previous_data)
            return [syncEvent(sync, 'record.created', ref, now)]
          const diff = diffRecords(w.previous_data, record.data)
          return [syncEvent(sync, 'record.updated', { ...ref, diff, record: record.data }, now)]
        })
  const failures = errors.map((e) =>
    syncEvent(
      sync,
      'record.errored',
      {
        ...(e.externalId === undefined ? {} : { recordId: recordId(sync.id, e.externalId) }),
        ...(e.code === undefined ? {} : { code: e.code }),
        message: e.message,
      },
      now,
    ),
  )
  return [...changes, ...failures]
}

function checkDuplicates(records: RecordIn[]): void {
  const seen = new Map<string, number>()
  const details: ErrorDetail[] = []
  records.forEach((r, i) => {
    const first = seen.get(r.externalId)
    if (first === undefined) seen.set(r.externalId, i)
    else details.push({ path: `/records/${i}/externalId`, message: `repeats /records/${first}` })
  })
  if (details.length > 0) throw apiError('duplicate_external_id', undefined, details)
}

/**
 * Prepares a page's records in slices, letting the event loop run between them: hashing 1,000
 * records takes milliseconds, and another page of the same sync that holds its lock meanwhile
 * waits for each of its statements' answers to be read (bench/sync, 1 % changed: three quarters
 * of the lock's time went to such waits).
 */
async function prepareRecords(syncId: string, records: RecordIn[]): Promise<PreparedRecord[]> {
  const prepared: PreparedRecord[] = []
  for (let i = 0; i < records.length; i += prepareSlice) {
    if (i > 0) await setImmediate()
    for (const r of records.slice(i, i + prepareSlice)) prepared.push(prepareRecord(syncId, r))
  }
  return prepared
}

const prepareSlice = 100

function prepareRecord(syncId: string, r: RecordIn): PreparedRecord {
  const content = r.content ?? null
  const contentHash = content ? hash('sha256', content) : null
  return {
    id: recordId(syncId, r.externalId),
    externalId: r.externalId,
    name: r.name ?? null,
    mimeType: r.mimeType ?? null,
    size: content ? content.length : null,
    data: r.data,
    contentHash,
    content: content ? content.toString('base64') : null,
    // One-shot hash(): a Hash object per record cost a page of 1,000 about 1 ms (bench/sync).
    hash: hash(
      'sha256',
      stableStringify([r.data, r.name ?? null, r.mimeType ?? null, contentHash])!,
    ),
  }
}

/** Identifies a page by what it carries (records by their hashes), whatever the JSON spacing or key order. */
function hashPage(records: PreparedRecord[], errors: RecordErrorIn[]): string {
  const digest = createHash('sha256')
  for (const r of records) digest.update(`${JSON.stringify(r.externalId)}:${r.hash}\n`)
  digest.update(JSON.stringify(errors))
  return digest.digest('hex')
}
