import type { DestinationRow } from '../../destinations/index.ts'
import { query, type Queryable, sql, type RawBuilder } from '../../store/index.ts'

/*
 * The only writer of a destination's runtime state: `enabled`, `disabled_reason`,
 * `disabled_at`, `consecutive_failures`, `failing_since`, `paused_at`, `next_probe_at`,
 * `probe_failures` and `concurrency_limit`. They stay columns of `destinations` (whose other
 * columns src/destinations writes). A 1:1 `destination_states` table joined on its primary key
 * was measured (1,000 enabled destinations, 100,000 due deliveries, 12 alternating rounds of 25
 * claims each, medians): it made an empty claim, the statement an idle dispatcher runs most,
 * 6-9 % slower on PostgreSQL and 8 % slower on PGlite (slower in all 12 rounds; 93 % slower in a
 * run under heavy CPU load), a claim of 100 within noise (-7 % to +6 %; +31 % under that load),
 * and the streak write of a result batch 2-16 % faster. The claim is the hotter statement, so
 * the columns stayed.
 * The changes of state (`enableRow` … `countProbeFailure`) are called by transition.ts only,
 * with the row locked by `lockDestinationRow` in the same transaction.
 */

/**
 * The destination's row, locked for the rest of the transaction: a transition reads its state
 * and writes the next one under this lock, so two workers (or a worker and an admin) never both
 * act on one state. `for no key update` leaves the fan-out's foreign-key checks (key share)
 * unblocked.
 */
export async function lockDestinationRow(q: Queryable, id: string): Promise<DestinationRow | null> {
  const rows = await query<DestinationRow>(
    q,
    sql`select * from destinations where id = ${id} for no key update`,
  )
  return rows[0] ?? null
}

/** Enabled, with a clean failure streak; `forgetLimit` also drops the adaptive limit. */
export async function enableRow(
  q: Queryable,
  id: string,
  now: Date,
  options: { forgetLimit: boolean },
): Promise<DestinationRow> {
  return writeRow(
    q,
    sql`
    update destinations
    set enabled = true, disabled_reason = null, disabled_at = null, consecutive_failures = 0,
        failing_since = null, paused_at = null, next_probe_at = null, probe_failures = 0,
        concurrency_limit = case when ${options.forgetLimit} then null else concurrency_limit end,
        updated_at = ${now.toISOString()}::timestamptz
    where id = ${id}
    returning *`,
  )
}

/** Paused: not sent (enabled = false, so new deliveries are held), first probe at `firstProbeAt`. */
export async function pauseRow(
  q: Queryable,
  id: string,
  p: { reason: string; now: Date; firstProbeAt: Date },
): Promise<DestinationRow> {
  const now = p.now.toISOString()
  return writeRow(
    q,
    sql`
    update destinations
    set enabled = false, paused_at = ${now}::timestamptz, disabled_reason = ${p.reason},
        disabled_at = ${now}::timestamptz, next_probe_at = ${p.firstProbeAt.toISOString()}::timestamptz,
        probe_failures = 0, updated_at = ${now}::timestamptz
    where id = ${id}
    returning *`,
  )
}

/** Disabled: not sent, not probed. */
export async function disableRow(
  q: Queryable,
  id: string,
  reason: string,
  now: Date,
): Promise<DestinationRow> {
  return writeRow(
    q,
    sql`
    update destinations
    set enabled = false, disabled_reason = ${reason}, disabled_at = ${now.toISOString()}::timestamptz,
        paused_at = null, next_probe_at = null, updated_at = ${now.toISOString()}::timestamptz
    where id = ${id}
    returning *`,
  )
}

/** A probe failed: the next one waits longer (see takeDueProbes). */
export async function countProbeFailure(q: Queryable, id: string): Promise<DestinationRow> {
  return writeRow(
    q,
    sql`update destinations set probe_failures = probe_failures + 1 where id = ${id} returning *`,
  )
}

async function writeRow(q: Queryable, statement: RawBuilder<unknown>): Promise<DestinationRow> {
  const [row] = await query<DestinationRow>(q, statement)
  if (!row) throw new Error('the locked destination row is gone')
  return row
}

/**
 * Takes the paused destinations whose probe is due, moving each one's next probe to
 * `nextProbeDelayMs(probe_failures)` from now in the same statement, so two workers never
 * probe one twice. Locks: those rows (skip locked), until the statement commits.
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

/** One destination's attempts in a completed batch, in the order they finished. */
export interface FailureStreakUpdate {
  destinationId: string
  /** A success in the batch ends the stored streak; `failures` then counts the ones after it. */
  reset: boolean
  failures: number
  /** The first failure counted in `failures`, or null when there was none. */
  firstFailureAt: Date | null
  /** The dispatcher's adaptive concurrency limit after the batch; null when at the maximum. */
  concurrencyLimit: number | null
}

export interface FailureStreak {
  id: string
  project_id: string
  url: string | null
  enabled: boolean
  consecutive_failures: number
  failing_since: Date | null
}

/**
 * Locks destinations in id order for the rest of the transaction. A transaction that completes a
 * batch takes these first, before any delivery row, the same order a transition takes
 * (destination, then its deliveries), so two completions or a completion and a transition
 * cannot deadlock. `for no key update` leaves the fan-out's foreign-key checks (key share)
 * unblocked.
 */
export async function lockDestinations(q: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return
  await query(
    q,
    sql`select id from destinations where id = any(${ids}::uuid[]) order by id for no key update`,
  )
}

/**
 * Hot path (batch complete): one statement for a whole batch of attempts.
 * Params: parallel arrays, one entry per destination. Result: each destination's new streak.
 * Locks: the destinations' rows; call `lockDestinations` first in the same transaction.
 */
export async function recordFailureStreaks(
  q: Queryable,
  updates: readonly FailureStreakUpdate[],
): Promise<FailureStreak[]> {
  if (updates.length === 0) return []
  return query<FailureStreak>(
    q,
    sql`
    update destinations d
    set consecutive_failures = case when u.reset then u.failures
                                    else d.consecutive_failures + u.failures end,
        failing_since = case when u.reset then u.first_failure_at
                             else coalesce(d.failing_since, u.first_failure_at) end,
        concurrency_limit = u.concurrency_limit
    from unnest(${updates.map((u) => u.destinationId)}::uuid[], ${updates.map((u) => u.reset)}::boolean[],
                ${updates.map((u) => u.failures)}::int[],
                ${updates.map((u) => u.firstFailureAt?.toISOString() ?? null)}::timestamptz[],
                ${updates.map((u) => u.concurrencyLimit)}::int[])
         as u(id, reset, failures, first_failure_at, concurrency_limit)
    where d.id = u.id
    returning d.id, d.project_id, d.url, d.enabled, d.consecutive_failures, d.failing_since`,
  )
}
