import { destinationStatus, shownUrl, type DestinationRow } from '../../destinations/index.ts'
import type { Publisher } from '../../events/index.ts'
import { notify, withTransaction, type Db, type Tx } from '../../store/index.ts'
import { deliveriesChannel } from '../fan-out.ts'
import type { Mailer } from '../smtp.ts'
import { holdPending, releaseHeld } from '../store.ts'
import { sendContactNotices } from './contact-email.ts'
import {
  heldReleasePerSecond,
  nextProbeDelayMs,
  transitions,
  type Cause,
  type DestinationState,
  type Step,
} from './states.ts'
import {
  countProbeFailure,
  disableRow,
  enableRow,
  lockDestinationRow,
  pauseRow,
} from './state-store.ts'
import { addTimelineEntry } from './timeline-store.ts'

/** What a transition did. */
export interface Transition {
  from: DestinationState
  to: DestinationState
  /** The row as the transition left it. */
  row: DestinationRow
  /** Pending deliveries it held. */
  held: number
  /** Held deliveries it released. */
  released: number
  /** The timeline entry that owes the contact an email (sent after the commit), or null. */
  noticeId: string | null
}

/**
 * Changes a destination's state by the table in states.ts, inside `tx`: locks the row, writes
 * the next state, holds or releases its deliveries, adds the timeline entry, NOTIFYs
 * dispatchers of released deliveries (sent when `tx` commits) and publishes
 * `destination.disabled` to the project's other destinations, all in the caller's transaction.
 * @returns what it did, or null when the table has no row for the state and cause (another
 *   worker or an admin changed the state first), or the destination is gone
 * @example await withTransaction(db.kysely, (tx) => transition(tx, id, { kind: 'gone', reason }, now, { publisher }))
 */
export async function transition(
  tx: Tx,
  destinationId: string,
  cause: Cause,
  now: Date,
  deps: { publisher: Publisher },
): Promise<Transition | null> {
  const current = await lockDestinationRow(tx, destinationId)
  if (!current) return null
  const from = destinationStatus(current)
  const step = transitions[from][cause.kind]
  if (!step) return null
  const firstProbeAt = new Date(now.getTime() + nextProbeDelayMs(0))
  const row = await writeState(tx, current, cause, step, { now, firstProbeAt })
  const held = step.deliveries === 'hold' ? await holdPending(tx, destinationId, now) : 0
  const released = await release(tx, destinationId, step, now)
  if (released > 0) await notify(tx, deliveriesChannel)
  const entry = timelineEntry(cause, step, { current, row, held, released, firstProbeAt })
  const contactDueAt = step.email && row.contact_email ? now : null
  const entryId = entry
    ? await addTimelineEntry(tx, { destinationId, at: now, ...entry, contactDueAt })
    : null
  if (step.announce) await announceDisabled(tx, deps.publisher, row)
  return { from, to: step.to, row, held, released, noticeId: contactDueAt ? entryId : null }
}

/**
 * One transition in a transaction of its own, then the contact email it owes (after the
 * commit, from the timeline entry: contact-email.ts).
 * @example await changeState({ db, publisher, mailer, now }, id, { kind: 'probe_ok', status: 200 })
 */
export async function changeState(
  deps: { db: Db; publisher: Publisher; mailer: Mailer; now: () => Date },
  destinationId: string,
  cause: Cause,
): Promise<Transition | null> {
  const done = await withTransaction(deps.db.kysely, (tx) =>
    transition(tx, destinationId, cause, deps.now(), deps),
  )
  if (done?.noticeId) await sendContactNotices(deps, { ids: [done.noticeId] })
  return done
}

/** The reason a disabled or paused row keeps (and `destination.disabled` carries). */
function reasonOf(cause: Cause, firstProbeAt: Date): string {
  switch (cause.kind) {
    case 'admin_disable':
    case 'gone':
      return cause.reason
    case 'failing':
      return `${cause.reason}; paused, probing from ${firstProbeAt.toISOString()}`
    case 'probe_gone':
      return 'the receiver answered 410 Gone to a probe'
    case 'admin_enable':
    case 'probe_ok':
    case 'probe_failed':
      return ''
    default:
      return cause satisfies never
  }
}

/** Writes the table's next state: the row's columns for `step.to`, given the cause. */
async function writeState(
  tx: Tx,
  current: DestinationRow,
  cause: Cause,
  step: Step,
  at: { now: Date; firstProbeAt: Date },
): Promise<DestinationRow> {
  const { id } = current
  switch (step.to) {
    case 'enabled':
      return enableRow(tx, id, at.now, { forgetLimit: cause.kind === 'probe_ok' })
    case 'paused':
      // Still paused after a probe: only the failure counts, the next probe was moved already.
      if (destinationStatus(current) === 'paused') return countProbeFailure(tx, id)
      return pauseRow(tx, id, {
        reason: reasonOf(cause, at.firstProbeAt),
        now: at.now,
        firstProbeAt: at.firstProbeAt,
      })
    case 'disabled':
      return disableRow(tx, id, reasonOf(cause, at.firstProbeAt), at.now)
    default:
      return step.to satisfies never
  }
}

async function release(tx: Tx, destinationId: string, step: Step, now: Date): Promise<number> {
  if (step.deliveries === 'release_now')
    return releaseHeld(tx, { destinationId, now, perSecond: null })
  if (step.deliveries === 'release_paced')
    return releaseHeld(tx, { destinationId, now, perSecond: heldReleasePerSecond })
  return 0
}

/** The timeline entry of a transition: its message is built from the cause, once, here. */
function timelineEntry(
  cause: Cause,
  step: Step,
  t: {
    current: DestinationRow
    row: DestinationRow
    held: number
    released: number
    firstProbeAt: Date
  },
): {
  kind: NonNullable<Step['timeline']>
  message: string
  details: Record<string, unknown>
} | null {
  const kind = step.timeline
  if (!kind) return null
  const { held, released } = t
  switch (cause.kind) {
    case 'admin_enable':
      return {
        kind,
        message: `Enabled by an admin: ${released} held deliveries released oldest first.`,
        details: { released },
      }
    case 'admin_disable':
      return {
        kind,
        message: `Disabled by an admin: ${cause.reason}. ${held} pending deliveries held.`,
        details: { reason: cause.reason, held },
      }
    case 'gone':
    case 'probe_gone': {
      const reason = reasonOf(cause, t.firstProbeAt)
      return {
        kind,
        message: `Disabled: ${reason}. ${held} pending deliveries held.`,
        details: { reason, held },
      }
    }
    case 'failing':
      return {
        kind,
        message: `Paused: ${cause.reason}. ${held} pending deliveries held.`,
        details: { reason: cause.reason, held, firstProbeAt: t.firstProbeAt.toISOString() },
      }
    case 'probe_ok':
      return {
        kind,
        message: `Probe answered ${cause.status}: resumed, ${released} held deliveries released oldest first.`,
        details: {
          status: cause.status,
          released,
          perSecond: heldReleasePerSecond,
          pausedSince: t.current.paused_at?.toISOString() ?? null,
        },
      }
    case 'probe_failed': {
      const nextProbeAt = t.row.next_probe_at?.toISOString()
      return {
        kind,
        message: `Probe failed: ${cause.error}. Next probe at ${nextProbeAt}.`,
        details: { status: cause.status, error: cause.error, nextProbeAt },
      }
    }
    default:
      return cause satisfies never
  }
}

/**
 * Tells the project's other destinations that this one stopped getting events, in the
 * transaction that stopped it: the event commits with the state or not at all.
 */
async function announceDisabled(tx: Tx, publisher: Publisher, row: DestinationRow): Promise<void> {
  // The URL as reads show it: a Slack preset's URL is a secret the event must not carry.
  const url = shownUrl(row)
  const data = { destinationId: row.id, reason: row.disabled_reason, ...(url ? { url } : {}) }
  await publisher.publish(tx, row.project_id, [{ type: 'destination.disabled', data }], {
    excludeDestinationIds: [row.id],
  })
}
