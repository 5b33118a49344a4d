import type { Queryable } from '../store/index.ts'
import { newId } from '../ids.ts'
import { addTimelineEntry, shownUrl, type DestinationRow } from '../destinations/index.ts'
import type { Mailer } from './smtp.ts'

/** What a contact email reports. */
export type ContactNotice =
  | { kind: 'paused'; reason: string; held: number; firstProbeAt: Date }
  | { kind: 'resumed'; released: number; pausedSince: Date | null }

/**
 * Tells a destination's contact address that it paused or recovered, and logs the outcome on
 * its timeline. Does nothing without a contact address. Never throws for SMTP faults: the
 * timeline shows a failed notice instead.
 * @example await notifyContact({ db, mailer, now }, row, { kind: 'resumed', released: 12, pausedSince })
 */
export async function notifyContact(
  deps: { q: Queryable; mailer: Mailer; now: () => Date },
  row: Pick<DestinationRow, 'id' | 'name' | 'url' | 'preset' | 'contact_email'>,
  notice: ContactNotice,
): Promise<void> {
  if (!row.contact_email) return
  const { subject, text } = contactMessage(row, notice)
  const record = await deps.mailer.send(
    { id: newId(), to: [row.contact_email], subject, text, html: `<pre>${escape(text)}</pre>` },
    { timeoutMs: 15_000 },
  )
  const sent = record.outcome.kind === 'delivered'
  await addTimelineEntry(deps.q, {
    destinationId: row.id,
    at: deps.now(),
    kind: 'contact_notified',
    message: sent
      ? `Emailed ${row.contact_email}: ${subject}`
      : `Could not email ${row.contact_email}: ${record.outcome.kind === 'failed' ? record.outcome.message : 'refused'}`,
    details: { to: row.contact_email, notice: notice.kind, sent },
  })
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
