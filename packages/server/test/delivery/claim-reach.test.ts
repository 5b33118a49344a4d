import { describe, expect, it } from 'vitest'
import {
  claimReach,
  finishWakes,
  type ClaimReach,
  type DestinationLimits,
} from '../../src/delivery/claim-reach.ts'
import type { ClaimedDelivery } from '../../src/delivery/types.ts'

const limits = (over: Partial<DestinationLimits> = {}): DestinationLimits => ({
  project_id: 'p1',
  max_concurrency: 10,
  concurrency_limit: null,
  rate_limit_per_second: null,
  ...over,
})
const rowsOf = (destinationId: string, n: number) =>
  Array.from({ length: n }, () => ({ destination_id: destinationId }) as ClaimedDelivery)
const claim = (over: Partial<Parameters<typeof claimReach>[0]> = {}) => ({
  limit: 100,
  rows: [],
  load: [],
  projects: [],
  retries: true,
  ...over,
})

describe('what a claim may have left due', () => {
  it('a destination that took fewer than its concurrency allowed is drained', () => {
    const reach = claimReach(claim({ rows: rowsOf('a', 4) }), new Map([['a', limits()]]))
    expect(reach).toMatchObject({ full: false, retriesLeftOut: false })
    expect(reach.saturated.has('a')).toBe(false)
  })

  it('one that took its whole concurrency, counting what it had in flight, may have more', () => {
    const reach = claimReach(
      claim({
        rows: rowsOf('a', 4),
        load: [{ destinationId: 'a', inFlight: 6, tokens: null, limit: null }],
      }),
      new Map([['a', limits()]]),
    )
    expect(reach.saturated.has('a')).toBe(true)
  })

  it('judges by the adaptive limit the claim used, however it changes afterwards', () => {
    const reach = claimReach(
      claim({
        rows: rowsOf('a', 3),
        load: [{ destinationId: 'a', inFlight: 0, tokens: null, limit: 3 }],
      }),
      new Map([['a', limits()]]),
    )
    expect(reach.saturated.has('a')).toBe(true)
  })

  it('a destination with nothing claimed but its slots all taken may have more', () => {
    const reach = claimReach(
      claim({ load: [{ destinationId: 'a', inFlight: 10, tokens: null, limit: null }] }),
      new Map([['a', limits()]]),
    )
    expect(reach.saturated.has('a')).toBe(true)
  })

  it('counts rate-limit tokens and the project share like the claim does', () => {
    const byTokens = claimReach(
      claim({
        rows: rowsOf('a', 2),
        load: [{ destinationId: 'a', inFlight: 0, tokens: 2, limit: null }],
      }),
      new Map([['a', limits({ rate_limit_per_second: 5 })]]),
    )
    expect(byTokens.saturated.has('a')).toBe(true)
    const byShare = claimReach(
      claim({
        rows: rowsOf('a', 1),
        projects: [{ projectId: 'p1', inFlight: 4, weight: 1, room: 1 }],
      }),
      new Map([['a', limits()]]),
    )
    expect(byShare.saturated.has('a')).toBe(true)
    const noRoom = claimReach(
      claim({
        load: [{ destinationId: 'a', inFlight: 1, tokens: null, limit: null }],
        projects: [{ projectId: 'p1', inFlight: 1, weight: 1, room: 0 }],
      }),
      new Map([['a', limits()]]),
    )
    expect(noRoom.saturated.has('a')).toBe(true)
  })

  it('a destination whose limits it has not seen counts as saturated', () => {
    const reach = claimReach(
      claim({ load: [{ destinationId: 'b', inFlight: 1, tokens: null, limit: null }] }),
      new Map(),
    )
    expect(reach.saturated.has('b')).toBe(true)
  })

  it('a claim that took all it asked for, or left retries out, may have left anything', () => {
    const limitsOf = new Map([['a', limits({ max_concurrency: 100 })]])
    expect(claimReach(claim({ limit: 5, rows: rowsOf('a', 5) }), limitsOf).full).toBe(true)
    expect(claimReach(claim({ retries: false }), limitsOf).retriesLeftOut).toBe(true)
  })
})

describe('when a finished send wakes the claim loop', () => {
  const saturatedA: ClaimReach = { full: false, retriesLeftOut: false, saturated: new Set(['a']) }
  const drained: ClaimReach = { full: false, retriesLeftOut: false, saturated: new Set() }
  const process = { maxInFlight: 500, batchSize: 100 }

  it('wakes for a destination the claim may have left due, with room for a claim', () => {
    expect(finishWakes(saturatedA, 'a', { ...process, free: 300 })).toBe(true)
    expect(finishWakes(saturatedA, 'b', { ...process, free: 300 })).toBe(false)
    expect(finishWakes(drained, 'a', { ...process, free: 300 })).toBe(false)
  })

  it('waits for a quarter of a batch free in the process before claiming again', () => {
    const full: ClaimReach = { ...drained, full: true }
    expect(finishWakes(full, 'a', { ...process, free: 1 })).toBe(false)
    expect(finishWakes(full, 'a', { ...process, free: 24 })).toBe(false)
    expect(finishWakes(full, 'a', { ...process, free: 25 })).toBe(true)
    // The process was full: the claim may have left anything, whatever its reach says.
    expect(finishWakes(drained, 'a', { ...process, free: 25 })).toBe(true)
  })

  it("waits for a quarter of the project's fair share when the project is at its share", () => {
    const room = (projectRoom: number) => ({
      ...process,
      free: 250,
      project: { room: projectRoom, share: 250 },
    })
    expect(finishWakes(saturatedA, 'a', room(1))).toBe(false)
    expect(finishWakes(saturatedA, 'a', room(61))).toBe(false)
    expect(finishWakes(saturatedA, 'a', room(62))).toBe(true)
  })

  it("waits for a quarter of the destination's slots when only it may have more due", () => {
    const room = (free: number) => ({ ...process, free: 300, destination: { free, limit: 20 } })
    expect(finishWakes(saturatedA, 'a', room(1))).toBe(false)
    expect(finishWakes(saturatedA, 'a', room(4))).toBe(false)
    expect(finishWakes(saturatedA, 'a', room(5))).toBe(true)
    // A claim that took all it asked for may have left any destination's deliveries.
    expect(finishWakes({ ...saturatedA, full: true }, 'a', room(1))).toBe(true)
  })

  it('a tiny process or share still wakes on every finished send', () => {
    expect(finishWakes(saturatedA, 'a', { maxInFlight: 2, batchSize: 100, free: 1 })).toBe(true)
    expect(
      finishWakes(saturatedA, 'a', { ...process, free: 300, project: { room: 1, share: 3 } }),
    ).toBe(true)
  })
})
