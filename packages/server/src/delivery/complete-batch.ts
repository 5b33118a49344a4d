import { newId } from '../ids.ts'
import type { DeliverySettings } from '../projects/index.ts'
import { withTransaction, type Db } from '../store/index.ts'
import {
  lockDestinations,
  recordFailureStreaks,
  type FailureStreak,
  type FailureStreakUpdate,
} from './lifecycle/state-store.ts'
import type { NextState } from './outcome.ts'
import { writeResults, type Completion } from './store.ts'
import type { AttemptEvent, ClaimedDelivery, DeliveryStatus } from './types.ts'

/** A claimed delivery after its attempt, waiting to be written with the rest of its batch. */
export interface Finished {
  claimed: ClaimedDelivery
  completion: Completion
  state: NextState
  settings: DeliverySettings
}

/**
 * Writes a batch of results in one short transaction (no network I/O inside): destinations
 * locked in id order first (see lockDestinations), then the attempts and the deliveries' next
 * states in one statement (writeResults, which also relaxes the commit), then the destinations'
 * failure streaks.
 * @returns the deliveries whose state changed (still leased by this worker) and the streaks
 */
export async function writeCompletions(
  db: Db,
  finished: readonly Finished[],
  options: { workerId: string; now: Date },
): Promise<{ changed: Map<string, DeliveryStatus>; streaks: FailureStreak[] }> {
  const completions = finished.map((f) => f.completion)
  const destinationIds = [...new Set(completions.map((c) => c.destinationId))].sort()
  return withTransaction(db.kysely, async (tx) => {
    await lockDestinations(tx, destinationIds)
    const changed = await writeResults(tx, completions, { ...options, newId })
    const streaks = await recordFailureStreaks(tx, streakUpdates(completions))
    return { changed: new Map(changed.map((r) => [r.id, r.status])), streaks }
  })
}

/**
 * Folds a batch's attempts, in the order they finished, into one streak update per destination:
 * a success resets the streak, and only the failures after the last success count.
 */
export function streakUpdates(completions: readonly Completion[]): FailureStreakUpdate[] {
  const byDestination = new Map<string, FailureStreakUpdate>()
  for (const { destinationId, record, concurrencyLimit } of completions) {
    if (!record) continue
    const update = byDestination.get(destinationId) ?? {
      destinationId,
      reset: false,
      failures: 0,
      firstFailureAt: null,
      concurrencyLimit: null,
    }
    update.concurrencyLimit = concurrencyLimit ?? null
    if (record.outcome.kind === 'delivered') {
      Object.assign(update, { reset: true, failures: 0, firstFailureAt: null })
    } else {
      update.failures += 1
      update.firstFailureAt ??= record.startedAt
    }
    byDestination.set(destinationId, update)
  }
  return [...byDestination.values()]
}

/**
 * What the dispatcher reports for a written result. `changed` holds the rows the write moved;
 * a row missing from it had lost its lease, and reports the state this attempt asked for.
 */
export function attemptEventOf(
  { claimed, completion, state }: Finished,
  changed: ReadonlyMap<string, DeliveryStatus>,
): AttemptEvent {
  return {
    deliveryId: claimed.id,
    destinationId: claimed.destination_id,
    eventId: claimed.event_id,
    projectId: claimed.project_id,
    attempt: completion.attempt,
    destinationType: claimed.type,
    format: claimed.format,
    outcome: completion.record?.outcome ?? null,
    durationMs: completion.record?.durationMs ?? null,
    status: changed.get(claimed.id) ?? state.status,
    nextAttemptAt: state.nextAttemptAt,
  }
}
