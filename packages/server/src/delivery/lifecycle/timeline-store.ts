import type { DestinationRow } from '../../destinations/index.ts'
import { newId } from '../../ids.ts'
import { query, type Queryable, sql } from '../../store/index.ts'
import type { TimelineKind } from './states.ts'

/** The only file that names the destination_timeline table. */

export interface TimelineRow {
  id: string
  destination_id: string
  at: Date
  kind: TimelineKind
  message: string
  details: Record<string, unknown>
}

/**
 * Appends to a destination's timeline. `contactDueAt` marks the entry as owing the
 * destination's contact an email (sent after the commit, see takeDueNotices).
 * @returns the entry's id
 */
export async function addTimelineEntry(
  q: Queryable,
  e: {
    destinationId: string
    at: Date
    kind: TimelineKind
    message: string
    details?: Record<string, unknown>
    contactDueAt?: Date | null
  },
): Promise<string> {
  const id = newId()
  await query(
    q,
    sql`
    insert into destination_timeline (id, destination_id, at, kind, message, details, contact_due_at)
    values (${id}, ${e.destinationId}, ${e.at.toISOString()}::timestamptz, ${e.kind},
            ${e.message}, ${JSON.stringify(e.details ?? {})}::jsonb,
            ${e.contactDueAt?.toISOString() ?? null}::timestamptz)`,
  )
  return id
}

/** Newest first; `before` is the last id of the previous page. */
export async function listTimeline(
  q: Queryable,
  destinationId: string,
  page: { before: string | null; limit: number },
): Promise<TimelineRow[]> {
  return query<TimelineRow>(
    q,
    sql`
    select id, destination_id, at, kind, message, details from destination_timeline
    where destination_id = ${destinationId}
      and (${page.before}::uuid is null or id < ${page.before}::uuid)
    order by id desc limit ${page.limit}`,
  )
}

/** A timeline entry owing an email, with the destination fields the email names. */
export type DueNotice = TimelineRow &
  Pick<DestinationRow, 'name' | 'url' | 'preset' | 'contact_email'>

/**
 * Takes the entries whose email is due (`ids`: only those), leasing each until `leaseUntil` so
 * the sweep and the sender right after the commit never both send one; a sender that dies
 * leaves it due again when the lease ends. Locks: those entries (skip locked), until the
 * statement commits.
 */
export async function takeDueNotices(
  q: Queryable,
  p: { now: Date; leaseUntil: Date; ids: readonly string[] | null; limit: number },
): Promise<DueNotice[]> {
  const ids = p.ids ? [...p.ids] : null
  return query<DueNotice>(
    q,
    sql`
    update destination_timeline t
    set contact_due_at = ${p.leaseUntil.toISOString()}::timestamptz
    from (select id from destination_timeline
          where contact_due_at <= ${p.now.toISOString()}::timestamptz
            and (${ids}::uuid[] is null or id = any(${ids}::uuid[]))
          order by contact_due_at limit ${p.limit}
          for update skip locked) due,
         destinations d
    where t.id = due.id and d.id = t.destination_id
    returning t.id, t.destination_id, t.at, t.kind, t.message, t.details,
              d.name, d.url, d.preset, d.contact_email`,
  )
}

/** The entry's email went out (or failed for good): no longer owed. */
export async function settleNotice(q: Queryable, id: string): Promise<void> {
  await query(q, sql`update destination_timeline set contact_due_at = null where id = ${id}`)
}
