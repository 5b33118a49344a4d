/*
 * A destination's runtime state and every way it changes. Configuration (URL, format, filter,
 * limits…) belongs to src/destinations; what happens to a destination while it delivers belongs
 * here: enabled, paused or disabled, why and since when, its failure streak, its probes, its
 * held deliveries and its timeline. `transition` (transition.ts) is the only way the state
 * changes, and state-store.ts the only file that writes its columns.
 *
 * States (derived from the row: `enabled`, and `paused_at` when not enabled):
 * - enabled: claimed and sent; new deliveries are pending.
 * - paused: the failure rule fired (failure-rule.ts). Deliveries are held, never dropped; a
 *   `webhook.test` probe checks it every 15, then 30, then 60 minutes (prober.ts), and the first
 *   2xx resumes it. Not the end: the contact address hears about the pause and the recovery.
 * - disabled: a 410 Gone (from a delivery or a probe) or an admin. Held until an admin enables it.
 *
 * The table. Every transition runs in one transaction: it locks the destination's row, reads
 * the state, looks the pair up here, writes the state, holds or releases the deliveries, adds
 * the timeline entry, NOTIFYs dispatchers when it released any, and publishes
 * `destination.disabled` to the project's other destinations. A pair not in the table changes
 * nothing (another worker or an admin got there first) and `transition` returns null. The
 * contact email goes after the commit, from the timeline entry that owes it (contact-email.ts).
 *
 *   from      cause          to        deliveries      timeline      announce  email
 *   enabled   admin_enable   enabled   release now     -             -         -
 *   enabled   admin_disable  disabled  hold            disabled      -         -
 *   enabled   gone           disabled  hold            disabled      yes       -
 *   enabled   failing        paused    hold            paused        yes       yes
 *   paused    admin_enable   enabled   release now     enabled       -         -
 *   paused    admin_disable  disabled  hold            disabled      -         -
 *   paused    gone           disabled  hold            disabled      yes       -
 *   paused    probe_ok       enabled   release paced   resumed       -         yes
 *   paused    probe_gone     disabled  hold            disabled      -         -
 *   paused    probe_failed   paused    -               probe_failed  -         -
 *   disabled  admin_enable   enabled   release now     enabled       -         -
 *
 * Notes on single rows: an enable forgets the failure streak (one failure cannot re-disable
 * it), and a probe's resume also forgets the adaptive concurrency limit; enabling an enabled
 * destination releases what was held while in flight and logs nothing. A paused destination's
 * `gone` is a send that was in flight when it paused. `probe_gone` announces nothing: the
 * pause did. A paused destination that stays paused moves its next probe (`takeDueProbes`
 * already did when it took the probe) and counts the failure, so the next one waits longer.
 */

export type DestinationState = 'enabled' | 'paused' | 'disabled'

/** Why a destination's state changes. */
export type Cause =
  | { kind: 'admin_enable' }
  | { kind: 'admin_disable'; reason: string }
  /** A delivery's attempt answered 410 Gone. */
  | { kind: 'gone'; reason: string }
  /** The failure rule fired (failure-rule.ts). */
  | { kind: 'failing'; reason: string }
  | { kind: 'probe_ok'; status: number | null }
  | { kind: 'probe_gone' }
  | { kind: 'probe_failed'; status: number | null; error: string }

export type TimelineKind =
  'paused' | 'probe_failed' | 'resumed' | 'disabled' | 'enabled' | 'contact_notified'

/** One row of the table. */
export interface Step {
  to: DestinationState
  deliveries: 'hold' | 'release_now' | 'release_paced' | null
  timeline: TimelineKind | null
  /** Publishes `destination.disabled` to the project's other destinations. */
  announce: boolean
  /** Owes the contact address an email, sent after the commit. */
  email: boolean
}

const step = (
  to: DestinationState,
  deliveries: Step['deliveries'],
  timeline: TimelineKind | null,
  extra: { announce?: boolean; email?: boolean } = {},
): Step => ({ to, deliveries, timeline, announce: false, email: false, ...extra })

/** The table above, as data: `transition` looks every change up here. */
export const transitions: Record<DestinationState, Partial<Record<Cause['kind'], Step>>> = {
  enabled: {
    admin_enable: step('enabled', 'release_now', null),
    admin_disable: step('disabled', 'hold', 'disabled'),
    gone: step('disabled', 'hold', 'disabled', { announce: true }),
    failing: step('paused', 'hold', 'paused', { announce: true, email: true }),
  },
  paused: {
    admin_enable: step('enabled', 'release_now', 'enabled'),
    admin_disable: step('disabled', 'hold', 'disabled'),
    gone: step('disabled', 'hold', 'disabled', { announce: true }),
    probe_ok: step('enabled', 'release_paced', 'resumed', { email: true }),
    probe_gone: step('disabled', 'hold', 'disabled'),
    probe_failed: step('paused', null, 'probe_failed'),
  },
  disabled: {
    admin_enable: step('enabled', 'release_now', 'enabled'),
  },
}

const minuteMs = 60_000

/** The wait after a probe, given the probes that failed before it: 15, 30, then 60 minutes. */
export function nextProbeDelayMs(failures: number): number {
  return Math.min(15 * 2 ** failures, 60) * minuteMs
}

/**
 * Held deliveries go out at most this many a second when a probe resumes a destination; the
 * claim's rate limit and adaptive concurrency still apply on top. An admin's enable sends
 * everything now, oldest first.
 */
export const heldReleasePerSecond = 200
