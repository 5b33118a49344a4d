import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { performance } from 'node:perf_hooks'
import type { Logger } from 'pino'
import type { Db } from '../store/index.ts'
import type { DestinationSlots, SlotHolder } from './destination-slots.ts'
import { fairShares } from './fair-share.ts'
import { createPressure } from './pressure.ts'
import { claimDue } from './store.ts'
import type { ClaimedDelivery } from './types.ts'
import type { WakePolicy } from './wake-policy.ts'

/*
 * One claim, as the dispatcher's loop runs it: what this process is sending (its slots) and
 * each project's fair share (scaled down under pressure: slow claims or a busy event loop, with
 * several projects sending) decide what claimDue may take; the rows it leases take their slots
 * at once, and the next claim starts after the last destination this one served.
 */

/**
 * First attempts are never starved by retries: retries may fill at most this share of a
 * process's sends in flight; past it a claim takes first attempts only.
 */
const retryShare = 0.5

export interface Claimer {
  /**
   * Leases up to `limit` due deliveries and takes their slots. A store that fails is logged
   * and claims nothing (the poll tries again; leases cover what was claimed).
   * @returns the leased rows, and whether a send that finished meanwhile wants another claim
   */
  claim(limit: number): Promise<{ rows: ClaimedDelivery[]; wakeAgain: boolean }>
}

/** @example const claimer = createClaimer({ db, log, now, workerId, slots, policy, options }) */
export function createClaimer(deps: {
  db: Db
  log: Logger
  now: () => Date
  workerId: string
  slots: DestinationSlots
  policy: WakePolicy
  options: {
    maxInFlight: number
    leaseMarginMs: number
    claimTargetMs: number
    loopTarget: number
    claimDepth: number
  }
}): Claimer {
  const { slots, policy, options } = deps
  const pressure = createPressure()
  // Event-loop use over the last quarter second or more, for the pressure reading.
  let loopMark = performance.eventLoopUtilization()
  let loopUse = 0
  const loopUtilization = () => {
    const since = performance.eventLoopUtilization(loopMark)
    if (since.idle + since.active >= 250) {
      loopUse = since.utilization
      loopMark = performance.eventLoopUtilization()
    }
    return loopUse
  }
  // Each active project's room under its fair share (fair-share.ts), as a claim now sees it.
  const shares = () => {
    const sharing = slots.activeProjects(2000) > 1
    return fairShares(slots.projects(), options.maxInFlight, sharing ? pressure.scale() : 1)
  }
  let after: string | null = null

  return {
    claim: async (limit) => {
      if (limit <= 0) return { rows: [], wakeAgain: false }
      const started = performance.now()
      const load = slots.load()
      const projects = shares()
      policy.claimStarted(projects)
      const retries = slots.retries() < options.maxInFlight * retryShare
      let rows: ClaimedDelivery[]
      try {
        rows = await claimDue(deps.db.kysely, {
          workerId: deps.workerId,
          now: deps.now(),
          limit,
          leaseMarginMs: options.leaseMarginMs,
          after,
          load,
          projects,
          retries,
          depth: options.claimDepth,
        })
      } catch (error) {
        deps.log.warn({ err: error }, 'claiming deliveries failed')
        policy.claimFailed()
        return { rows: [], wakeAgain: false }
      }
      const wakeAgain = policy.judgeClaim({
        limit,
        rows,
        load,
        projects,
        retries,
        depth: options.claimDepth,
      })
      const claimMs = performance.now() - started
      pressure.observe(
        Math.max(claimMs / options.claimTargetMs, loopUtilization() / options.loopTarget),
        Date.now(),
      )
      for (const row of rows) slots.acquire(slotHolder(row))
      policy.scheduleTokenWake()
      if (rows.length > 0) after = lastServed(rows, after)
      return { rows, wakeAgain }
    },
  }
}

/** A dispatcher's id in leases: host, process and a random part, unique among a store's processes. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
}

/** The slot a claimed delivery takes while it is sent. */
export function slotHolder(row: ClaimedDelivery): SlotHolder {
  return {
    id: row.destination_id,
    projectId: row.project_id,
    ratePerSecond: row.rate_limit_per_second,
    maxConcurrency: row.max_concurrency,
    storedLimit: row.concurrency_limit,
    retry: row.attempts > 1,
  }
}

/**
 * The destination the claim ended on, in its rotated order (ids after `after`, then wrapping
 * around to the smallest): the next claim starts after it.
 */
function lastServed(rows: readonly ClaimedDelivery[], after: string | null): string | null {
  const ids = rows.map((r) => r.destination_id).sort()
  const wrapped = after === null ? [] : ids.filter((id) => id <= after)
  return (wrapped.length > 0 ? wrapped : ids).at(-1) ?? after
}
