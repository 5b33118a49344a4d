import { sql } from 'kysely'
import { newId } from '../ids.ts'
import { query, type Queryable } from '../store/index.ts'
import type { DestinationRow } from './store.ts'

/*
 * Writes of the paused state (auto-disable pauses, a probe resumes) and of the destination
 * timeline. The delivery feature drives them; the destinations table stays written only here.
 */

/**
 * Pauses an enabled destination: it stops getting sends (enabled = false, so new deliveries are
 * held), and its first probe is due at `firstProbeAt`.
 * @returns the row when this call paused it, null when it was not enabled (another worker won)
 */
export async function pauseDestinationRow(
  q: Queryable,
  p: { id: string; reason: string; now: Date; firstProbeAt: Date },
): Promise<DestinationRow | null> {
  const now = p.now.toISOString()
  const rows = await query<DestinationRow>(
    q,
    sql`
    update destinations
    set enabled = false, paused_at = ${now}::timestamptz, disabled_reason = ${p.reason},
        disabled_at = ${now}::timestamptz, next_probe_at = ${p.firstProbeAt.toISOString()}::timestamptz,
        probe_failures = 0, updated_at = ${now}::timestamptz
    where id = ${p.id} and enabled
    returning *`,
  )
  return rows[0] ?? null
}

/**
 * Takes the paused destinations whose probe is due, moving each one's next probe to
 * `nextProbeAt(probe_failures)` in the same statement, so two workers never probe one twice.
 * Locks: those rows (skip locked), until the statement commits.
 */
export async function takeDueProbes(
  q: Queryable,
  p: { now: Date; limit: number; nextProbeDelayMs: (failures: number) => number },
): Promise<DestinationRow[]> {
  // One step per possible failure count; the delay caps, so the list is short.
  const delays = Array.from({ length: 8 }, (_, n) => p.nextProbeDelayMs(n))
  const now = p.now.toISOString()
  return query<DestinationRow>(
    q,
    sql`
    update destinations d
    set next_probe_at = ${now}::timestamptz + (${delays}::int[])[least(d.probe_failures, 7) + 1]
                                              * interval '1 millisecond'
    from (select id from destinations
          where paused_at is not null and next_probe_at <= ${now}::timestamptz
          order by next_probe_at limit ${p.limit}
          for update skip locked) due
    where d.id = due.id
    returning d.*`,
  )
}

/** A probe failed: the next one waits longer (see takeDueProbes). */
export async function recordProbeFailure(q: Queryable, id: string): Promise<void> {
  await query(
    q,
    sql`update destinations set probe_failures = probe_failures + 1
        where id = ${id} and paused_at is not null`,
  )
}

/**
 * A probe got a 2xx: the destination is enabled again with a clean failure streak.
 * @returns the row when this call resumed it, null when it was no longer paused
 */
export async function resumePausedRow(
  q: Queryable,
  id: string,
  now: Date,
): Promise<DestinationRow | null> {
  const rows = await query<DestinationRow>(
    q,
    sql`
    update destinations
    set enabled = true, paused_at = null, next_probe_at = null, probe_failures = 0,
        disabled_reason = null, disabled_at = null, consecutive_failures = 0, failing_since = null,
        concurrency_limit = null, updated_at = ${now.toISOString()}::timestamptz
    where id = ${id} and paused_at is not null
    returning *`,
  )
  return rows[0] ?? null
}

export type TimelineKind =
  'paused' | 'probe_failed' | 'resumed' | 'disabled' | 'enabled' | 'contact_notified'

export interface TimelineRow {
  id: string
  destination_id: string
  at: Date
  kind: TimelineKind
  message: string
  details: Record<string, unknown>
}

/** Appends to a destination's timeline. */
export async function addTimelineEntry(
  q: Queryable,
  e: {
    destinationId: string
    at: Date
    kind: TimelineKind
    message: string
    details?: Record<string, unknown>
  },
): Promise<void> {
  await query(
    q,
    sql`
    insert into destination_timeline (id, destination_id, at, kind, message, details)
    values (${newId()}, ${e.destinationId}, ${e.at.toISOString()}::timestamptz, ${e.kind},
            ${e.message}, ${JSON.stringify(e.details ?? {})}::jsonb)`,
  )
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
    select * from destination_timeline
    where destination_id = ${destinationId}
      and (${page.before}::uuid is null or id < ${page.before}::uuid)
    order by id desc limit ${page.limit}`,
  )
}
