import type { Logger } from 'pino'
import type { Publisher } from '../events/index.ts'
import type { Db } from '../store/index.ts'
import { attemptEventOf, writeCompletions, type Finished } from './complete-batch.ts'
import { changeState, stopTargets, type FailureStreak } from './lifecycle/index.ts'
import type { Mailer } from './smtp.ts'
import type { DeliveryStatus, DispatcherEvents } from './types.ts'

/*
 * The dispatcher's results, written in batches: a finished send's result waits up to
 * `resultDelayMs` to be written with others in one short transaction (complete-batch.ts), or
 * goes at once when it makes another delivery due (`makesDue`), when a claim's worth is
 * waiting, or when stopping. A received delivery waits for nothing here: its slot is free
 * already. At 1,000 events/s a write per finished burst was ~160 transactions a second of ~6
 * results; waiting a little writes ~25 at once (bench/deliver (d), PostgreSQL CPU).
 * Modes: idle (nothing queued); waiting (a write scheduled, its delay running); writing; and,
 * after a store error, waiting 500 ms to write the same batch again (a batch the store refuses
 * as bad data is dropped instead: its leases bring the deliveries back). After a write the
 * failure rule may stop destinations (lifecycle/), and the dispatcher is woken when the write
 * made a delivery due.
 */

export interface ResultWriter {
  /** Queues a finished send's result. */
  add(finished: Finished): void
  /** Writes everything queued now (stopping); gives up at the first failed write. */
  drain(): Promise<void>
}

type Emit = <K extends keyof DispatcherEvents>(name: K, ...args: DispatcherEvents[K]) => void

/** @example const results = createResultWriter({ db, log, now, publisher, mailer, workerId, options, running, emit, wake }) */
export function createResultWriter(deps: {
  db: Db
  log: Logger
  now: () => Date
  publisher: Publisher
  mailer: Mailer
  workerId: string
  options: { resultDelayMs: number; batchSize: number }
  /** False once the dispatcher stops: every write is then urgent, and none is retried later. */
  running: () => boolean
  emit: Emit
  /** Claims again: a write made a delivery due. */
  wake: () => void
}): ResultWriter {
  const { log, now, options } = deps
  const finished: Finished[] = []
  let flushing: Promise<void> | null = null
  let cutFlushWait: (() => void) | null = null
  let dueAfterWrite = false

  const scheduleFlush = (opensDue: boolean): void => {
    const urgent = opensDue || !deps.running() || finished.length >= options.batchSize
    if (flushing) {
      if (urgent) cutFlushWait?.()
      return
    }
    flushing = new Promise<void>((resolve) => {
      if (urgent) return void setImmediate(resolve)
      const timer = setTimeout(resolve, options.resultDelayMs)
      cutFlushWait = () => {
        clearTimeout(timer)
        resolve()
      }
    })
      .then(async () => {
        cutFlushWait = null
        await flush()
      })
      .finally(() => {
        flushing = null
        // After stop() the drain writes what is left; no loop of retries outlives the store.
        if (!deps.running()) return
        if (finished.length > 0) {
          const at = now()
          scheduleFlush(finished.some((item) => makesDue(item, at)))
        } else if (dueAfterWrite) {
          dueAfterWrite = false
          deps.wake()
        }
      })
  }

  /** @returns false when the write failed (the results are kept for the next try) */
  const flush = async (): Promise<boolean> => {
    const batch = finished.splice(0)
    if (batch.length === 0) return true
    let written: Awaited<ReturnType<typeof writeCompletions>>
    try {
      written = await writeCompletions(deps.db, batch, { workerId: deps.workerId, now: now() })
    } catch (error) {
      // Nothing of the batch was written (one transaction). A store that is down comes back, so
      // keep the batch; a batch the store refuses (bad data) would block every later result, so
      // drop it: its leases run out and the deliveries are sent again.
      if (isDataError(error)) {
        log.error({ err: error, results: batch.length }, 'delivery results refused; dropped')
        return true
      }
      log.warn({ err: error, results: batch.length }, 'recording delivery results failed; retrying')
      finished.unshift(...batch)
      await new Promise((resolve) => setTimeout(resolve, 500))
      return false
    }
    for (const item of batch) report(item, written.changed)
    // Wake after the write only for what it makes due now: the next delivery of an ordered or
    // coalesced key, a retry already due (a clock moved on, a slow write, a zero Retry-After).
    // Waking after every write made most claims find nothing: at 500 events/s, PostgreSQL's
    // backends went from 84 % to 69 % of a core without them (with the own-NOTIFY skip).
    const at = now()
    if (batch.some((item) => makesDue(item, at))) dueAfterWrite = true
    await stopWhereDue(batch, written.streaks)
    return true
  }

  const report = (item: Finished, changed: ReadonlyMap<string, DeliveryStatus>): void => {
    const event = attemptEventOf(item, changed)
    if (item.completion.record) deps.emit('attempt', event)
    if (event.status === 'succeeded') deps.emit('delivered', event)
    if (event.status === 'failed') deps.emit('failed', event)
  }

  /**
   * Stops the destinations the batch says to (a 410 disables, the failure rule pauses:
   * lifecycle/states.ts). Runs after the results are written: a failure here must not write
   * them twice.
   */
  const stopWhereDue = async (
    batch: readonly Finished[],
    streaks: readonly FailureStreak[],
  ): Promise<void> => {
    for (const { destinationId, projectId, cause } of stopTargets(batch, streaks, now())) {
      try {
        const done = await changeState(deps, destinationId, cause)
        if (done)
          deps.emit(done.to === 'paused' ? 'paused' : 'disabled', {
            destinationId,
            projectId,
            reason: cause.reason,
          })
      } catch (error) {
        // The streak stays in the store, so the next failed attempt tries again.
        log.error({ err: error, destinationId, cause }, 'stopping a destination failed')
      }
    }
  }

  return {
    add: (item) => {
      finished.push(item)
      scheduleFlush(makesDue(item, now()))
    },
    drain: async () => {
      cutFlushWait?.()
      while (flushing || finished.length > 0) {
        if (flushing) await flushing
        else if (!(await flush())) return
      }
    },
  }
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

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^2[23]/.test(code)
}
