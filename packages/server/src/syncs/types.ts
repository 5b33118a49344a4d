/**
 * Terminology:
 * - sync: one connected user's pipeline (`files`, `contacts`…) from one integration, bound to a
 *   credential. Status: `INITIALIZING` (no run finished its initial pass yet), `ACTIVE` (a run is
 *   open), `IDLE` (between runs), `DISABLED` (paused by the API), `ERRORED` (a permanent failure;
 *   stays until re-enabled).
 * - run: one pass of a worker or built-in connector over the source. `INITIAL` loads everything
 *   and reports one `sync.completed`; `INCREMENTAL` pushes what changed since a cursor; `FULL`
 *   pushes everything and tombstones what it did not see. Status: `running`, `completed`,
 *   `failed`, `cancelled` (the sync was disabled, errored or a stale run was superseded).
 * - page: up to 1,000 record snapshots (and per-record errors) pushed into a run.
 * - record: the latest snapshot of one source object, keyed by UUIDv5(sync id, external id).
 *   Created / updated / unchanged is decided by the database from a content hash. A deleted
 *   record stays as a sparse tombstone (`id`, `external_id`, `deleted: true`).
 * - change number (`seq`): every created, updated or deleted record gets the sync's next one; the
 *   read API pages in that order, so its cursor is a position in the change feed.
 */

export const syncStatuses = ['INITIALIZING', 'ACTIVE', 'IDLE', 'DISABLED', 'ERRORED'] as const
export type SyncStatus = (typeof syncStatuses)[number]

export const runTypes = ['INITIAL', 'INCREMENTAL', 'FULL'] as const
export type RunType = (typeof runTypes)[number]

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled'

export interface SyncRow {
  id: string
  project_id: string
  user_id: string
  credential_id: string | null
  integration: string
  pipeline: string
  configuration: Record<string, unknown>
  configuration_name: string | null
  status: SyncStatus
  error: { code: string; message: string } | null
  initial_completed_at: Date | null
  last_synced_at: Date | null
  last_full_at: Date | null
  latest_cursor: string | null
  record_seq: number
  incremental_every_seconds: number
  full_every_seconds: number
  next_run_at: Date | null
  transient_failures: number
  created_at: Date
  updated_at: Date
}

export interface RunRow {
  id: string
  sync_id: string
  type: RunType
  status: RunStatus
  started_at: Date
  touched_at: Date
  finished_at: Date | null
  cursor: string | null
  error: { code: string; message: string } | null
}

export interface RecordRow {
  id: string
  sync_id: string
  external_id: string
  seq: number
  deleted: boolean
  name: string | null
  mime_type: string | null
  size: number | null
  data: Record<string, unknown> | null
  synced_at: Date
}

/** A record snapshot as a page carries it, content already decoded. */
export interface RecordIn {
  externalId: string
  data: Record<string, unknown>
  name?: string
  mimeType?: string
  content?: Buffer
}

/** A per-record failure a worker reports; the run goes on. */
export interface RecordErrorIn {
  externalId?: string
  code?: string
  message: string
}

/** What one page did; `replayed` when the same page had been received before. */
export interface PageResult {
  created: number
  updated: number
  unchanged: number
  errored: number
  replayed: boolean
}

/** Who the sync's events are about (the managed-sync envelope's sync, user and credential). */
export function eventContext(sync: SyncRow) {
  return {
    userId: sync.user_id,
    integration: sync.integration,
    ...(sync.credential_id ? { credentialId: sync.credential_id } : {}),
  }
}
