import type { Api } from './api.ts'
import type { Delivery } from './api-types.ts'

/*
 * The overview's tiles and per-destination figures come from `GET /v1/stats` (the server counts
 * the windows and computes the latencies). Only the per-minute chart is computed here, from the
 * last hour's deliveries read page by page: the stats route has no per-minute series.
 */

/** One minute of the chart. */
export interface MinuteBucket {
  start: number
  succeeded: number
  failed: number
  retrying: number
  pending: number
}

/** Deliveries created in each of the last `minutes` minutes, by their state now; oldest first. */
export function perMinute(
  deliveries: readonly Delivery[],
  now: number,
  minutes = 60,
): MinuteBucket[] {
  const lastStart = Math.floor(now / 60_000) * 60_000
  const firstStart = lastStart - (minutes - 1) * 60_000
  const buckets: MinuteBucket[] = Array.from({ length: minutes }, (_, i) => ({
    start: firstStart + i * 60_000,
    succeeded: 0,
    failed: 0,
    retrying: 0,
    pending: 0,
  }))
  for (const d of deliveries) {
    const bucket = buckets[Math.floor((Date.parse(d.createdAt) - firstStart) / 60_000)]
    if (!bucket) continue
    if (d.status === 'succeeded') bucket.succeeded++
    else if (d.status === 'failed') bucket.failed++
    else if (d.status === 'pending' && d.attemptCount > 0) bucket.retrying++
    else bucket.pending++
  }
  return buckets
}

/** Deliveries created since a time, newest first, read page by page up to `max`. */
export async function deliveriesSince(
  api: Api,
  since: Date,
  max: number,
): Promise<{ deliveries: Delivery[]; truncated: boolean }> {
  const deliveries: Delivery[] = []
  let cursor: string | undefined
  do {
    const page = await api.deliveries.list({ since: since.toISOString(), limit: 500, cursor })
    deliveries.push(...page.data)
    cursor = page.nextCursor ?? undefined
  } while (cursor && deliveries.length < max)
  return { deliveries, truncated: cursor !== undefined }
}
