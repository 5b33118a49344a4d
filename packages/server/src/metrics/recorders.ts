import type { EventEmitter } from 'node:events'
import type { AttemptEvent, DispatcherEvents } from '../delivery/index.ts'
import type { StoreEvents } from '../events/index.ts'
import type { InboundObserver } from '../inbound/index.ts'
import { observeSandboxRuns } from '../sandbox/index.ts'
import type { Metrics } from './registry.ts'

/**
 * Counts what the dispatcher reports after each batch of results is written (so a count is a
 * result the store holds).
 * @returns a function that stops counting
 * @example const stop = recordDeliveries(metrics, dispatcher.events)
 */
export function recordDeliveries(
  metrics: Metrics,
  events: EventEmitter<DispatcherEvents>,
): () => void {
  const onAttempt = (attempt: AttemptEvent) => {
    const outcome = attempt.outcome
    metrics.attempts.inc({
      outcome: outcome?.kind ?? 'not_sent',
      error_class: outcome?.kind === 'failed' ? outcome.errorClass : '',
      format: attempt.format,
      destination_type: attempt.destinationType,
    })
    if (attempt.durationMs !== null) metrics.attemptSeconds.observe(attempt.durationMs / 1000)
  }
  const onDone = (attempt: AttemptEvent) => {
    const labels = { format: attempt.format, destination_type: attempt.destinationType }
    metrics.deliveriesDone.inc({ ...labels, status: attempt.status })
    if (attempt.status !== 'succeeded') return
    const acceptedAt = uuidv7Millis(attempt.eventId)
    if (acceptedAt !== null)
      metrics.deliveredSeconds.observe(Math.max(0, Date.now() - acceptedAt) / 1000)
  }
  const onPaused = () => metrics.destinationStops.inc({ state: 'paused' })
  const onDisabled = () => metrics.destinationStops.inc({ state: 'disabled' })
  events.on('attempt', onAttempt)
  events.on('delivered', onDone)
  events.on('failed', onDone)
  events.on('paused', onPaused)
  events.on('disabled', onDisabled)
  return () => {
    events.off('attempt', onAttempt)
    events.off('delivered', onDone)
    events.off('failed', onDone)
    events.off('paused', onPaused)
    events.off('disabled', onDisabled)
  }
}

/**
 * Event ids are UUIDv7 made when the event was accepted (ids.ts): their first 48 bits are that
 * millisecond, so the latency needs no column read with every claim.
 * @example uuidv7Millis('01890a5d-ac96-774b-bcce-b302099a8057') // 1688922565782
 */
export function uuidv7Millis(id: string): number | null {
  if (id.length !== 36 || id[14] !== '7') return null
  const millis = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
  return Number.isFinite(millis) ? millis : null
}

/**
 * The publisher's store, counting the events it stores by type (sync records by change kind,
 * `sync.*` for runs, `trigger.received`…). Counted when the statement returns: an event stored
 * in a transaction that later rolls back (rare: a routing batch's savepoint) is counted too.
 */
export function countingStore(metrics: Metrics, store: StoreEvents): StoreEvents {
  return async (q, rows, options) => {
    const stored = await store(q, rows, options)
    const byType = new Map<string, number>()
    for (const row of rows) byType.set(row.type, (byType.get(row.type) ?? 0) + 1)
    for (const [type, count] of byType) metrics.eventsPublished.inc({ type }, count)
    return stored
  }
}

/** @example createInbound({ ..., observe: inboundObserver(metrics) }) */
export function inboundObserver(metrics: Metrics): InboundObserver {
  return {
    answered: (outcome, reason) => metrics.inboundRequests.inc({ outcome, reason }),
    routed: (outcome, count) => metrics.inboundRouted.inc({ outcome }, count),
  }
}

/**
 * Times custom-code runs; the sandbox pool is the process's, so this counts every engine's runs.
 * @returns a function that stops timing
 */
export function recordSandboxRuns(metrics: Metrics): () => void {
  return observeSandboxRuns((seconds) => metrics.sandboxRunSeconds.observe(seconds))
}
