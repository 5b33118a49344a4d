import {
  addTimelineEntry,
  pauseDestinationRow,
  recordProbeFailure,
  resumePausedRow,
  signingSecrets,
  takeDueProbes,
  disableDestination,
  testTargetOf,
  openDestination,
  type DestinationRow,
} from '../destinations/index.ts'
import type { Publisher } from '../events/index.ts'
import { findProject } from '../projects/index.ts'
import { notify, withTransaction, type Db } from '../store/index.ts'
import type { SecretBox } from '../users/index.ts'
import { announceDisabled, type DisableTarget } from './auto-disable.ts'
import { notifyContact } from './contact-email.ts'
import type { AttemptDeps } from './attempt.ts'
import { sendTestEvent } from './control.ts'
import { deliveriesChannel } from './fan-out.ts'
import type { Mailer } from './smtp.ts'
import { holdPending, releaseHeld } from './store.ts'

/*
 * Paused, not dead. When the auto-disable rule fires the destination pauses instead: its
 * deliveries are held (never dropped), a `webhook.test` probe checks it every 15 minutes, then
 * every 30, then hourly (in managed-sync the bare `webhook_verification` ping that strict
 * Paragon receivers answer 200 to), and the first 2xx resumes it and releases what was held,
 * oldest first, at a bounded rate. Every step lands on the destination's timeline; its contact address hears
 * about the pause and the recovery. A 410 Gone (from a delivery or a probe) still disables.
 */

const minuteMs = 60_000

/** The wait after a probe, given the probes that failed before it: 15, 30, then 60 minutes. */
export function nextProbeDelayMs(failures: number): number {
  return Math.min(15 * 2 ** failures, 60) * minuteMs
}

/**
 * Held deliveries go out at most this many a second when a destination resumes; the claim's
 * rate limit and adaptive concurrency still apply on top.
 */
export const heldReleasePerSecond = 200

export interface PauseDeps {
  db: Db
  now: () => Date
  /** Publishes `destination.disabled` to the project's other destinations. */
  publisher: Publisher
  mailer: Mailer
  /** Opens the sealed secrets a probe signs and sends with. */
  box: SecretBox
}

/**
 * Pauses a destination and holds its pending deliveries (one transaction), logs it on the
 * timeline, tells the project's other destinations (`destination.disabled`) and the contact.
 * When another worker paused it first, does nothing.
 * @returns whether this call paused it
 */
export async function pauseAndAnnounce(deps: PauseDeps, target: DisableTarget): Promise<boolean> {
  const now = deps.now()
  const firstProbeAt = new Date(now.getTime() + nextProbeDelayMs(0))
  const reason = `${target.reason}; paused, probing from ${firstProbeAt.toISOString()}`
  const paused = await withTransaction(deps.db.kysely, async (tx) => {
    const row = await pauseDestinationRow(tx, {
      id: target.destinationId,
      reason,
      now,
      firstProbeAt,
    })
    if (!row) return null
    const held = await holdPending(tx, target.destinationId, now)
    await addTimelineEntry(tx, {
      destinationId: row.id,
      at: now,
      kind: 'paused',
      message: `Paused: ${target.reason}. ${held} pending deliveries held.`,
      details: { reason: target.reason, held, firstProbeAt: firstProbeAt.toISOString() },
    })
    return { row, held }
  })
  if (!paused) return false
  await announceDisabled(deps, { ...target, reason }, paused.row)
  await notifyContact({ q: deps.db.kysely, mailer: deps.mailer, now: deps.now }, paused.row, {
    kind: 'paused',
    reason: target.reason,
    held: paused.held,
    firstProbeAt,
  })
  return true
}

export type ProbeResult =
  | { destinationId: string; projectId: string; outcome: 'resumed'; released: number }
  | { destinationId: string; projectId: string; outcome: 'failed'; error: string }
  | { destinationId: string; projectId: string; outcome: 'disabled' }

/**
 * Probes the paused destinations whose probe is due (at most `limit`), one `webhook.test` each.
 * Safe to run on every worker: each due probe is taken by one (see takeDueProbes).
 * @example const results = await probePaused({ db, now, sender, mailer, publicUrl })
 */
export async function probePaused(
  deps: PauseDeps & AttemptDeps,
  limit = 20,
): Promise<ProbeResult[]> {
  const due = await takeDueProbes(deps.db.kysely, { now: deps.now(), limit, nextProbeDelayMs })
  return Promise.all(due.map((row) => probeOne(deps, row)))
}

async function probeOne(deps: PauseDeps & AttemptDeps, row: DestinationRow): Promise<ProbeResult> {
  const ids = { destinationId: row.id, projectId: row.project_id }
  const project = await findProject(deps.db.kysely, row.project_id)
  const opened = await openDestination(deps.box, row.id, row)
  const target = testTargetOf(opened, signingSecrets(opened, deps.now()))
  const result = await sendTestEvent(deps, target, {
    id: row.project_id,
    name: project?.name ?? '',
  })
  if (result.outcome === 'delivered') {
    const released = await resume(deps, row, result.status)
    return { ...ids, outcome: 'resumed', released }
  }
  if (result.outcome === 'gone') {
    await disableGone(deps, row)
    return { ...ids, outcome: 'disabled' }
  }
  const error = result.errorMessage ?? `HTTP ${result.status}`
  await withTransaction(deps.db.kysely, async (tx) => {
    await recordProbeFailure(tx, row.id)
    await addTimelineEntry(tx, {
      destinationId: row.id,
      at: deps.now(),
      kind: 'probe_failed',
      message: `Probe failed: ${error}. Next probe at ${row.next_probe_at?.toISOString()}.`,
      details: { status: result.status, error, nextProbeAt: row.next_probe_at?.toISOString() },
    })
  })
  return { ...ids, outcome: 'failed', error }
}

async function resume(
  deps: PauseDeps,
  row: DestinationRow,
  status: number | null,
): Promise<number> {
  const now = deps.now()
  const released = await withTransaction(deps.db.kysely, async (tx) => {
    const resumed = await resumePausedRow(tx, row.id, now)
    if (!resumed) return null
    const perSecond = heldReleasePerSecond
    const count = await releaseHeld(tx, { destinationId: row.id, now, perSecond })
    await addTimelineEntry(tx, {
      destinationId: row.id,
      at: now,
      kind: 'resumed',
      message: `Probe answered ${status}: resumed, ${count} held deliveries released oldest first.`,
      details: { status, released: count, perSecond },
    })
    if (count > 0) await notify(tx, deliveriesChannel)
    return count
  })
  if (released === null) return 0
  await notifyContact({ q: deps.db.kysely, mailer: deps.mailer, now: deps.now }, row, {
    kind: 'resumed',
    released,
    pausedSince: row.paused_at,
  })
  return released
}

async function disableGone(deps: PauseDeps, row: DestinationRow): Promise<void> {
  const reason = 'the receiver answered 410 Gone to a probe'
  await withTransaction(deps.db.kysely, async (tx) => {
    if (!(await disableDestination(tx, row.id, reason, deps.now()))) return
    await addTimelineEntry(tx, {
      destinationId: row.id,
      at: deps.now(),
      kind: 'disabled',
      message: `Disabled: ${reason}.`,
      details: { reason },
    })
  })
}
