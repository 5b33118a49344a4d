import { type Queryable, type Tx } from '../store/index.ts'
import type { Logger } from 'pino'
import type { EventIn, Publisher } from '../events/index.ts'
import { newId } from '../ids.ts'
import {
  deleteEventBatch,
  insertEventBatch,
  pendingEventBatches,
  type EventBatchRow,
} from './store.ts'
import { eventContext, type SyncRow } from './types.ts'

/** What publishing sync events needs: the publisher, the clock, a log for failures. */
export interface SyncEventDeps {
  publisher: Publisher
  now: () => Date
  log?: Logger
}

// A FULL run can tombstone many records; each outbox batch becomes one publish statement.
const maxEventsPerBatch = 1000

/**
 * Builds a canonical event about a sync: the sync's user, credential and integration go on the
 * event, so the managed-sync envelope renders `sync`, `credentialId` and `user.id`.
 * @example syncEvent(sync, 'record.created', { recordId, externalId }, now)
 */
export function syncEvent(
  sync: SyncRow,
  type: string,
  data: Record<string, unknown>,
  now: Date,
): EventIn {
  return {
    type,
    ...eventContext(sync),
    occurredAt: now.toISOString(),
    data: { syncId: sync.id, model: sync.pipeline, ...data },
  }
}

/**
 * Writes events to the outbox inside the caller's transaction (with the record changes they
 * report), in batches of up to 1,000.
 * @returns the batches, for `publishAfterCommit` once the transaction committed
 */
export async function stageEvents(
  tx: Tx,
  sync: SyncRow,
  events: EventIn[],
  now: Date,
): Promise<EventBatchRow[]> {
  const staged: EventBatchRow[] = []
  for (let i = 0; i < events.length; i += maxEventsPerBatch) {
    const batch = { id: newId(), project_id: sync.project_id, sync_id: sync.id }
    const slice = events.slice(i, i + maxEventsPerBatch)
    await insertEventBatch(tx, {
      id: batch.id,
      projectId: batch.project_id,
      syncId: batch.sync_id,
      events: slice,
      now,
    })
    staged.push({ ...batch, events: slice })
  }
  return staged
}

/**
 * Publishes outbox batches (stored and fanned out to destinations in one statement), then
 * drops them. The batch id is the publish key, so a batch published twice (a crash between
 * publish and delete, or two publishers) is stored once. A
 * batch that fails stays in the outbox for the scheduler's sweep and does not hold up the rest.
 * @returns how many batches were published
 */
export async function publishEventBatches(
  q: Queryable,
  deps: SyncEventDeps,
  which: { ids: string[] } | { createdBefore: Date },
): Promise<number> {
  const batches = await pendingEventBatches(q, {
    ids: 'ids' in which ? which.ids : null,
    createdBefore: 'createdBefore' in which ? which.createdBefore : null,
    limit: 'ids' in which ? which.ids.length : 100,
  })
  let published = 0
  for (const batch of batches) {
    try {
      await publishBatch(q, deps, batch)
      published++
    } catch (err) {
      deps.log?.warn({ err, batchId: batch.id }, 'publishing sync events failed; the sweep retries')
    }
  }
  return published
}

async function publishBatch(
  q: Queryable,
  deps: SyncEventDeps,
  batch: EventBatchRow,
  fresh = false,
) {
  // A batch just staged was never published: the replay lookup is skipped, and a publisher that
  // raced it (the sweep) still ends in the unique-key replay.
  await deps.publisher.publish(q, batch.project_id, batch.events as EventIn[], {
    key: `sync-events:${batch.id}`,
    fresh,
  })
  await deleteEventBatch(q, batch.id)
}

/**
 * Publishes what a transaction staged, right after it committed, from memory. A batch that
 * fails stays in the outbox for the scheduler's sweep.
 */
export async function publishAfterCommit(
  q: Queryable,
  deps: SyncEventDeps,
  staged: EventBatchRow[],
): Promise<void> {
  for (const batch of staged) {
    await publishBatch(q, deps, batch, true).catch((err: unknown) =>
      deps.log?.warn(
        { err, batchId: batch.id },
        'publishing sync events failed; the sweep retries',
      ),
    )
  }
}
