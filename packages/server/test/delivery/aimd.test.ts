import { describe, expect, it } from 'vitest'
import { aimdNext, aimdStart, isCongestion } from '../../src/delivery/aimd.ts'
import { createDestinationSlots } from '../../src/delivery/destination-slots.ts'
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

describe('adaptive pace (requests per second)', () => {
  it("learns 90 % of the last second's successes when it halves, and only then", () => {
    let state = aimdStart(50)
    expect(state.rate).toBeNull()
    state = aimdNext(state, { outcome: ok, startedAt: 0, now: 10, max: 50, recentSuccesses: 300 })
    expect(state.rate).toBeNull()
    state = aimdNext(state, {
      outcome: failed(429, 1000),
      startedAt: 100,
      now: 110,
      max: 50,
      recentSuccesses: 200,
    })
    expect(state.rate).toBe(180)
    // A signal from a request sent before the decrease learns nothing new.
    state = aimdNext(state, {
      outcome: failed(429),
      startedAt: 105,
      now: 120,
      max: 50,
      recentSuccesses: 3,
    })
    expect(state.rate).toBe(180)
  })

  it('learns no pace from a timeout or a 5xx, nor from a 429 after a thin second', () => {
    for (const outcome of [timeout, failed(503), failed(502)]) {
      const state = aimdNext(aimdStart(10), {
        outcome,
        startedAt: 0,
        now: 1,
        max: 10,
        recentSuccesses: 500,
      })
      expect(state.limit).toBe(5)
      expect(state.rate).toBeNull()
    }
    const thin = aimdNext(aimdStart(10), {
      outcome: failed(429),
      startedAt: 0,
      now: 1,
      max: 10,
      recentSuccesses: 19,
    })
    expect(thin.rate).toBeNull()
  })

  it('keeps the pace it had when the last second had no success to learn from', () => {
    const state = aimdNext(aimdStart(10), {
      outcome: failed(503),
      startedAt: 0,
      now: 1,
      max: 10,
      recentSuccesses: 0,
    })
    expect(state.rate).toBeNull()
  })

  it('grows by one per 5 s of calm and is dropped after a calm minute', () => {
    let state = aimdNext(aimdStart(50), {
      outcome: failed(429),
      startedAt: 0,
      now: 0,
      max: 50,
      recentSuccesses: 100,
    })
    expect(state.rate).toBe(90)
    const at = (now: number) => {
      state = aimdNext(state, { outcome: ok, startedAt: now - 1, now, max: 50 })
      return state.rate
    }
    expect(at(4_999)).toBe(90)
    expect(at(5_000)).toBe(91)
    expect(at(17_000)).toBe(93)
    expect(at(59_999)).toBe(101)
    expect(at(60_000)).toBeNull()
  })

  /** Slots whose destination d1 met a 429 after `successes` in its last second, 5 ms apart. */
  function pacedSlots(successes: number) {
    const clock = { ms: 0 }
    const slots = createDestinationSlots(() => new Date(clock.ms))
    const holder = {
      id: 'd1',
      projectId: 'p1',
      ratePerSecond: null,
      maxConcurrency: 50,
      storedLimit: null,
      retry: false,
    }
    for (let i = 0; i < successes; i++) slots.observe('d1', ok, new Date((clock.ms += 5)), 50)
    slots.observe('d1', failed(429), new Date(clock.ms), 50)
    slots.acquire(holder)
    slots.release(holder)
    const tokens = () => slots.load().find((l) => l.destinationId === 'd1')?.tokens
    return { clock, slots, holder, tokens }
  }

  it('paces a destination through a bucket of a tenth of a second, below a configured rate', () => {
    const { clock, slots, holder, tokens } = pacedSlots(200)
    // 200 successes in the last second: a pace of 180/s, 18 tokens at most, 17 left.
    expect(tokens()).toBe(17)
    clock.ms += 1000
    expect(tokens()).toBe(18)
    // A configured rate below the pace wins, with its own second's worth of tokens.
    slots.acquire({ ...holder, ratePerSecond: 5 })
    expect(tokens()).toBe(4)
  })

  it('stops pacing an idle destination after a calm minute, with no result to say so', () => {
    const { clock, slots, tokens } = pacedSlots(100)
    expect(tokens()).toBe(8)
    clock.ms += 60_000
    // Its lowered concurrency stays until successes grow it; its pace and bucket are gone.
    expect(slots.load().find((l) => l.destinationId === 'd1')).toEqual({
      destinationId: 'd1',
      inFlight: 0,
      tokens: null,
      limit: 25,
    })
  })
})
