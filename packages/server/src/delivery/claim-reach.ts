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
    /** The depth claimDue was given. (Default: 1) */
    depth?: number
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
    const deep = claim.depth ?? 1
    if (!limits || (claimed.get(id) ?? 0) >= allowance(limits, loadOf.get(id), roomOf, deep))
      saturated.add(id)
  }
  return {
    full: claim.rows.length >= claim.limit,
    retriesLeftOut: !claim.retries,
    saturated,
  }
}

/**
 * How many the claim let this destination take: claimDue's lateral limit (store.ts
 * `claimAllowance`, with `depth` as claimDue got it), which
 * test/delivery/claim-allowance.test.ts keeps equal to this.
 */
export function allowance(
  d: DestinationLimits,
  load: DestinationLoad | undefined,
  roomOf: ReadonlyMap<string, number>,
  depth = 1,
): number {
  const room = roomOf.get(d.project_id)
  // A project without room is left out of the claim altogether.
  if (room !== undefined && room <= 0) return 0
  const deep = depthOf(d, load, depth)
  const cap = Math.min(load?.limit ?? d.concurrency_limit ?? d.max_concurrency, d.max_concurrency)
  return Math.max(
    0,
    Math.min(
      cap * deep - (load?.inFlight ?? 0),
      load?.tokens ?? d.rate_limit_per_second ?? d.max_concurrency * deep,
      room ?? d.max_concurrency * deep,
    ),
  )
}

/** store.ts `claimDepthOf`: `depth` for a settled destination, else 1. */
export function depthOf(
  d: Omit<DestinationLimits, 'project_id'>,
  load: Pick<DestinationLoad, 'limit' | 'tokens'> | undefined,
  depth: number,
): number {
  const settled =
    (load?.limit ?? d.max_concurrency) >= d.max_concurrency &&
    d.concurrency_limit === null &&
    (load?.tokens ?? null) === null &&
    d.rate_limit_per_second === null
  return settled ? depth : 1
}

/**
 * Whether a send that finished wakes the claim loop: its slot may be what a due delivery waits
 * for, and there is room for a claim worth making. Near a limit every finished send frees one
 * slot, and claiming it alone costs a whole claim: on PGlite's one thread bench/deliver (c) ran
 * ~330 claims a second, 9 in 10 of them empty (its one project at its fair share, 250 of the
 * process's 500 slots), 8 of every 10 seconds. So finished sends wake the loop once a quarter
 * of a batch is free in the process, a quarter of its share in the send's project, and, when
 * only its destination may have more due, a quarter of the destination's slots (one destination
 * at 20 concurrent sends drained at ~180/s on PGlite, a claim per send). NOTIFY, the poll and
 * the token timer still claim whatever room there is.
 * @example finishWakes(reach, 'dest-1', { free: 1, maxInFlight: 500, batchSize: 100 }) // false
 */
export function finishWakes(
  reach: ClaimReach,
  destinationId: string,
  room: {
    /** The process's free send slots, this send's included. */
    free: number
    maxInFlight: number
    batchSize: number
    /** The send's project: its room left under its fair share (this send's included), and the share. */
    project?: { room: number; share: number }
    /** The send's destination: its free slots (this send's included), and its concurrency limit. */
    destination?: { free: number; limit: number }
  },
): boolean {
  const quarter = (n: number) => Math.max(1, Math.floor(n / 4))
  const worthAClaim = quarter(Math.min(room.batchSize, room.maxInFlight))
  if (room.free < worthAClaim) return false
  if (room.project && room.project.room < quarter(room.project.share)) return false
  if (reach.full || reach.retriesLeftOut || room.free <= worthAClaim) return true
  // Only its own destination may have more due: wait for a quarter of its slots too.
  const destination = room.destination
  return (
    reach.saturated.has(destinationId) &&
    (!destination || destination.free >= quarter(destination.limit))
  )
}
