import { performance } from 'node:perf_hooks'
import {
  claimReach,
  depthOf,
  finishWakes,
  unknownReach,
  type ClaimReach,
  type DestinationLimits,
} from './claim-reach.ts'
import type { DestinationSlots } from './destination-slots.ts'
import type { ClaimedDelivery } from './types.ts'

/*
 * When the dispatcher claims again, besides NOTIFY and the poll. Two wakes are judged here:
 * - a finished send, whose slot may be what a due delivery waits for (`freesDue`): judged by the
 *   reach of the last claim (claim-reach.ts), so most finished sends wake nothing;
 * - the token timer: one timer for the soonest rate-limit token or end of a Retry-After block,
 *   whatever claims ran since (a paced destination whose bucket is empty claims nothing, and no
 *   send of its own is left to wake the loop when the next token comes).
 * A send that finishes while a claim is under way is judged when that claim returns: the claim
 * counted its slot as taken (`judgeClaim`).
 */

export interface WakePolicy {
  /** A claim starts: sends finishing from now on are judged when it returns. */
  claimStarted(shares: readonly { projectId: string; share: number }[]): void
  /** The claim returned: keeps its reach. @returns whether a send that finished meanwhile wakes another claim */
  judgeClaim(claim: Parameters<typeof claimReach>[0]): boolean
  /** The claim failed: every finished send may free a due delivery. */
  claimFailed(): void
  /** A send of `row` finished, its slot not yet released. @returns whether to claim now */
  freesDue(row: ClaimedDelivery, claiming: boolean): boolean
  /** Arms (or keeps) the timer for the soonest token. */
  scheduleTokenWake(): void
  stop(): void
}

/** @example const policy = createWakePolicy({ slots, maxInFlight: 500, batchSize: 100, wake, running }) */
export function createWakePolicy(deps: {
  slots: DestinationSlots
  maxInFlight: number
  batchSize: number
  wake: () => void
  running: () => boolean
}): WakePolicy {
  const { slots } = deps
  // What the last claim may have left due, and the limits it was judged by (claim-reach.ts).
  let reach: ClaimReach = unknownReach
  const limits = new Map<string, DestinationLimits>()
  // Each active project's fair share as the last claim computed it (finished sends judge by it).
  let shareOf = new Map<string, number>()
  // Destinations whose sends finished while a claim was under way: its reach decides for them.
  const finishedDuringClaim = new Set<string>()
  let tokenWake: { timer: NodeJS.Timeout; dueAt: number } | null = null

  /**
   * The room finishWakes judges: free slots in the process and in `projectId`'s fair share,
   * plus `released` (slots about to be freed) less `taken` (claimed, not acquired yet).
   */
  const room = (
    projectId: string | undefined,
    released: number,
    taken = 0,
    takenInProject = taken,
  ): Parameters<typeof finishWakes>[2] => {
    const free = deps.maxInFlight - slots.total() + released - taken
    const base = { free, maxInFlight: deps.maxInFlight, batchSize: deps.batchSize }
    const share = projectId === undefined ? undefined : shareOf.get(projectId)
    if (projectId === undefined || share === undefined) return base
    const inProject = slots.projectInFlightOf(projectId)
    return { ...base, project: { room: share - inProject + released - takenInProject, share } }
  }

  /**
   * A destination's free slots for finishWakes: its limit, times the depth it is claimed at
   * (store.ts claimDepthOf: rows past the limit wait here for a slot), less what this process
   * holds of it, plus `released` less `taken`. Without its limits known, none (the claim's reach
   * alone decides). A send that ended during a claim was judged without this before: with
   * sends ending every few hundred µs nearly every claim was followed by another, and one
   * destination's claims took ~8 rows (bench/results/deliver-peers-notes.md).
   */
  const destinationRoom = (
    id: string,
    limits: Omit<DestinationLimits, 'project_id'> | undefined,
    released: number,
    taken: number,
    depth: number,
  ): { destination?: { free: number; limit: number } } => {
    if (!limits) return {}
    const adaptive = slots.limitOf(id)
    const deep = adaptive === null ? depthOf(limits, undefined, depth) : 1
    const limit = Math.min(adaptive ?? limits.max_concurrency, limits.max_concurrency) * deep
    return { destination: { free: limit - slots.inFlightOf(id) + released - taken, limit } }
  }

  return {
    claimStarted: (shares) => {
      finishedDuringClaim.clear()
      shareOf = new Map(shares.map((p) => [p.projectId, p.share]))
    },
    judgeClaim: (claim) => {
      if (limits.size > 10_000) limits.clear()
      for (const row of claim.rows)
        limits.set(row.destination_id, {
          project_id: row.project_id,
          max_concurrency: row.max_concurrency,
          concurrency_limit: row.concurrency_limit,
          rate_limit_per_second: row.rate_limit_per_second,
        })
      reach = claimReach(claim, limits)
      const freed = [...finishedDuringClaim]
      finishedDuringClaim.clear()
      // Their slots are released already; the claimed rows' are not taken yet.
      return freed.some((id) => {
        const projectId = limits.get(id)?.project_id
        const inProject = claim.rows.filter((r) => r.project_id === projectId).length
        const inDestination = claim.rows.filter((r) => r.destination_id === id).length
        return finishWakes(reach, id, {
          ...room(projectId, 0, claim.rows.length, inProject),
          ...destinationRoom(id, limits.get(id), 0, inDestination, claim.depth ?? 1),
        })
      })
    },
    claimFailed: () => {
      reach = unknownReach
    },
    freesDue: (row, claiming) => {
      if (claiming) {
        finishedDuringClaim.add(row.destination_id)
        return false
      }
      // Counted before this send's slot is released.
      return finishWakes(reach, row.destination_id, {
        ...room(row.project_id, 1),
        ...destinationRoom(row.destination_id, row, 1, 0, row.depth ?? 1),
      })
    },
    scheduleTokenWake: () => {
      const wait = slots.nextTokenInMs()
      if (wait === null || !deps.running()) return
      const dueAt = performance.now() + wait
      if (tokenWake && tokenWake.dueAt <= dueAt) return
      if (tokenWake) clearTimeout(tokenWake.timer)
      const timer = setTimeout(() => {
        tokenWake = null
        deps.wake()
      }, wait)
      timer.unref()
      tokenWake = { timer, dueAt }
    },
    stop: () => {
      if (tokenWake) clearTimeout(tokenWake.timer)
      tokenWake = null
    },
  }
}
