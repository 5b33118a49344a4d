import type { DeliverySettings } from '../../projects/index.ts'
import type { Finished } from '../complete-batch.ts'
import type { Cause } from './states.ts'
import type { FailureStreak } from './state-store.ts'

const dayMs = 24 * 3600 * 1000

/**
 * The auto-disable rule: at least `minConsecutiveFailures` failed attempts in a row, the first
 * of them at least `afterDays` ago. Both must hold: a burst of failures in one bad hour is not
 * enough, and neither is one failure a week. When it holds the destination pauses (states.ts).
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

/** The reason the API shows for an auto-paused destination. */
export function autoDisableReason(streak: FailureStreak): string {
  return (
    `${streak.consecutive_failures} attempts in a row failed since ` +
    `${streak.failing_since?.toISOString() ?? 'unknown'}`
  )
}

/** A destination a written batch stops, and why. */
export interface StopTarget {
  destinationId: string
  projectId: string
  /** gone: a 410 Gone disables at once; failing: the rule pauses, and probes bring it back. */
  cause: Extract<Cause, { kind: 'gone' | 'failing' }>
}

/**
 * The destinations a written batch stops: a 410 Gone disables at once, the rule (with the
 * project's settings) pauses (streaks come back from the same write, so they count every worker).
 */
export function stopTargets(
  batch: readonly Finished[],
  streaks: readonly FailureStreak[],
  now: Date,
): StopTarget[] {
  const targets = new Map<string, StopTarget>()
  for (const { claimed, state } of batch) {
    if (!state.disableReason) continue
    const { destination_id: destinationId, project_id: projectId } = claimed
    const cause = { kind: 'gone', reason: state.disableReason } as const
    targets.set(destinationId, { destinationId, projectId, cause })
  }
  const rules = new Map(batch.map((f) => [f.claimed.destination_id, f.settings.autoDisable]))
  for (const streak of streaks) {
    const rule = rules.get(streak.id)
    if (!streak.enabled || targets.has(streak.id) || !rule) continue
    if (!shouldAutoDisable(streak, rule, now)) continue
    const cause = { kind: 'failing', reason: autoDisableReason(streak) } as const
    targets.set(streak.id, { destinationId: streak.id, projectId: streak.project_id, cause })
  }
  return [...targets.values()]
}
