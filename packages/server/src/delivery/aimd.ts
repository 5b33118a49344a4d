import type { AttemptOutcome } from './types.ts'

/**
 * Adaptive concurrency per destination, AIMD as TCP does it: the limit halves on a sign of
 * congestion (429, 502, 503, 504, a timeout) and grows by one per window of successes (a
 * window = as many successes as the current limit), up to the configured maximum.
 * A congestion signal from an attempt that started before the last decrease does not halve
 * again: those requests were sent at the old limit, and counting each of them would collapse
 * the limit to 1 after one burst (TCP's one-decrease-per-window rule). `Retry-After` on those
 * answers blocks the destination until then.
 */
export interface AimdState {
  limit: number
  successes: number
  /** When the limit last halved (epoch ms); older attempts' signals do not halve it again. */
  decreasedAt: number
  /** No new sends before this (epoch ms): the receiver's Retry-After. */
  blockedUntil: number
}

const congestionStatuses = new Set([429, 502, 503, 504])

/**
 * Whether an outcome says the receiver is overloaded.
 * @example isCongestion({ kind: 'failed', errorClass: 'http_status', status: 429, message: '' }) // true
 */
export function isCongestion(outcome: AttemptOutcome): boolean {
  if (outcome.kind !== 'failed') return false
  return outcome.errorClass === 'timeout' || congestionStatuses.has(outcome.status ?? 0)
}

/** A destination's state before any signal: at its maximum (or where another worker left it). */
export function aimdStart(max: number, stored: number | null = null): AimdState {
  return {
    limit: Math.max(1, Math.min(stored ?? max, max)),
    successes: 0,
    decreasedAt: 0,
    blockedUntil: 0,
  }
}

/**
 * The state after one attempt's outcome.
 * @example aimdNext(aimdStart(10), { outcome: tooMany, startedAt: 1, now: 2, max: 10 }).limit // 5
 */
export function aimdNext(
  state: AimdState,
  seen: { outcome: AttemptOutcome; startedAt: number; now: number; max: number },
): AimdState {
  const { outcome, startedAt, now, max } = seen
  const limit = Math.min(state.limit, max)
  if (isCongestion(outcome) && outcome.kind === 'failed') {
    const retryAt = outcome.retryAfterMs === undefined ? 0 : startedAt + outcome.retryAfterMs
    const blockedUntil = Math.max(state.blockedUntil, retryAt)
    if (startedAt < state.decreasedAt) return { ...state, limit, blockedUntil }
    return {
      limit: Math.max(1, Math.floor(limit / 2)),
      successes: 0,
      decreasedAt: now,
      blockedUntil,
    }
  }
  if (outcome.kind !== 'delivered') return { ...state, limit }
  const successes = state.successes + 1
  if (successes < limit) return { ...state, limit, successes }
  return { ...state, limit: Math.min(max, limit + 1), successes: 0 }
}
