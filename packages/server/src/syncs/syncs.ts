import { apiError } from '../errors.ts'
import { newId } from '../ids.ts'
import { withTransaction, type Queryable } from '../store/index.ts'
import type { ConnectorRegistry } from './connectors/index.ts'
import { countRecords } from './record-store.ts'
import { finishRuns, insertSync, lockSync, runTotals, updateSync, type SyncScope } from './store.ts'
import type { SyncRow } from './types.ts'

/** `POST /v1/syncs` as the API takes it (userId already resolved from key or token). */
export interface SyncIn {
  integration: string
  pipeline: string
  userId: string
  credentialId?: string
  configuration?: Record<string, unknown>
  configurationName?: string
  schedule?: { incrementalEverySeconds?: number; fullEverySeconds?: number }
}

/** The scheduler's defaults (Paragon's): an incremental run every minute, a full run every day. */
export const defaultSchedule = { incrementalEverySeconds: 60, fullEverySeconds: 24 * 3600 }

/**
 * Creates a sync in INITIALIZING, due now. A built-in connector's integration has its
 * configuration checked first.
 * @example await createSync(db.kysely, connectors, { projectId, sync: { integration: 'filesystem', … }, now })
 */
export async function createSync(
  q: Queryable,
  connectors: ConnectorRegistry,
  input: { projectId: string; sync: SyncIn; now: Date },
): Promise<SyncRow> {
  const { sync, now } = input
  const configuration = sync.configuration ?? {}
  const connector = connectors.get(sync.integration)
  if (connector) {
    if (!connector.pipelines.includes(sync.pipeline))
      throw apiError('validation_failed', undefined, [
        { path: '/pipeline', message: `must be one of ${connector.pipelines.join(', ')}` },
      ])
    const problems = await connector.checkConfiguration(configuration)
    if (problems.length > 0) throw apiError('validation_failed', undefined, problems)
  }
  return insertSync(q, {
    id: newId(),
    projectId: input.projectId,
    userId: sync.userId,
    credentialId: sync.credentialId ?? null,
    integration: sync.integration,
    pipeline: sync.pipeline,
    configuration,
    configurationName: sync.configurationName ?? null,
    incrementalEverySeconds:
      sync.schedule?.incrementalEverySeconds ?? defaultSchedule.incrementalEverySeconds,
    fullEverySeconds: sync.schedule?.fullEverySeconds ?? defaultSchedule.fullEverySeconds,
    nextRunAt: now,
    now,
  })
}

/** Pauses a sync: DISABLED, open runs cancelled, nothing scheduled. Disabling twice is a no-op. */
export async function disableSync(q: Queryable, syncId: string, now: Date): Promise<SyncRow> {
  return withTransaction(q, async (tx) => {
    const sync = await lockSync(tx, syncId)
    if (!sync) throw apiError('not_found', `No sync ${syncId} in this project.`)
    if (sync.status === 'DISABLED') return sync
    await finishRuns(tx, { syncId, runId: null, status: 'cancelled', now })
    return updateSync(tx, syncId, { status: 'DISABLED', nextRunAt: null }, now)
  })
}

/**
 * Resumes a DISABLED or ERRORED sync: the error is cleared and a run is due now (INITIAL again
 * if the first one never completed). Re-enabling a running sync is a no-op.
 */
export async function reenableSync(q: Queryable, syncId: string, now: Date): Promise<SyncRow> {
  return withTransaction(q, async (tx) => {
    const sync = await lockSync(tx, syncId)
    if (!sync) throw apiError('not_found', `No sync ${syncId} in this project.`)
    if (sync.status !== 'DISABLED' && sync.status !== 'ERRORED') return sync
    const status = sync.initial_completed_at ? 'IDLE' : 'INITIALIZING'
    return updateSync(
      tx,
      syncId,
      { status, error: null, transientFailures: 0, nextRunAt: now },
      now,
    )
  })
}

/** The summary `GET /v1/syncs/:id` shows. */
export interface SyncSummary {
  totalRecords: number
  syncedRecordsCount: number
  lastSyncedAt: string | null
  latestCursor: string | null
}

/**
 * `totalRecords`: live records. `syncedRecordsCount`: records the latest run received so far
 * (progress while it runs).
 */
export async function syncSummary(q: Queryable, sync: SyncRow): Promise<SyncSummary> {
  const [counts, totals] = await Promise.all([
    countRecords(q, sync.id, 0),
    runTotals(q, { syncId: sync.id, runId: null }),
  ])
  return {
    totalRecords: counts.active,
    syncedRecordsCount: totals.created + totals.updated + totals.unchanged,
    lastSyncedAt: sync.last_synced_at?.toISOString() ?? null,
    latestCursor: sync.latest_cursor,
  }
}

export type { SyncScope }
