import { describe, expect, it } from 'vitest'
import { aimdNext, aimdStart, isCongestion } from '../../src/delivery/aimd.ts'
import { fairShares } from '../../src/delivery/fair-share.ts'
import type { AttemptOutcome } from '../../src/delivery/types.ts'

const failed = (status: number, retryAfterMs?: number): AttemptOutcome => ({
  kind: 'failed',
  errorClass: 'http_status',
  message: `HTTP ${status}`,
  status,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
})
const ok: AttemptOutcome = { kind: 'delivered', status: 200 }
const timeout: AttemptOutcome = { kind: 'failed', errorClass: 'timeout', message: 'slow' }

describe('adaptive concurrency (AIMD)', () => {
  it('treats 429, 502, 503, 504 and timeouts as congestion, and nothing else', () => {
    for (const status of [429, 502, 503, 504]) expect(isCongestion(failed(status))).toBe(true)
    expect(isCongestion(timeout)).toBe(true)
    for (const status of [400, 500, 501]) expect(isCongestion(failed(status))).toBe(false)
    expect(isCongestion(ok)).toBe(false)
  })

  it('halves the limit on congestion, down to 1', () => {
    let state = aimdStart(10)
    const limits: number[] = []
    for (let t = 1; t <= 5; t++) {
      state = aimdNext(state, { outcome: failed(503), startedAt: t * 10, now: t * 10 + 1, max: 10 })
      limits.push(state.limit)
    }
    expect(limits).toEqual([5, 2, 1, 1, 1])
  })

  it('halves once for the requests that were already in flight at the old limit', () => {
    let state = aimdStart(10)
    state = aimdNext(state, { outcome: failed(429), startedAt: 100, now: 200, max: 10 })
    state = aimdNext(state, { outcome: failed(429), startedAt: 150, now: 210, max: 10 })
    expect(state.limit).toBe(5)
    state = aimdNext(state, { outcome: failed(429), startedAt: 220, now: 300, max: 10 })
    expect(state.limit).toBe(2)
  })

  it('grows by one per window of successes up to the maximum', () => {
    let state = { ...aimdStart(4), limit: 2 }
    const limits: number[] = []
    for (let i = 0; i < 12; i++) {
      state = aimdNext(state, { outcome: ok, startedAt: i, now: i, max: 4 })
      limits.push(state.limit)
    }
    // 2 successes to reach 3, 3 more to reach 4, then it stays at the maximum.
    expect(limits).toEqual([2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4])
  })

  it('blocks until the Retry-After of a 429, counted from the attempt start', () => {
    const state = aimdNext(aimdStart(10), {
      outcome: failed(429, 2000),
      startedAt: 1000,
      now: 1050,
      max: 10,
    })
    expect(state.blockedUntil).toBe(3000)
  })

  it('starts from the limit another worker stored, within the maximum', () => {
    expect(aimdStart(10, 3).limit).toBe(3)
    expect(aimdStart(4, 9).limit).toBe(4)
  })
})

describe('fair shares across projects', () => {
  it('keeps room for a project with nothing in flight yet', () => {
    const [solo] = fairShares([{ projectId: 'a', inFlight: 0, weight: 1 }], 500)
    expect(solo!.room).toBe(250)
  })

  it('splits the slots by weight', () => {
    const shares = fairShares(
      [
        { projectId: 'a', inFlight: 100, weight: 3 },
        { projectId: 'b', inFlight: 0, weight: 1 },
      ],
      500,
    )
    expect(shares.map((s) => s.room)).toEqual([200, 100])
  })

  it('leaves no room to a project over its share', () => {
    const [busy] = fairShares([{ projectId: 'a', inFlight: 400, weight: 1 }], 500)
    expect(busy!.room).toBe(0)
  })
})
