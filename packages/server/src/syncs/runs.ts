import { apiError } from '../errors.ts'
import { newId } from '../ids.ts'
import { withTransaction, type Queryable, type Tx } from '../store/index.ts'
import { classifyFailure, retryDelayMs, type FailureClass } from './error-codes.ts'
import { countRecords, tombstoneUnseen } from './record-store.ts'
import {
  finishRuns,
  findOpenRun,
  findRun,
  insertRun,
  lockSync,
  updateSync,
  type SyncPatch,
} from './store.ts'
import { publishAfterCommit, stageEvents, syncEvent, type SyncEventDeps } from './sync-events.ts'
import type { RunRow, RunType, SyncRow } from './types.ts'

/** An open run nobody pushed to for this long is cancelled when a new run starts. */
export const staleRunMs = 3600_000

/**
 * Locks the sync and reads the run, which must still be running.
 * @throws not_found, or sync_run_finished for a completed, failed or cancelled run
 */
export async function lockRunningRun(
  tx: Tx,
  syncId: string,
  runId: string,
): Promise<{ sync: SyncRow; run: RunRow }> {
  const sync = await lockSync(tx, syncId)
  const run = sync ? await findRun(tx, syncId, runId) : null
  if (!sync || !run) throw apiError('not_found', `No run ${runId} in sync ${syncId}.`)
  if (run.status !== 'running')
    throw apiError('sync_run_finished', `Run ${runId} is already ${run.status}; start a new run.`)
  return { sync, run }
}

/**
 * Opens a run. INITIAL only until one completed; INCREMENTAL and FULL only after. One open run
 * per sync: a run untouched for `staleRunMs` (its worker died) is cancelled to make room.
 * @example const run = await startRun(db.kysely, { syncId, type: 'INITIAL', now: new Date() })
 */
export async function startRun(
  q: Queryable,
  input: { syncId: string; type: RunType; now: Date },
): Promise<RunRow> {
  const { syncId, type, now } = input
  return withTransaction(q, async (tx) => {
    const sync = await lockSync(tx, syncId)
    if (!sync) throw apiError('not_found', `No sync ${syncId} in this project.`)
    checkRunnable(sync, type)
    const open = await findOpenRun(tx, syncId)
    if (open && now.getTime() - open.touched_at.getTime() < staleRunMs)
      throw apiError('sync_run_in_progress', `Run ${open.id} of this sync is still open.`, {
        runId: open.id,
      })
    if (open) await finishRuns(tx, { syncId, runId: open.id, status: 'cancelled', now })
    const run = await insertRun(tx, { id: newId(), syncId, type, now })
    await updateSync(tx, syncId, { status: 'ACTIVE' }, now)
    return run
  })
}

function checkRunnable(sync: SyncRow, type: RunType): void {
  if (sync.status === 'DISABLED' || sync.status === 'ERRORED')
    throw apiError(
      'sync_not_runnable',
      `The sync is ${sync.status}; re-enable it (POST /v1/syncs/${sync.id}/reenable) first.`,
    )
  const initialDone = sync.initial_completed_at !== null
  if (type === 'INITIAL' && initialDone)
    throw apiError(
      'sync_run_not_allowed',
      'The initial run already completed; start an INCREMENTAL or FULL run.',
    )
  if (type !== 'INITIAL' && !initialDone)
    throw apiError(
      'sync_run_not_allowed',
      `A ${type} run needs a completed INITIAL run first; start an INITIAL run.`,
    )
}

/**
 * Completes a run: a FULL run tombstones the records it did not see (`record.deleted` each), an
 * INITIAL run emits one `sync.completed` with the number of live records. The sync goes IDLE.
 */
export async function completeRun(
  q: Queryable,
  deps: SyncEventDeps,
  input: { syncId: string; runId: string; cursor: string | null },
): Promise<{ sync: SyncRow; run: RunRow }> {
  const now = deps.now()
  const { cursor } = input
  const done = await withTransaction(q, async (tx) => {
    const { sync, run } = await lockRunningRun(tx, input.syncId, input.runId)
    const events = run.type === 'FULL' ? await tombstone(tx, sync, run, now) : []
    if (run.type === 'INITIAL') {
      const { active } = await countRecords(tx, sync.id, 0)
      const completed = { syncedAt: now.toISOString(), numRecords: active }
      events.push(syncEvent(sync, 'sync.completed', completed, now))
    }
    await finishRuns(tx, { syncId: sync.id, runId: run.id, status: 'completed', now, cursor })
    const updated = await updateSync(tx, sync.id, completionPatch(sync, run, cursor, now), now)
    const batches = await stageEvents(tx, sync, events, now)
    return { sync: updated, run: (await findRun(tx, sync.id, run.id))!, batches }
  })
  await publishAfterCommit(q, deps, done.batches)
  return { sync: done.sync, run: done.run }
}

/** A completed run leaves the sync IDLE, its failures forgotten, the next run due in a period. */
function completionPatch(sync: SyncRow, run: RunRow, cursor: string | null, now: Date): SyncPatch {
  return {
    status: 'IDLE',
    lastSyncedAt: now,
    ...(cursor === null ? {} : { latestCursor: cursor }),
    ...(run.type === 'INITIAL' ? { initialCompletedAt: now } : {}),
    // An INITIAL run saw everything too: the first FULL run is due a full period after it.
    ...(run.type === 'INCREMENTAL' ? {} : { lastFullAt: now }),
    transientFailures: 0,
    nextRunAt: new Date(now.getTime() + sync.incremental_every_seconds * 1000),
  }
}

async function tombstone(tx: Tx, sync: SyncRow, run: RunRow, now: Date) {
  const seqBase = Number(sync.record_seq)
  const gone = await tombstoneUnseen(tx, { syncId: sync.id, runId: run.id, seqBase, now })
  if (gone.length > 0) await updateSync(tx, sync.id, { recordSeq: seqBase + gone.length }, now)
  return gone.map((r) =>
    syncEvent(sync, 'record.deleted', { recordId: r.id, externalId: r.external_id }, now),
  )
}

/** A worker's report of a failed run. */
export interface RunFailureIn {
  code: string
  message: string
  httpStatus?: number
  retryAfterMs?: number
}

/**
 * Fails a run. Permanent codes set the sync ERRORED and emit `sync.errored`; transient ones
 * emit nothing and schedule the next attempt with backoff (`nextRunAt`).
 */
export async function failRun(
  q: Queryable,
  deps: SyncEventDeps,
  input: { syncId: string; runId: string; failure: RunFailureIn },
): Promise<{ sync: SyncRow; run: RunRow; failure: FailureClass }> {
  const now = deps.now()
  const { code, message, httpStatus, retryAfterMs } = input.failure
  const failure = classifyFailure(code, httpStatus)
  const done = await withTransaction(q, async (tx) => {
    const { sync, run } = await lockRunningRun(tx, input.syncId, input.runId)
    const error = { code, message }
    await finishRuns(tx, { syncId: sync.id, runId: run.id, status: 'failed', now, error })
    const permanent = failure.kind === 'permanent'
    const patch: SyncPatch = permanent
      ? { status: 'ERRORED', error, nextRunAt: null }
      : retryPatch(sync, retryAfterMs, now)
    const updated = await updateSync(tx, sync.id, patch, now)
    const events = permanent ? [syncEvent(sync, 'sync.errored', error, now)] : []
    const batches = await stageEvents(tx, sync, events, now)
    return { sync: updated, run: (await findRun(tx, sync.id, run.id))!, batches }
  })
  await publishAfterCommit(q, deps, done.batches)
  return { sync: done.sync, run: done.run, failure }
}

/** A transient failure: back to waiting, due again after the backoff (or the worker's retryAfterMs). */
function retryPatch(sync: SyncRow, retryAfterMs: number | undefined, now: Date): SyncPatch {
  const failures = sync.transient_failures + 1
  return {
    status: sync.initial_completed_at ? 'IDLE' : 'INITIALIZING',
    transientFailures: failures,
    nextRunAt: new Date(now.getTime() + retryDelayMs(failures, retryAfterMs)),
  }
}
