import type { Logger } from 'pino'
import type { Db } from '../store/index.ts'
import { runConnector } from './connector-runs.ts'
import type { ConnectorRegistry } from './connectors/index.ts'
import { claimDueSyncs } from './store.ts'
import { publishEventBatches, type SyncEventDeps } from './sync-events.ts'

export interface SchedulerOptions {
  /** How often the scheduler looks for due syncs, in ms of real time. (Default: 5000) */
  pollMs: number
  /** Most syncs one tick runs, one after the other. (Default: 10) */
  batchSize: number
  /** How long a claimed sync is hidden from other processes' ticks. (Default: 10 min) */
  leaseMs: number
  /** Outbox batches older than this (by the injected clock) are published by the sweep. (Default: 30 s) */
  sweepAfterMs: number
}

const defaults: SchedulerOptions = {
  pollMs: 5000,
  batchSize: 10,
  leaseMs: 600_000,
  sweepAfterMs: 30_000,
}

/**
 * Runs the built-in connectors' syncs when they are due (INITIAL, then INCREMENTAL every
 * `incremental_every_seconds`, FULL every `full_every_seconds`; failures back off) and publishes
 * outbox events a crashed process left behind. Due-ness reads the injected clock, so tests move
 * time and call `runOnce()`; the timer only decides how often it looks.
 * @example const scheduler = new SyncScheduler({ db, log, now, publisher, connectors }); await scheduler.start()
 */
export class SyncScheduler {
  readonly name = 'sync-scheduler'
  readonly #deps: SyncEventDeps & { db: Db; log: Logger; connectors: ConnectorRegistry }
  readonly #options: SchedulerOptions
  #timer: NodeJS.Timeout | null = null
  #tick: Promise<number> = Promise.resolve(0)

  constructor(
    deps: SyncEventDeps & { db: Db; log: Logger; connectors: ConnectorRegistry },
    options: Partial<SchedulerOptions> = {},
  ) {
    this.#deps = deps
    this.#options = { ...defaults, ...options }
  }

  async start(): Promise<void> {
    if (this.#timer || this.#deps.connectors.size === 0) return
    this.#timer = setInterval(() => {
      this.runOnce().catch((err: unknown) =>
        this.#deps.log.warn({ err }, 'sync scheduler tick failed'),
      )
    }, this.#options.pollMs)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    await this.#tick.catch(() => 0)
  }

  /**
   * One tick, after any tick in progress: sweeps the outbox, then runs every due sync.
   * @returns how many syncs it ran
   */
  runOnce(): Promise<number> {
    this.#tick = this.#tick.catch(() => 0).then(() => this.#runDue())
    return this.#tick
  }

  async #runDue(): Promise<number> {
    const { db, now, connectors, log } = this.#deps
    const sweepBefore = new Date(now().getTime() - this.#options.sweepAfterMs)
    await publishEventBatches(db.kysely, this.#deps, { createdBefore: sweepBefore })
    const due = await claimDueSyncs(db.kysely, {
      integrations: [...connectors.keys()],
      now: now(),
      leaseUntil: new Date(now().getTime() + this.#options.leaseMs),
      limit: this.#options.batchSize,
    })
    for (const sync of due) {
      // One sync's broken infrastructure must not starve the others; its lease retries it.
      await runConnector(db.kysely, this.#deps, connectors.get(sync.integration)!, sync).then(
        (type) => log.debug({ syncId: sync.id, type }, 'sync run finished'),
        (err: unknown) => log.warn({ err, syncId: sync.id }, 'sync run failed'),
      )
    }
    return due.length
  }
}
