import {
  addTimelineEntry,
  disableDestination,
  shownUrl,
  type DestinationRow,
  type FailureStreak,
} from '../destinations/index.ts'
import type { Publisher } from '../events/index.ts'
import type { DeliverySettings } from '../projects/index.ts'
import { withTransaction, type Db } from '../store/index.ts'
import type { Finished } from './complete-batch.ts'
import { holdPending } from './store.ts'

const dayMs = 24 * 3600 * 1000

/**
 * The auto-disable rule: at least `minConsecutiveFailures` failed attempts in a row, the first
 * of them at least `afterDays` ago. Both must hold: a burst of failures in one bad hour is not
 * enough, and neither is one failure a week.
 * @example shouldAutoDisable({ consecutive_failures: 20, failing_since: sixDaysAgo }, rule, now) // true
 */
export function shouldAutoDisable(
  streak: Pick<FailureStreak, 'consecutive_failures' | 'failing_since'>,
  rule: DeliverySettings['autoDisable'],
  now: Date,
): boolean {
  if (streak.failing_since === null) return false
  const failingForMs = now.getTime() - streak.failing_since.getTime()
  return (
    streak.consecutive_failures >= rule.minConsecutiveFailures &&
    failingForMs >= rule.afterDays * dayMs
  )
}

/** The reason the API shows for an auto-disabled destination. */
export function autoDisableReason(streak: FailureStreak): string {
  return (
    `${streak.consecutive_failures} attempts in a row failed since ` +
    `${streak.failing_since?.toISOString() ?? 'unknown'}`
  )
}

export interface DisableTarget {
  destinationId: string
  projectId: string
  url: string | null
  reason: string
  /** disable: a 410 Gone, for a human to decide; pause: the failure rule, probed back to health. */
  action: 'disable' | 'pause'
}

/**
 * The destinations a written batch stops: a 410 Gone disables at once, the rule (with the
 * project's settings) pauses (streaks come back from the same write, so they count every worker).
 */
export function disableTargets(
  batch: readonly Finished[],
  streaks: readonly FailureStreak[],
  now: Date,
): DisableTarget[] {
  const targets = new Map<string, DisableTarget>()
  for (const { claimed, state } of batch) {
    if (!state.disableReason) continue
    const { destination_id: id, project_id: projectId, url } = claimed
    const reason = state.disableReason
    targets.set(id, { destinationId: id, projectId, url, reason, action: 'disable' })
  }
  const rules = new Map(batch.map((f) => [f.claimed.destination_id, f.settings.autoDisable]))
  for (const streak of streaks) {
    const rule = rules.get(streak.id)
    if (!streak.enabled || targets.has(streak.id) || !rule) continue
    if (!shouldAutoDisable(streak, rule, now)) continue
    const { id, project_id: projectId, url } = streak
    const reason = autoDisableReason(streak)
    targets.set(id, { destinationId: id, projectId, url, reason, action: 'pause' })
  }
  return [...targets.values()]
}

/**
 * Disables a destination and holds its pending deliveries (one transaction), then tells the
 * project's other destinations with a `destination.disabled` event. When another worker
 * disabled it first, does nothing, so the event goes out once.
 * @returns whether this call disabled it
 */
export async function disableAndAnnounce(
  deps: { db: Db; now: () => Date; publisher: Publisher },
  target: DisableTarget,
): Promise<boolean> {
  const now = deps.now()
  const disabled = await withTransaction(deps.db.kysely, async (tx) => {
    const row = await disableDestination(tx, target.destinationId, target.reason, now)
    if (!row) return null
    const held = await holdPending(tx, target.destinationId, now)
    await addTimelineEntry(tx, {
      destinationId: row.id,
      at: now,
      kind: 'disabled',
      message: `Disabled: ${target.reason}. ${held} pending deliveries held.`,
      details: { reason: target.reason, held },
    })
    return row
  })
  if (!disabled) return false
  await announceDisabled(deps, target, disabled)
  return true
}

/** Tells the project's other destinations that this one stopped getting events. */
export async function announceDisabled(
  deps: { db: Db; publisher: Publisher },
  target: DisableTarget,
  row: DestinationRow,
): Promise<void> {
  // The URL as reads show it: a Slack preset's URL is a secret the event must not carry.
  const url = shownUrl(row)
  const data = {
    destinationId: target.destinationId,
    reason: target.reason,
    ...(url ? { url } : {}),
  }
  await deps.publisher.publish(
    deps.db.kysely,
    target.projectId,
    [{ type: 'destination.disabled', data }],
    { excludeDestinationIds: [target.destinationId] },
  )
}
