/** A clock for the engine's `now`: real time plus an offset that tests move forward. */
export interface TestClock {
  now: () => Date
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void
}

/**
 * Starts at real time, so signatures made at offset 0 verify against the wall clock.
 * @example const clock = createClock(); startTestServer({ now: clock.now }); clock.advance(5_000)
 */
export function createClock(): TestClock {
  let offset = 0
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms
    },
  }
}
