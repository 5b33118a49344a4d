import type { DestinationRow } from '../../destinations/index.ts'
import { shownUrl } from '../../destinations/index.ts'
import { newId } from '../../ids.ts'
import type { Db } from '../../store/index.ts'
import type { Mailer } from '../smtp.ts'
import { addTimelineEntry, settleNotice, takeDueNotices, type DueNotice } from './timeline-store.ts'

/*
 * A destination's contact address hears when it pauses and when it recovers. The transition
 * that pauses or resumes it owes the email on its timeline entry (`contact_due_at`), in its own
 * transaction; the email goes after the commit (never network I/O inside a transaction), from
 * that durable entry: right away by the caller of `changeState`, or by the prober's sweep when
 * the process died in between.
 */

/** What a contact email reports. */
export type ContactNotice =
  | { kind: 'paused'; reason: string; held: number; firstProbeAt: Date }
  | { kind: 'resumed'; released: number; pausedSince: Date | null }

// How long a sender may take before the sweep sends the email again.
const leaseMs = 10 * 60_000

/**
 * Sends the emails due (`ids`: those entries only), then logs each outcome on the timeline.
 * Never throws for SMTP faults: the timeline shows a failed notice instead, and it is not retried.
 * @returns how many it sent or tried
 * @example await sendContactNotices({ db, mailer, now }, { ids: [transition.noticeId] })
 */
export async function sendContactNotices(
  deps: { db: Db; mailer: Mailer; now: () => Date },
  which: { ids: readonly string[] } | { limit: number },
): Promise<number> {
  const now = deps.now()
  const due = await takeDueNotices(deps.db.kysely, {
    now,
    leaseUntil: new Date(now.getTime() + leaseMs),
    ids: 'ids' in which ? which.ids : null,
    limit: 'ids' in which ? which.ids.length : which.limit,
  })
  for (const entry of due) await sendOne(deps, entry)
  return due.length
}

async function sendOne(deps: { db: Db; mailer: Mailer; now: () => Date }, entry: DueNotice) {
  const notice = noticeOf(entry)
  if (entry.contact_email && notice) {
    const row = { ...entry, id: entry.destination_id }
    const { subject, text } = contactMessage(row, notice)
    const record = await deps.mailer.send(
      { id: newId(), to: [entry.contact_email], subject, text, html: `<pre>${escape(text)}</pre>` },
      { timeoutMs: 15_000 },
    )
    const sent = record.outcome.kind === 'delivered'
    const why = record.outcome.kind === 'failed' ? record.outcome.message : 'refused'
    await addTimelineEntry(deps.db.kysely, {
      destinationId: entry.destination_id,
      at: deps.now(),
      kind: 'contact_notified',
      message: sent
        ? `Emailed ${entry.contact_email}: ${subject}`
        : `Could not email ${entry.contact_email}: ${why}`,
      details: { to: entry.contact_email, notice: notice.kind, sent },
    })
  }
  await settleNotice(deps.db.kysely, entry.id)
}

/** The notice a `paused` or `resumed` entry owes, from the details its transition wrote. */
function noticeOf(entry: DueNotice): ContactNotice | null {
  const d = entry.details
  const date = (value: unknown) => (typeof value === 'string' ? new Date(value) : null)
  if (entry.kind === 'paused')
    return {
      kind: 'paused',
      reason: String(d['reason']),
      held: Number(d['held']),
      firstProbeAt: date(d['firstProbeAt']) ?? entry.at,
    }
  if (entry.kind === 'resumed')
    return { kind: 'resumed', released: Number(d['released']), pausedSince: date(d['pausedSince']) }
  return null
}

/** The subject and text of a notice, with the counts an operator acts on. */
export function contactMessage(
  row: Pick<DestinationRow, 'id' | 'name' | 'url' | 'preset'>,
  notice: ContactNotice,
): { subject: string; text: string } {
  const label = row.name ?? shownUrl(row) ?? row.id
  if (notice.kind === 'paused')
    return {
      subject: `Webhook deliveries to ${label} are paused`,
      text: [
        `Deliveries to ${label} kept failing, so Switchyard paused them.`,
        `Reason: ${notice.reason}`,
        `Deliveries held (none are dropped): ${notice.held}`,
        `A test event probes the endpoint from ${notice.firstProbeAt.toISOString()}, every 15 minutes`,
        'at first, then hourly. The first 2xx resumes it and sends everything held, oldest first.',
        `Destination: ${row.id}`,
      ].join('\n'),
    }
  const since = notice.pausedSince ? ` (paused since ${notice.pausedSince.toISOString()})` : ''
  return {
    subject: `Webhook deliveries to ${label} resumed`,
    text: [
      `${label} answered a probe with a 2xx, so Switchyard resumed it${since}.`,
      `Held deliveries now being sent, oldest first: ${notice.released}`,
      `Destination: ${row.id}`,
    ].join('\n'),
  }
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
