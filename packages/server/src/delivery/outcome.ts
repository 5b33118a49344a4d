import { retryDelayMs, type RetryOptions } from './retry-schedule.ts'
import type { AttemptOutcome, DeliveryStatus } from './types.ts'

/** Where a delivery goes after an attempt. */
export interface NextState {
  status: DeliveryStatus
  nextAttemptAt: Date | null
  error: string | null
  /** The destination must be disabled now (410 Gone). */
  disableReason: string | null
}

/**
 * The one place an attempt's outcome becomes the delivery's next state.
 * @example nextState({ kind: 'delivered', status: 200 }, 1, retry, now) // { status: 'succeeded', … }
 */
export function nextState(
  outcome: AttemptOutcome,
  attempt: number,
  retry: RetryOptions,
  now: Date,
): NextState {
  switch (outcome.kind) {
    case 'delivered':
      return { status: 'succeeded', nextAttemptAt: null, error: null, disableReason: null }
    case 'gone':
      return {
        status: 'failed',
        nextAttemptAt: null,
        error: 'HTTP 410 Gone: the receiver asked to stop',
        disableReason: 'the receiver answered 410 Gone',
      }
    case 'failed': {
      const delay = retryDelayMs(outcome, attempt, retry)
      return {
        status: delay === null ? 'failed' : 'pending',
        nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay),
        error: outcome.message,
        disableReason: null,
      }
    }
    default:
      return assertNever(outcome)
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled attempt outcome ${JSON.stringify(value)}`)
}
