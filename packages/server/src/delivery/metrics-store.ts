import { sql } from 'kysely'
import { query, type Queryable } from '../store/index.ts'

/** Deliveries waiting, per project, as `/metrics` shows them. */
export interface ProjectBacklog {
  project_id: string
  pending: number
  due: number
  held: number
  /** Seconds since the oldest due delivery became due; 0 when none is due. */
  oldest_due_seconds: number
}

/**
 * The backlog gauges, read at most once per metrics interval (metrics/gauges.ts caches it), never
 * per scrape per row: no index holds the held rows, so a million held deliveries are a million
 * rows read (measured in docs/operations.md, Metrics).
 * @example const rows = await readBacklog(db.kysely, new Date())
 */
export async function readBacklog(q: Queryable, now: Date): Promise<ProjectBacklog[]> {
  return query<ProjectBacklog>(
    q,
    sql`
    select project_id,
           (count(*) filter (where status = 'pending'))::int as pending,
           (count(*) filter (where status = 'pending' and next_attempt_at <= ${now}::timestamptz))::int as due,
           (count(*) filter (where status = 'held'))::int as held,
           coalesce(extract(epoch from ${now}::timestamptz - min(next_attempt_at)
             filter (where status = 'pending' and next_attempt_at <= ${now}::timestamptz)), 0)::float8
             as oldest_due_seconds
    from deliveries
    where status in ('pending', 'held')
    group by project_id`,
  )
}

/** A destination's health (lifecycle/states.ts), one row per destination. */
export interface DestinationHealth {
  id: string
  project_id: string
  state: 'enabled' | 'paused' | 'disabled'
  consecutive_failures: number
  /** The adaptive limit, or max_concurrency when the store holds none. */
  concurrency: number
}

/** @example const rows = await readDestinationHealth(db.kysely) */
export async function readDestinationHealth(q: Queryable): Promise<DestinationHealth[]> {
  return query<DestinationHealth>(
    q,
    sql`
    select id, project_id,
           case when enabled then 'enabled' when paused_at is not null then 'paused'
                else 'disabled' end as state,
           consecutive_failures,
           coalesce(concurrency_limit, max_concurrency) as concurrency
    from destinations`,
  )
}
