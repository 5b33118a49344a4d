import { describe, expect, it } from 'vitest'
import { groupCommit } from '../../src/store/index.ts'

/** A writer whose batches the test releases by hand, recording what each call wrote. */
function gatedWriter(fail: (item: number) => boolean = () => false) {
  const batches: number[][] = []
  const gates: (() => void)[] = []
  const write = async (items: number[]) => {
    batches.push(items)
    await new Promise<void>((release) => gates.push(release))
    if (items.some(fail)) throw new Error(`bad item in ${items.join(',')}`)
    return items.map((n) => n * 10)
  }
  const releaseAll = async () => {
    while (gates.length > 0) {
      gates.shift()!()
      await new Promise((r) => setImmediate(r))
    }
  }
  return { write, batches, releaseAll }
}

const nextTurn = () => new Promise((r) => setImmediate(r))

describe('groupCommit', () => {
  it('writes the calls of one turn together, and calls made while it writes as the next batch', async () => {
    const w = gatedWriter()
    const insert = groupCommit(w.write, { maxInFlight: 1 })
    const first = [1, 2].map((n) => insert(n))
    expect(w.batches).toEqual([])
    await nextTurn()
    expect(w.batches).toEqual([[1, 2]])
    const second = [3, 4].map((n) => insert(n))
    await w.releaseAll()
    expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40])
    expect(w.batches).toEqual([
      [1, 2],
      [3, 4],
    ])
  })

  it('batches a store that answers in microtasks (PGlite) by the turn', async () => {
    const batches: number[][] = []
    const insert = groupCommit(async (items: number[]) => {
      batches.push(items)
      return items.map((n) => n * 10)
    })
    // Like requests read in one turn: each call waits for its own write before the next is made.
    const results = await Promise.all([1, 2, 3].map((n) => insert(n)))
    expect(results).toEqual([10, 20, 30])
    expect(batches).toEqual([[1, 2, 3]])
  })

  it('caps batches at maxBatch and keeps maxInFlight batches going', async () => {
    const w = gatedWriter()
    const insert = groupCommit(w.write, { maxBatch: 2, maxInFlight: 2 })
    const results = [1, 2, 3, 4, 5, 6].map((n) => insert(n))
    await nextTurn()
    expect(w.batches).toEqual([
      [1, 2],
      [3, 4],
    ])
    await w.releaseAll()
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60])
    expect(w.batches.slice(2)).toEqual([[5, 6]])
  })

  it('retries a failed batch row by row so only the bad row fails', async () => {
    const w = gatedWriter((n) => n === 3)
    const insert = groupCommit(w.write, { maxInFlight: 1 })
    const results = [1, 2, 3, 4].map((n) => insert(n).catch((e: Error) => e.message))
    await nextTurn()
    await w.releaseAll()
    expect(await Promise.all(results)).toEqual([10, 20, 'bad item in 3', 40])
    expect(w.batches).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]])
  })
})
