import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type { Publisher } from '../events/index.ts'
import { deliverySettingsOf } from '../projects/index.ts'
import type { Db } from '../store/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { traceClaim } from '../tracing/index.ts'
import type { ClaimChecks } from './claim-store.ts'
import { createClaimer, newWorkerId, slotHolder, type Claimer } from './claiming.ts'
import { createDestinationSlots, type DestinationSlots } from './destination-slots.ts'
import { deliveriesChannel } from './fan-out.ts'
import { loadClaimedContext, sendClaimed, type BatchContext } from './pipeline.ts'
import { createResultWriter, type ResultWriter } from './result-writer.ts'
import { releaseUnsent } from './store.ts'
import type { Sender } from './send.ts'
import type { Mailer } from './smtp.ts'
import type { ClaimedDelivery, DispatcherEvents } from './types.ts'
import { createWakePolicy, type WakePolicy } from './wake-policy.ts'

/*
 * The dispatcher: claims due deliveries, sends them, records the results. One per worker
 * process; many share one PostgreSQL through `skip locked` claims and leases.
 *
 * Its parts, each in its own module:
 * - claiming.ts: one claim (fair shares, pressure, retry share, rotation), its rows' slots taken;
 * - destination-slots.ts: what this process sends per destination and project (in flight,
 *   rate-limit tokens, the adaptive concurrency limit);
 * - pipeline.ts: a claimed delivery's stages (load, render, sign, send, next state);
 * - result-writer.ts: results written in batches, and the failure rule after each write;
 * - wake-policy.ts: which finished sends and which tokens wake another claim.
 *
 * Modes (`#running`, `#loop`, `#wakeAgain`):
 * - new: constructed; `runOnce` works (tests), nothing else runs.
 * - idle: started, no claim loop; a wake starts one.
 * - claiming: the loop claims batches until a claim comes back short of its room or the room
 *   is gone. A wake meanwhile sets `#wakeAgain`, and the loop runs once more when it ends.
 * - stopping: no more claims; sends in flight get `graceMs`, then are aborted (their leases
 *   bring them back); the results written are drained.
 * - stopped: for good.
 * Sends run beside the loop in every started mode (`#sends`), whatever the claim does.
 * Wakes: NOTIFY on the deliveries channel (not its own: a commit of this process already woke
 * it, fan-out.ts), the poll (`pollMs`, for a missed NOTIFY), a finished send whose slot a due
 * delivery may wait for, the token timer, and a result write that made a delivery due.
 */

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
  /**
   * A settled destination is claimed this many times its concurrency limit deep; the rows past
   * the limit wait here for a free slot (store.ts claimDepthOf). 1 claims only free slots. (Default: 3)
   */
  claimDepth: number
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
  claimDepth: 3,
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
 * Claims due deliveries, sends them, records the results (see the modes above). Typed events
 * (`attempt`, `delivered`, `failed`, `disabled`, `paused`) report what it did.
 * @example const dispatcher = new Dispatcher({ db, publisher, log, now, sender, mailer, publicUrl, box }); await dispatcher.start()
 */
export class Dispatcher {
  readonly name = 'dispatcher'
  readonly workerId: string
  readonly events = new EventEmitter<DispatcherEvents>()
  readonly #deps: DispatcherDeps
  readonly #options: DispatcherOptions
  readonly #slots: DestinationSlots
  readonly #policy: WakePolicy
  readonly #claimer: Claimer
  readonly #results: ResultWriter
  readonly #sends = new Set<Promise<void>>()
  /** Per destination: its sends under way here, and the claimed rows waiting for one to end. */
  readonly #turns = new Map<string, { sending: number; waiting: (() => void)[] }>()
  /** Claimed rows a stop kept from being sent: stop() hands them back (store.ts releaseUnsent). */
  readonly #unsent: string[] = []
  readonly #stopSends = new AbortController()
  #running = false
  #started: Promise<void> | null = null
  #stopped: Promise<void> | null = null
  #loop: Promise<void> | null = null
  #wakeAgain = false
  #poll: NodeJS.Timeout | null = null
  #unlisten: (() => Promise<void>) | null = null

  constructor(deps: DispatcherDeps) {
    this.#deps = deps
    this.workerId = deps.workerId ?? newWorkerId()
    const options = { ...defaultDispatcherOptions, ...deps.options }
    this.#options = options
    this.#slots = createDestinationSlots(deps.now)
    const running = () => this.#running
    const wake = () => this.wake()
    this.#policy = createWakePolicy({ slots: this.#slots, ...options, wake, running })
    this.#claimer = createClaimer({
      ...deps,
      workerId: this.workerId,
      slots: this.#slots,
      policy: this.#policy,
      options,
    })
    this.#results = createResultWriter({
      ...deps,
      workerId: this.workerId,
      options,
      running,
      wake,
      emit: (name, ...args) => this.#emit(name, ...args),
    })
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
      this.#policy.stop()
      await this.#unlisten?.().catch(() => {})
      await this.#loop
      const grace = new Promise((resolve) => setTimeout(resolve, options.graceMs ?? 10_000).unref())
      await Promise.race([Promise.allSettled([...this.#sends]), grace])
      this.#stopSends.abort()
      await Promise.allSettled([...this.#sends])
      await this.#results.drain()
      await this.#releaseUnsent()
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
    await this.#results.drain()
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

  /** Claims up to `limit` and starts their sends. @returns the sends */
  async #claimBatch(limit: number): Promise<Promise<void>[]> {
    const { rows, wakeAgain } = await traceClaim(
      this.#deps.db.kysely,
      { workerId: this.workerId, limit },
      () => this.#claimer.claim(limit),
    )
    if (wakeAgain) this.#wakeAgain = true
    if (rows.length === 0) return []
    const { db, now, log } = this.#deps
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

  async #deliver(row: ClaimedDelivery, context: BatchContext): Promise<void> {
    let turn = false
    try {
      await this.#turn(row)
      turn = true
      if (this.#stopSends.signal.aborted) {
        this.#unsent.push(row.id)
        return
      }
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
      this.#results.add(finished)
    } catch (error) {
      this.#deps.log.error({ err: error, deliveryId: row.id }, 'sending a delivery failed')
    } finally {
      if (turn) this.#endTurn(row)
      const freesDue = this.#policy.freesDue(row, this.#loop !== null)
      this.#slots.release(slotHolder(row))
      // A free slot can take the next due delivery now, while this result waits to be written.
      if (freesDue) this.wake()
    }
  }

  /** Rows never sent go back due now, instead of waiting out leases grown by the claim depth. */
  async #releaseUnsent(): Promise<void> {
    const ids = this.#unsent.splice(0)
    const { db, now, log } = this.#deps
    await releaseUnsent(db.kysely, { ids, workerId: this.workerId, now: now() }).catch(
      (error: unknown) => log.warn({ err: error }, 'handing back unsent deliveries failed'),
    )
  }

  /** A destination's sends at once: its adaptive limit, at most its max_concurrency. */
  #sendLimit(row: ClaimedDelivery): number {
    return Math.min(
      this.#slots.limitOf(row.destination_id) ?? row.max_concurrency,
      row.max_concurrency,
    )
  }

  /**
   * Resolves when `row` may be sent: at once while its destination has fewer than its limit of
   * sends under way here, else when one of them ends (rows claimed deep, store.ts claimDepthOf).
   */
  #turn(row: ClaimedDelivery): Promise<void> | void {
    let turns = this.#turns.get(row.destination_id)
    if (!turns) this.#turns.set(row.destination_id, (turns = { sending: 0, waiting: [] }))
    if (turns.sending < this.#sendLimit(row)) {
      turns.sending += 1
      return
    }
    const waiting = turns.waiting
    return new Promise((resolve) => waiting.push(resolve))
  }

  /** A send of `row` ended: the next rows waiting for its destination start, up to its limit. */
  #endTurn(row: ClaimedDelivery): void {
    const turns = this.#turns.get(row.destination_id)
    if (!turns) return
    turns.sending -= 1
    const limit = this.#sendLimit(row)
    while (turns.waiting.length > 0 && turns.sending < limit) {
      turns.sending += 1
      turns.waiting.shift()!()
    }
    if (turns.sending === 0 && turns.waiting.length === 0) this.#turns.delete(row.destination_id)
  }

  #track(send: Promise<void>): Promise<void> {
    this.#sends.add(send)
    void send.finally(() => this.#sends.delete(send))
    return send
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
