import type { AttemptOutcome } from './types.ts'

export interface RetryOptions {
  /** Seconds to wait after attempt 1, 2, …; attempt `schedule.length + 1` is the last. */
  schedule: readonly number[]
  /** Spread of the jitter: 0.2 waits between 80 % and 120 % of the step; 0 is exact. */
  jitter: number
  /** Returns [0, 1); tests pass a constant. */
  random: () => number
}

/**
 * How long to wait before the next attempt after attempt number `attempt` failed, or null when
 * it was the last. Jitter spreads retries of one outage so they do not return in lockstep.
 * `Retry-After` (429/503) is honoured when it asks for less than the step, and capped at the
 * step when it asks for more: a receiver can speed retries up, not park a delivery for days.
 * @example retryDelayMs(failed, 1, { schedule: [5, 300], jitter: 0, random: Math.random }) // 5000
 */
export function retryDelayMs(
  outcome: Extract<AttemptOutcome, { kind: 'failed' }>,
  attempt: number,
  options: RetryOptions,
): number | null {
  const step = options.schedule[attempt - 1]
  if (step === undefined) return null
  const spread = 1 + options.jitter * (2 * options.random() - 1)
  const scheduled = Math.round(step * 1000 * spread)
  if (outcome.retryAfterMs === undefined) return scheduled
  return Math.min(Math.max(outcome.retryAfterMs, 0), scheduled)
}

/**
 * Reads `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
 * @returns milliseconds from `now`, or undefined when absent or unreadable
 * @example parseRetryAfter('120', now) // 120000
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(at - now.getTime(), 0)
}
