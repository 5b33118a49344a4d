import type { AttemptOutcome } from './types.ts'

/**
 * Adaptive concurrency per destination, AIMD as TCP does it: the limit halves on a sign of
 * congestion (429, 502, 503, 504, a timeout) and grows by one per window of successes (a
 * window = as many successes as the current limit), up to the configured maximum.
 * A congestion signal from an attempt that started before the last decrease does not halve
 * again: those requests were sent at the old limit, and counting each of them would collapse
 * the limit to 1 after one burst (TCP's one-decrease-per-window rule). `Retry-After` on those
 * answers blocks the destination until then.
 *
 * A rate, too: concurrency alone cannot hold a receiver that limits requests per second. When
 * a 429 halves it after a second of at least 20 successes, the destination also gets a pace
 * of 90 % of those successes, which grows by one request/s every 5 s without congestion and
 * is dropped after a minute of it (a slow climb: each time it overshoots, a receiver's
 * Retry-After costs a second).
 * Without the pace, a fast sender spends each second's quota in a burst, meets the 429, and
 * sits out the next second on Retry-After: half the receiver's rate (bench/self-healing (b)).
 */
export interface AimdState {
  limit: number
  successes: number
  /** When the limit last halved (epoch ms); older attempts' signals do not halve it again. */
  decreasedAt: number
  /** No new sends before this (epoch ms): the receiver's Retry-After. */
  blockedUntil: number
  /** Most sends per second, learned at the last decrease; null when unpaced. */
  rate: number | null
  /** When `rate` was last set or grown (epoch ms). */
  rateAt: number
}

/** How long a pace lasts without congestion before it is dropped. */
export const paceLifetimeMs = 60_000
/** A pace grows by one request/s per this much time without congestion. */
export const paceGrowthMs = 5_000
/** Fewest successes in the second before a 429 to learn a pace from. */
const minPaceSample = 20

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
    rate: null,
    rateAt: 0,
  }
}

/**
 * The state after one attempt's outcome.
 * @example aimdNext(aimdStart(10), { outcome: tooMany, startedAt: 1, now: 2, max: 10 }).limit // 5
 */
export function aimdNext(
  state: AimdState,
  seen: {
    outcome: AttemptOutcome
    startedAt: number
    now: number
    max: number
    /** Successes in the second before `now` (the pace a decrease learns). Default: 0. */
    recentSuccesses?: number
  },
): AimdState {
  const { outcome, startedAt, now, max } = seen
  const limit = Math.min(state.limit, max)
  if (isCongestion(outcome) && outcome.kind === 'failed') {
    const retryAt = outcome.retryAfterMs === undefined ? 0 : startedAt + outcome.retryAfterMs
    const blockedUntil = Math.max(state.blockedUntil, retryAt)
    if (startedAt < state.decreasedAt) return { ...state, limit, blockedUntil }
    // Only a 429 says "too many per second", and only a second with enough successes says how
    // many: a timeout or a 503 after a restart would teach a pace of a few requests a second.
    const recent = seen.recentSuccesses ?? 0
    const learns = outcome.status === 429 && recent >= minPaceSample
    return {
      limit: Math.max(1, Math.floor(limit / 2)),
      successes: 0,
      decreasedAt: now,
      blockedUntil,
      rate: learns ? Math.floor(recent * 0.9) : state.rate,
      rateAt: now,
    }
  }
  const paced = grownPace(state, now)
  if (outcome.kind !== 'delivered') return { ...paced, limit }
  const successes = state.successes + 1
  if (successes < limit) return { ...paced, limit, successes }
  return { ...paced, limit: Math.min(max, limit + 1), successes: 0 }
}

/** The pace grown by one request/s per `paceGrowthMs` since it was set; none after a calm minute. */
function grownPace(state: AimdState, now: number): AimdState {
  if (state.rate === null) return state
  if (now - state.decreasedAt >= paceLifetimeMs) return { ...state, rate: null, rateAt: now }
  const steps = Math.floor((now - state.rateAt) / paceGrowthMs)
  if (steps < 1) return state
  return { ...state, rate: state.rate + steps, rateAt: state.rateAt + steps * paceGrowthMs }
}
