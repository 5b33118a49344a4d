import { describe, expect, it } from 'vitest'
import { periodic } from '../src/periodic.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('periodic', () => {
  it('runs one round at a time, reports failures and lets stop wait for the round under way', async () => {
    let started = 0
    let finished = 0
    let running = 0
    let mostAtOnce = 0
    const errors: unknown[] = []
    const job = periodic({
      name: 'test',
      intervalMs: 5,
      runAtStart: true,
      run: async () => {
        started += 1
        running += 1
        mostAtOnce = Math.max(mostAtOnce, running)
        await sleep(30)
        running -= 1
        finished += 1
        if (started === 1) throw new Error('first round fails')
      },
      onError: (err) => errors.push(err),
    })
    await job.start()
    expect(started).toBe(1)
    // Ticks come every 5 ms, rounds take 30: they never overlap, and a failed one is not the last.
    await sleep(100)
    expect(started).toBeGreaterThanOrEqual(2)
    expect(mostAtOnce).toBe(1)
    await job.stop()
    expect(finished).toBe(started)
    expect(errors.map((e) => (e as Error).message)).toEqual(['first round fails'])
    const after = started
    await sleep(20)
    expect(started).toBe(after)
  })

  it('waits for the first interval when runAtStart is false', async () => {
    let rounds = 0
    const job = periodic({
      name: 'test',
      intervalMs: 20,
      runAtStart: false,
      run: async () => {
        rounds += 1
      },
      onError: () => {},
    })
    await job.start()
    expect(rounds).toBe(0)
    await sleep(50)
    expect(rounds).toBeGreaterThan(0)
    await job.stop()
  })
})
