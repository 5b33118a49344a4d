import type { ClaimedDelivery } from './types.ts'
import type { DestinationLoad, ProjectLoad } from './store.ts'

/*
 * Which deliveries a claim may have left due behind it. A finished send wakes the claim loop
 * only when its slot is what such a delivery waits for; otherwise the claim took everything due
 * and new work wakes the loop by itself (NOTIFY, a write that makes a delivery due, the token
 * timer, the poll). Waking after every send made most claims find nothing: at 500 events/s each
 * cost PostgreSQL about a millisecond of planning and running.
 *
 * The reach is judged when the claim returns, from the limits the claim itself applied (the
 * same formula as claimDue's lateral limit), never from the limits when the send finishes: an
 * adaptive limit that grew in between made a saturated destination look drained, and the loop
 * then starved until the poll.
 */

/** What a destination's claim limit is made of, as the claim returned it. */
export type DestinationLimits = Pick<
  ClaimedDelivery,
  'project_id' | 'max_concurrency' | 'concurrency_limit' | 'rate_limit_per_second'
>

export interface ClaimReach {
  /** The claim took as many as it asked for: more may be due anywhere. */
  full: boolean
  /** Retries were left out (their share was full): a finished retry frees room for them. */
  retriesLeftOut: boolean
  /** Destinations that took all their limit allowed, or whose limits are unknown here. */
  saturated: ReadonlySet<string>
}

/** Before any claim, and after one that failed: every finished send may free a due delivery. */
export const unknownReach: ClaimReach = { full: true, retriesLeftOut: true, saturated: new Set() }

/**
 * @example claimReach({ limit: 100, rows, load, projects, retries: true }, limitsById)
 */
export function claimReach(
  claim: {
    limit: number
    rows: readonly ClaimedDelivery[]
    load: readonly DestinationLoad[]
    projects: readonly (ProjectLoad & { room: number })[]
    retries: boolean
  },
  limitsOf: ReadonlyMap<string, DestinationLimits>,
): ClaimReach {
  const claimed = new Map<string, number>()
  for (const row of claim.rows)
    claimed.set(row.destination_id, (claimed.get(row.destination_id) ?? 0) + 1)
  const loadOf = new Map(claim.load.map((l) => [l.destinationId, l]))
  const roomOf = new Map(claim.projects.map((p) => [p.projectId, p.room]))
  const saturated = new Set<string>()
  for (const id of new Set([...loadOf.keys(), ...claimed.keys()])) {
    const limits = limitsOf.get(id)
    if (!limits || (claimed.get(id) ?? 0) >= allowance(limits, loadOf.get(id), roomOf))
      saturated.add(id)
  }
  return {
    full: claim.rows.length >= claim.limit,
    retriesLeftOut: !claim.retries,
    saturated,
  }
}

/** How many the claim let this destination take (claimDue's lateral limit). */
function allowance(
  d: DestinationLimits,
  load: DestinationLoad | undefined,
  roomOf: ReadonlyMap<string, number>,
): number {
  const room = roomOf.get(d.project_id)
  // A project without room is left out of the claim altogether.
  if (room !== undefined && room <= 0) return 0
  const cap = Math.min(load?.limit ?? d.concurrency_limit ?? d.max_concurrency, d.max_concurrency)
  return Math.max(
    0,
    Math.min(
      cap - (load?.inFlight ?? 0),
      load?.tokens ?? d.rate_limit_per_second ?? d.max_concurrency,
      room ?? d.max_concurrency,
    ),
  )
}
