import { performance } from 'node:perf_hooks'
import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { Publisher } from '../events/index.ts'
import type { Db } from '../store/index.ts'
import type { SecretBox } from '../users/index.ts'
import { changeState, stopTargets, type FailureStreak } from './lifecycle/index.ts'
import type { ClaimChecks } from './claim-store.ts'
import {
  claimReach,
  finishWakes,
  unknownReach,
  type ClaimReach,
  type DestinationLimits,
} from './claim-reach.ts'
import { attemptEventOf, writeCompletions, type Finished } from './complete-batch.ts'
import {
  createDestinationSlots,
  type DestinationSlots,
  type SlotHolder,
} from './destination-slots.ts'
import { fairShares } from './fair-share.ts'
import { createPressure, type Pressure } from './pressure.ts'
import { deliverySettingsOf } from '../projects/index.ts'
import { deliveriesChannel } from './fan-out.ts'
import { loadClaimedContext, sendClaimed, type BatchContext } from './pipeline.ts'
import type { Sender } from './send.ts'
import type { Mailer } from './smtp.ts'
import { claimDue } from './store.ts'
import type { ClaimedDelivery, DeliveryStatus, DispatcherEvents } from './types.ts'

export interface DispatcherOptions {
  /** Most deliveries one claim leases. (Default: 100) */
  batchSize: number
  /** Most sends in flight in this process, all destinations together. (Default: 500) */
  maxInFlight: number
  /** Fallback poll when no NOTIFY arrives. (Default: 1000) */
  pollMs: number
  /** Lease = the destination's timeout + this, covering the write of the result. (Default: 30000) */
  leaseMarginMs: number
  /** Retry jitter spread, 0 to 1. (Default: 0.2) */
  jitter: number
  /** The jitter's randomness, [0, 1). (Default: Math.random) */
  random: () => number
  /** Results wait up to this long to be written together, unless one makes a delivery due. (Default: 20) */
  resultDelayMs: number
  /** Claims slower than this on average, with several projects sending, shrink their shares (pressure.ts). (Default: 15) */
  claimTargetMs: number
  /** So does an event loop busier than this share of the time. (Default: 0.8) */
  loopTarget: number
}

export const defaultDispatcherOptions: DispatcherOptions = {
  batchSize: 100,
  maxInFlight: 500,
  pollMs: 1000,
  leaseMarginMs: 30_000,
  jitter: 0.2,
  random: Math.random,
  resultDelayMs: 20,
  claimTargetMs: 15,
  loopTarget: 0.8,
}

export interface DispatcherDeps {
  db: Db
  /** Publishes `destination.disabled` when a result stops a destination (lifecycle/). */
  publisher: Publisher
  /** This process's id in leases and NOTIFY payloads. (Default: host:pid:random) */
  workerId?: string
  log: Logger
  now: () => Date
  sender: Sender
  /** Sends email destinations' deliveries. */
  mailer: Mailer
  publicUrl: string
  /** Keeps bodies above a destination's maxPayloadBytes for their claim-check URLs. */
  claims?: ClaimChecks
  /** Opens destinations' sealed secrets (signing secrets, headers, preset options). */
  box: SecretBox
  options?: Partial<DispatcherOptions>
}

/**
 * Claims due deliveries, sends them, records the results. One per worker process; many share
 * one PostgreSQL through `skip locked` claims and leases. Wakes on NOTIFY, polls as a fallback.
 * Typed events (`attempt`, `delivered`, `failed`, `disabled`, `paused`) report what it did.
 * @example const dispatcher = new Dispatcher({ db, log, now, sender, mailer, publicUrl, box }); await dispatcher.start()
 */
export class Dispatcher {
  readonly name = 'dispatcher'
  readonly workerId: string
  readonly events = new EventEmitter<DispatcherEvents>()
  readonly #deps: DispatcherDeps
  readonly #options: DispatcherOptions
  readonly #slots: DestinationSlots
  readonly #pressure: Pressure
  // Event-loop use over the last quarter second or more, for the pressure reading.
  #loopMark = performance.eventLoopUtilization()
  #loopUse = 0
  readonly #sends = new Set<Promise<void>>()
  readonly #stopSends = new AbortController()
  #finished: Finished[] = []
  #running = false
  #started: Promise<void> | null = null
  #stopped: Promise<void> | null = null
  #loop: Promise<void> | null = null
  #wakeAgain = false
  #flushing: Promise<void> | null = null
  #cutFlushWait: (() => void) | null = null
  #after: string | null = null
  #poll: NodeJS.Timeout | null = null
  #tokenWake: { timer: NodeJS.Timeout; dueAt: number } | null = null
  #dueAfterWrite = false
  // What the last claim may have left due, and the limits it was judged by (claim-reach.ts).
  #reach: ClaimReach = unknownReach
  readonly #limits = new Map<string, DestinationLimits>()
  // Each active project's fair share as the last claim computed it (finished sends judge by it).
  #shareOf = new Map<string, number>()
  // Destinations whose sends finished while a claim was under way: its reach decides for them.
  readonly #finishedDuringClaim = new Set<string>()
  #unlisten: (() => Promise<void>) | null = null

  constructor(deps: DispatcherDeps) {
    this.#deps = deps
    this.workerId = deps.workerId ?? newWorkerId()
    this.#options = { ...defaultDispatcherOptions, ...deps.options }
    this.#slots = createDestinationSlots(deps.now)
    this.#pressure = createPressure()
  }

  /** Starts listening and claiming. Idempotent; a stopped dispatcher stays stopped. */
  start(): Promise<void> {
    if (this.#stopped) return this.#stopped
    this.#started ??= (async () => {
      this.#running = true
      // A notice naming this worker follows a commit that already woke it (fan-out.ts).
      this.#unlisten = await this.#deps.db.listen(deliveriesChannel, (payload) => {
        if (payload !== this.workerId) this.wake()
      })
      // NOTIFY can be missed (a LISTEN connection being re-established); the poll covers it.
      this.#poll = setInterval(() => this.wake(), this.#options.pollMs)
      this.#poll.unref()
      this.wake()
    })()
    return this.#started
  }

  /**
   * Stops claiming, waits up to `graceMs` for sends in flight and writes their results. Sends
   * still running then are aborted and not recorded: their leases bring them back. Idempotent.
   */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    this.#stopped ??= (async () => {
      await this.#started?.catch(() => {})
      this.#running = false
      if (this.#poll) clearInterval(this.#poll)
      if (this.#tokenWake) clearTimeout(this.#tokenWake.timer)
      await this.#unlisten?.().catch(() => {})
      await this.#loop
      const grace = new Promise((resolve) => setTimeout(resolve, options.graceMs ?? 10_000).unref())
      await Promise.race([Promise.allSettled([...this.#sends]), grace])
      this.#stopSends.abort()
      await Promise.allSettled([...this.#sends])
      await this.#drainFinished()
    })()
    return this.#stopped
  }

  /** Claims now instead of at the next poll (NOTIFY calls it; so can tests after moving the clock). */
  wake(): void {
    if (!this.#running) return
    if (this.#loop) {
      this.#wakeAgain = true
      return
    }
    this.#loop = this.#claimUntilFull().finally(() => {
      this.#loop = null
      if (this.#wakeAgain) {
        this.#wakeAgain = false
        this.wake()
      }
    })
  }

  /**
   * One claim, its sends and their recorded results, whether or not the dispatcher runs.
   * Tests drive time-travelled schedules with it.
   * @returns how many deliveries it claimed
   */
  async runOnce(): Promise<number> {
    await this.#loop
    const room = this.#options.maxInFlight - this.#slots.total()
    const sends = await this.#claimBatch(Math.min(this.#options.batchSize, room))
    await Promise.allSettled(sends)
    await this.#drainFinished()
    return sends.length
  }

  async #claimUntilFull(): Promise<void> {
    for (;;) {
      const room = Math.min(
        this.#options.batchSize,
        this.#options.maxInFlight - this.#slots.total(),
      )
      if (room <= 0 || !this.#running) return
      const claimed = await this.#claimBatch(room)
      if (claimed.length < room) return
    }
  }

  async #claimBatch(limit: number): Promise<Promise<void>[]> {
    if (limit <= 0) return []
    const { db, now, log } = this.#deps
    let rows: ClaimedDelivery[]
    this.#finishedDuringClaim.clear()
    try {
      const started = performance.now()
      const load = this.#slots.load()
      const projects = this.#shares()
      this.#shareOf = new Map(projects.map((p) => [p.projectId, p.share]))
      const retries = this.#slots.retries() < this.#options.maxInFlight * retryShare
      rows = await claimDue(db.kysely, {
        workerId: this.workerId,
        now: now(),
        limit,
        leaseMarginMs: this.#options.leaseMarginMs,
        after: this.#after,
        load,
        projects,
        retries,
      })
      this.#judgeReach({ limit, rows, load, projects, retries })
      this.#pressure.observe(
        Math.max(
          (performance.now() - started) / this.#options.claimTargetMs,
          this.#loopUtilization() / this.#options.loopTarget,
        ),
        Date.now(),
      )
      for (const row of rows) this.#slots.acquire(slotHolder(row))
      // Also after an empty claim: a paced destination whose bucket is empty claims nothing,
      // and no send of its own is left to wake the loop when the next token comes.
      this.#scheduleTokenWake()
      if (rows.length === 0) return []
      this.#after = lastServed(rows, this.#after)
    } catch (error) {
      // The store is unreachable or restarting: the poll tries again; leases cover the claimed.
      log.warn({ err: error }, 'claiming deliveries failed')
      this.#reach = unknownReach
      return []
    }
    // The batch's reads run while the loop claims the next batch: waiting for them before the
    // next claim made one destination's throughput one batch per (claim + reads) round trips.
    const context: Promise<BatchContext | null> = loadClaimedContext(
      db.kysely,
      rows,
      now(),
      this.#deps.box,
    ).then(
      (loaded) => {
        for (const project of loaded.projects.values())
          this.#slots.setWeight(project.id, deliverySettingsOf(project.settings).deliveryWeight)
        return loaded
      },
      (error: unknown) => {
        for (const row of rows) this.#slots.release(slotHolder(row))
        log.warn({ err: error }, 'loading claimed deliveries failed; their leases bring them back')
        return null
      },
    )
    return rows.map((row) =>
      this.#track(context.then((loaded) => (loaded ? this.#deliver(row, loaded) : undefined))),
    )
  }

  /** Each active project's room under its fair share (fair-share.ts), as a claim now sees it. */
  #shares(): ReturnType<typeof fairShares> {
    const sharing = this.#slots.activeProjects(2000) > 1
    return fairShares(
      this.#slots.projects(),
      this.#options.maxInFlight,
      sharing ? this.#pressure.scale() : 1,
    )
  }

  async #deliver(row: ClaimedDelivery, context: BatchContext): Promise<void> {
    try {
      const finished = await sendClaimed(row, context, {
        ...this.#deps,
        retry: { jitter: this.#options.jitter, random: this.#options.random },
        signal: this.#stopSends.signal,
      })
      if (this.#stopSends.signal.aborted) return
      const record = finished.completion.record
      if (record)
        this.#slots.observe(
          row.destination_id,
          record.outcome,
          record.startedAt,
          row.max_concurrency,
        )
      finished.completion.concurrencyLimit = this.#slots.limitOf(row.destination_id)
      this.#finished.push(finished)
      this.#scheduleFlush(makesDue(finished, this.#deps.now()))
    } catch (error) {
      this.#deps.log.error({ err: error, deliveryId: row.id }, 'sending a delivery failed')
    } finally {
      const freesDue = this.#freesDue(row)
      this.#slots.release(slotHolder(row))
      // A free slot can take the next due delivery now, while this result waits to be written.
      if (freesDue) this.wake()
    }
  }

  /** Whether the slot `row`'s send frees may be what a due delivery waits for (claim-reach.ts). */
  #freesDue(row: ClaimedDelivery): boolean {
    if (this.#loop) {
      this.#finishedDuringClaim.add(row.destination_id)
      return false
    }
    // Counted before this send's slot is released.
    const limit = Math.min(
      this.#slots.limitOf(row.destination_id) ?? row.max_concurrency,
      row.max_concurrency,
    )
    return finishWakes(this.#reach, row.destination_id, {
      ...this.#room(row.project_id, 1),
      destination: { free: limit - this.#slots.inFlightOf(row.destination_id) + 1, limit },
    })
  }

  /**
   * Keeps the claim's reach for the sends that finish after it; a send that finished while it
   * ran freed a slot the claim counted as taken, so a saturated one claims again at once.
   */
  #judgeReach(claim: Parameters<typeof claimReach>[0]): void {
    if (this.#limits.size > 10_000) this.#limits.clear()
    for (const row of claim.rows)
      this.#limits.set(row.destination_id, {
        project_id: row.project_id,
        max_concurrency: row.max_concurrency,
        concurrency_limit: row.concurrency_limit,
        rate_limit_per_second: row.rate_limit_per_second,
      })
    const reach = claimReach(claim, this.#limits)
    this.#reach = reach
    const freed = [...this.#finishedDuringClaim]
    this.#finishedDuringClaim.clear()
    // Their slots are released already; the claimed rows' are not taken yet.
    const wakes = freed.some((id) => {
      const projectId = this.#limits.get(id)?.project_id
      const inProject = claim.rows.filter((r) => r.project_id === projectId).length
      return finishWakes(reach, id, this.#room(projectId, 0, claim.rows.length, inProject))
    })
    if (wakes) this.#wakeAgain = true
  }

  /**
   * The room finishWakes judges: free slots in the process and in `projectId`'s fair share,
   * plus `released` (slots about to be freed) less `taken` (claimed, not acquired yet).
   */
  #room(
    projectId: string | undefined,
    released: number,
    taken = 0,
    takenInProject = taken,
  ): Parameters<typeof finishWakes>[2] {
    const { maxInFlight, batchSize } = this.#options
    const free = maxInFlight - this.#slots.total() + released - taken
    const room = { free, maxInFlight, batchSize }
    const share = projectId === undefined ? undefined : this.#shareOf.get(projectId)
    if (projectId === undefined || share === undefined) return room
    const inProject = this.#slots.projectInFlightOf(projectId)
    return { ...room, project: { room: share - inProject + released - takenInProject, share } }
  }

  #track(send: Promise<void>): Promise<void> {
    this.#sends.add(send)
    void send.finally(() => this.#sends.delete(send))
    return send
  }

  /**
   * Writes results after `resultDelayMs`, or at once when one makes another delivery due
   * (`opensDue`: the next of an ordered or coalesced key, a retry due now), when a claim's worth
   * is waiting, or when stopping. A received delivery waits for nothing here: its slot is free
   * already. At 1,000 events/s a write per finished burst was ~160 transactions a second of
   * ~6 results; waiting a little writes ~25 at once (bench/deliver (d), PostgreSQL CPU).
   */
  #scheduleFlush(opensDue: boolean): void {
    const urgent = opensDue || !this.#running || this.#finished.length >= this.#options.batchSize
    if (this.#flushing) {
      if (urgent) this.#cutFlushWait?.()
      return
    }
    this.#flushing = new Promise<void>((resolve) => {
      if (urgent) return void setImmediate(resolve)
      const timer = setTimeout(resolve, this.#options.resultDelayMs)
      this.#cutFlushWait = () => {
        clearTimeout(timer)
        resolve()
      }
    })
      .then(async () => {
        this.#cutFlushWait = null
        await this.#flush()
      })
      .finally(() => {
        this.#flushing = null
        // After stop() the drain writes what is left; no loop of retries outlives the store.
        if (!this.#running) return
        if (this.#finished.length > 0) {
          const at = this.#deps.now()
          this.#scheduleFlush(this.#finished.some((item) => makesDue(item, at)))
        } else if (this.#dueAfterWrite) {
          this.#dueAfterWrite = false
          this.wake()
        }
      })
  }

  async #drainFinished(): Promise<void> {
    this.#cutFlushWait?.()
    while (this.#flushing || this.#finished.length > 0) {
      if (this.#flushing) await this.#flushing
      else if (!(await this.#flush())) return
    }
  }

  /** @returns false when the write failed (the results are kept for the next try) */
  async #flush(): Promise<boolean> {
    const batch = this.#finished.splice(0)
    if (batch.length === 0) return true
    const { db, log, now } = this.#deps
    let written: Awaited<ReturnType<typeof writeCompletions>>
    try {
      written = await writeCompletions(db, batch, { workerId: this.workerId, now: now() })
    } catch (error) {
      // Nothing of the batch was written (one transaction). A store that is down comes back, so
      // keep the batch; a batch the store refuses (bad data) would block every later result, so
      // drop it: its leases run out and the deliveries are sent again.
      if (isDataError(error)) {
        log.error({ err: error, results: batch.length }, 'delivery results refused; dropped')
        return true
      }
      log.warn({ err: error, results: batch.length }, 'recording delivery results failed; retrying')
      this.#finished.unshift(...batch)
      await new Promise((resolve) => setTimeout(resolve, 500))
      return false
    }
    for (const item of batch) this.#report(item, written.changed)
    // Wake after the write only for what it makes due now: the next delivery of an ordered or
    // coalesced key, a retry already due (a clock moved on, a slow write, a zero Retry-After).
    // Waking after every write made most claims find nothing: at 500 events/s, PostgreSQL's
    // backends went from 84 % to 69 % of a core without them (with the own-NOTIFY skip).
    const at = now()
    if (batch.some((item) => makesDue(item, at))) this.#dueAfterWrite = true
    await this.#disableWhereDue(batch, written.streaks)
    return true
  }

  #report(item: Finished, changed: ReadonlyMap<string, DeliveryStatus>): void {
    const event = attemptEventOf(item, changed)
    if (item.completion.record) this.#emit('attempt', event)
    if (event.status === 'succeeded') this.#emit('delivered', event)
    if (event.status === 'failed') this.#emit('failed', event)
  }

  /**
   * Stops the destinations the batch says to (a 410 disables, the failure rule pauses: lifecycle/
   * states.ts). Runs after the results are written: a failure here must not write them twice.
   */
  async #disableWhereDue(
    batch: readonly Finished[],
    streaks: readonly FailureStreak[],
  ): Promise<void> {
    for (const { destinationId, projectId, cause } of stopTargets(
      batch,
      streaks,
      this.#deps.now(),
    )) {
      try {
        const done = await changeState(this.#deps, destinationId, cause)
        if (done)
          this.#emit(done.to === 'paused' ? 'paused' : 'disabled', {
            destinationId,
            projectId,
            reason: cause.reason,
          })
      } catch (error) {
        // The streak stays in the store, so the next failed attempt tries again.
        this.#deps.log.error({ err: error, destinationId, cause }, 'stopping a destination failed')
      }
    }
  }

  #loopUtilization(): number {
    const since = performance.eventLoopUtilization(this.#loopMark)
    if (since.idle + since.active >= 250) {
      this.#loopUse = since.utilization
      this.#loopMark = performance.eventLoopUtilization()
    }
    return this.#loopUse
  }

  /** One timer, for the soonest token or end of a Retry-After block, whatever claims ran since. */
  #scheduleTokenWake(): void {
    const wait = this.#slots.nextTokenInMs()
    if (wait === null || !this.#running) return
    const dueAt = performance.now() + wait
    if (this.#tokenWake && this.#tokenWake.dueAt <= dueAt) return
    if (this.#tokenWake) clearTimeout(this.#tokenWake.timer)
    const timer = setTimeout(() => {
      this.#tokenWake = null
      this.wake()
    }, wait)
    timer.unref()
    this.#tokenWake = { timer, dueAt }
  }

  #emit<K extends keyof DispatcherEvents>(name: K, ...args: DispatcherEvents[K]): void {
    try {
      ;(this.events.emit as (name: K, ...args: unknown[]) => boolean)(name, ...args)
    } catch (error) {
      // A listener's bug must not stop deliveries.
      this.#deps.log.error({ err: error, event: name }, 'a dispatcher event listener threw')
    }
  }
}

/** A dispatcher's id: host, process and a random part, unique among the processes of a store. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
}

/** Whether writing this result makes a delivery due: the next of its key, or its own retry. */
function makesDue(item: Finished, at: Date): boolean {
  const { claimed, completion } = item
  return Boolean(
    claimed.ordering_key ||
    claimed.coalesce_key ||
    (completion.nextAttemptAt && completion.nextAttemptAt <= at),
  )
}

/**
 * First attempts are never starved by retries: retries may fill at most this share of a
 * process's sends in flight; past it a claim takes first attempts only.
 */
const retryShare = 0.5

function slotHolder(row: ClaimedDelivery): SlotHolder {
  return {
    id: row.destination_id,
    projectId: row.project_id,
    ratePerSecond: row.rate_limit_per_second,
    maxConcurrency: row.max_concurrency,
    storedLimit: row.concurrency_limit,
    retry: row.attempts > 1,
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^2[23]/.test(code)
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
