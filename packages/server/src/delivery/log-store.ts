import { query, type Queryable, sql } from '../store/index.ts'
import type { DeliveryRow } from './store.ts'
import type { DeliveryStatus } from './types.ts'

/* The read side of the deliveries store: logs for the API, and the retention pruner's deletes. */

export async function findDelivery(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<DeliveryRow | null> {
  const rows = await query<DeliveryRow>(
    q,
    sql`select * from deliveries where project_id = ${projectId} and id = ${id}`,
  )
  return rows[0] ?? null
}

export interface DeliveryFilter {
  projectId: string
  destinationId: string | null
  eventId: string | null
  status: DeliveryStatus | null
  since: Date | null
  until: Date | null
  before: string | null
  limit: number
  /** A portal session's user: only deliveries of destinations filtered to that user. */
  userScope?: string | null
}

/** Newest first; `before` is the last id of the previous page. */
export async function listDeliveries(q: Queryable, f: DeliveryFilter): Promise<DeliveryRow[]> {
  const since = f.since?.toISOString() ?? null
  const until = f.until?.toISOString() ?? null
  return query<DeliveryRow>(
    q,
    sql`
    select * from deliveries
    where project_id = ${f.projectId}
      and (${f.destinationId}::uuid is null or destination_id = ${f.destinationId}::uuid)
      and (${f.eventId}::uuid is null or event_id = ${f.eventId}::uuid)
      and (${f.status}::text is null or status = ${f.status}::text)
      and (${since}::timestamptz is null or created_at >= ${since}::timestamptz)
      and (${until}::timestamptz is null or created_at < ${until}::timestamptz)
      and (${f.before}::uuid is null or id < ${f.before}::uuid)
      and (${f.userScope ?? null}::text is null or destination_id in (
            select d.id from destinations d
            where d.project_id = ${f.projectId} and d.filter_user_id = ${f.userScope ?? null}::text))
    order by id desc
    limit ${f.limit}`,
  )
}

export interface AttemptRow {
  id: string
  delivery_id: string
  number: number
  started_at: Date
  duration_ms: number
  outcome: 'delivered' | 'failed' | 'gone'
  status: number | null
  error_class: string | null
  error_message: string | null
  request_headers: Record<string, string>
  request_body: string | null
  response_headers: Record<string, string> | null
  response_body: string | null
  /** Null for email, and for attempts logged before migration 0018. */
  url: string | null
}

export async function listAttempts(q: Queryable, deliveryId: string): Promise<AttemptRow[]> {
  return query<AttemptRow>(
    q,
    sql`select * from delivery_attempts where delivery_id = ${deliveryId} order by started_at, number`,
  )
}

/**
 * Deletes up to `limit` of a project's deliveries created before `before` (their attempts go
 * with them), leaving pending ones: those are still being worked on.
 */
export async function deleteOldDeliveries(
  q: Queryable,
  projectId: string,
  before: Date,
  limit: number,
): Promise<number> {
  const rows = await query(
    q,
    sql`
    delete from deliveries where id in (
      select id from deliveries
      where project_id = ${projectId} and created_at < ${before.toISOString()}::timestamptz
        and status <> 'pending'
      limit ${limit})
    returning 1`,
  )
  return rows.length
}
