import { describe, expect, it } from 'vitest'
import { parseRetryAfter, retryDelayMs } from '../../src/delivery/index.ts'

const failed = { kind: 'failed' as const, errorClass: 'http_status' as const, message: 'HTTP 500' }
const schedule = [5, 300, 1800, 7200, 18000, 36000, 36000]
const exact = { schedule, jitter: 0, random: () => 0.5 }

describe('retryDelayMs', () => {
  it('waits each step of the schedule in turn', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(failed, n, exact))).toEqual(
      schedule.map((s) => s * 1000),
    )
  })

  it('gives up after attempt 8 of the default schedule', () => {
    expect(retryDelayMs(failed, 8, exact)).toBeNull()
  })

  it('spreads a step by the jitter both ways', () => {
    const low = retryDelayMs(failed, 1, { schedule, jitter: 0.2, random: () => 0 })
    const high = retryDelayMs(failed, 1, { schedule, jitter: 0.2, random: () => 0.999999 })
    expect(low).toBe(4000)
    expect(high).toBeCloseTo(6000, -1)
  })

  it('honours a Retry-After shorter than the step', () => {
    expect(retryDelayMs({ ...failed, retryAfterMs: 2000 }, 2, exact)).toBe(2000)
  })

  it('caps a Retry-After longer than the step at the step', () => {
    expect(retryDelayMs({ ...failed, retryAfterMs: 86_400_000 }, 1, exact)).toBe(5000)
  })
})

describe('parseRetryAfter', () => {
  const now = new Date('2025-01-01T00:00:00Z')

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000)
  })

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000)
  })

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined()
  })
})
