import { idAt } from '../ids.ts'
import { query, sql, type Queryable } from '../store/index.ts'

/*
 * GET /v1/stats: a project's deliveries of a window, counted in SQL. The window is the
 * deliveries created in it, by their state now (the dashboard's chart counts the same way),
 * found through deliveries_project_idx (project_id, id desc): ids are UUIDv7, so `id >=
 * idAt(since)` is a range of that index, no scan of other projects or older rows. Their attempts
 * come through delivery_attempts_delivery_idx. Each statement groups by destination and, with
 * `grouping sets`, for the whole project in the same pass.
 */

/** One window's figures, for the project (destination_id null) or one destination. */
export interface WindowRow {
  destination_id: string | null
  total: number
  succeeded: number
  failed: number
  retrying: number
  pending: number
  held: number
  coalesced: number
}

export interface LatencyRow {
  destination_id: string | null
  count: number
  p50: number | null
  p95: number | null
}

export interface WindowFilter {
  projectId: string
  destinationId: string | null
  since: Date
}

const windowRows = (f: WindowFilter) => sql`
  select id, destination_id, status, attempts, created_at
  from deliveries
  where project_id = ${f.projectId} and id >= ${idAt(f.since.getTime())}::uuid
    and (${f.destinationId}::uuid is null or destination_id = ${f.destinationId}::uuid)`

/** @example const rows = await countWindow(db.kysely, { projectId, destinationId: null, since }) */
export async function countWindow(q: Queryable, f: WindowFilter): Promise<WindowRow[]> {
  return query<WindowRow>(
    q,
    sql`
    with w as (${windowRows(f)})
    select destination_id,
           count(*)::int as total,
           (count(*) filter (where status = 'succeeded'))::int as succeeded,
           (count(*) filter (where status = 'failed'))::int as failed,
           (count(*) filter (where status = 'pending' and attempts > 0))::int as retrying,
           (count(*) filter (where status = 'pending' and attempts = 0))::int as pending,
           (count(*) filter (where status = 'held'))::int as held,
           (count(*) filter (where status = 'coalesced'))::int as coalesced
    from w
    group by grouping sets ((), (destination_id))`,
  )
}

/**
 * The attempts' own durations (connect, send, answer), every attempt of the window's
 * deliveries, retries included.
 */
export async function attemptLatency(q: Queryable, f: WindowFilter): Promise<LatencyRow[]> {
  return query<LatencyRow>(
    q,
    sql`
    with w as (${windowRows(f)})
    select w.destination_id, count(*)::int as count,
           percentile_cont(0.5) within group (order by a.duration_ms)::float8 as p50,
           percentile_cont(0.95) within group (order by a.duration_ms)::float8 as p95
    from w join delivery_attempts a on a.delivery_id = w.id
    group by grouping sets ((), (w.destination_id))`,
  )
}

/**
 * From a delivery's creation (its event accepted and fanned out) to the end of its first
 * attempt that succeeded. A replay later (Retry now, `switchyard replay`) adds attempts but
 * not a first success, so an old delivery replayed today does not count its age.
 */
export async function firstSuccessLatency(q: Queryable, f: WindowFilter): Promise<LatencyRow[]> {
  return query<LatencyRow>(
    q,
    sql`
    with w as (${windowRows(f)}),
    first_ok as (
      select w.id, w.destination_id,
             extract(epoch from min(a.started_at + a.duration_ms * interval '1 millisecond')
                                - w.created_at) * 1000 as ms
      from w join delivery_attempts a on a.delivery_id = w.id
      where a.outcome = 'delivered'
      group by w.id, w.destination_id, w.created_at)
    select destination_id, count(*)::int as count,
           percentile_cont(0.5) within group (order by greatest(ms, 0))::float8 as p50,
           percentile_cont(0.95) within group (order by greatest(ms, 0))::float8 as p95
    from first_ok
    group by grouping sets ((), (destination_id))`,
  )
}
