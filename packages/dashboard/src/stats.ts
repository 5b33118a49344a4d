import type { Api } from './api.ts'
import type { Delivery } from './api-types.ts'

/*
 * Health figures computed in the browser from `GET /v1/deliveries` (the API has no summary
 * route). Latency is the delivering attempt's: from its start (`lastAttemptAt`) to the
 * receiver's 2xx being recorded. Counting from the delivery's creation instead made a replay
 * of an old delivery (Retry now, `switchyard replay`) count its whole age: "25 s" for a
 * loopback receiver. Retries show in the success rate and the chart, not here.
 */

/** How a window of deliveries went. */
export interface WindowStats {
  total: number
  succeeded: number
  failed: number
  retrying: number
  pending: number
  held: number
  /** Folded into another delivery by a coalesce rule; not part of the success rate. */
  coalesced: number
  /** Succeeded over every delivery that has been tried (succeeded, failed, retrying); null: none. */
  successRate: number | null
  p50Ms: number | null
  p95Ms: number | null
}

/** Nearest-rank percentile of ascending values; null for none. */
export function percentile(sortedAsc: readonly number[], p: number): number | null {
  if (sortedAsc.length === 0) return null
  const rank = Math.ceil((p / 100) * sortedAsc.length)
  return sortedAsc[Math.min(Math.max(rank, 1), sortedAsc.length) - 1] ?? null
}

/** How long the attempt that delivered a succeeded delivery took, in ms. */
export function latencyMs(d: Delivery): number | null {
  if (d.status !== 'succeeded' || !d.completedAt || !d.lastAttemptAt) return null
  return Math.max(0, Date.parse(d.completedAt) - Date.parse(d.lastAttemptAt))
}

export function summarize(deliveries: readonly Delivery[]): WindowStats {
  const stats = {
    total: deliveries.length,
    succeeded: 0,
    failed: 0,
    retrying: 0,
    pending: 0,
    held: 0,
    coalesced: 0,
  }
  const latencies: number[] = []
  for (const d of deliveries) {
    if (d.status === 'pending') stats[d.attemptCount > 0 ? 'retrying' : 'pending']++
    else stats[d.status]++
    const ms = latencyMs(d)
    if (ms !== null) latencies.push(ms)
  }
  latencies.sort((a, b) => a - b)
  const tried = stats.succeeded + stats.failed + stats.retrying
  return {
    ...stats,
    successRate: tried === 0 ? null : stats.succeeded / tried,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
  }
}

/** Deliveries grouped by destination id. */
export function byDestination(deliveries: readonly Delivery[]): Map<string, Delivery[]> {
  const groups = new Map<string, Delivery[]>()
  for (const d of deliveries) {
    const group = groups.get(d.destinationId)
    if (group) group.push(d)
    else groups.set(d.destinationId, [d])
  }
  return groups
}

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
