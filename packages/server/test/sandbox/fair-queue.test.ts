import { describe, expect, it } from 'vitest'
import { createFairQueue } from '../../src/sandbox/fair-queue.ts'

const drain = (queue: { shift(): string | undefined }) => {
  const out: string[] = []
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item)
  return out
}

describe('fair queue', () => {
  it('serves tenants in rounds, one job each, not in arrival order', () => {
    const queue = createFairQueue<string>(() => 10)
    for (const item of ['a1', 'a2', 'a3', 'a4']) queue.push('a', item)
    queue.push('b', 'b1')
    queue.push('c', 'c1')
    queue.push('c', 'c2')
    expect(drain(queue)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3', 'a4'])
  })

  it('puts a tenant that arrives behind a backlog next in line', () => {
    const queue = createFairQueue<string>(() => 10)
    for (const item of ['a1', 'a2', 'a3']) queue.push('a', item)
    expect(queue.shift()).toBe('a1')
    queue.push('b', 'b1')
    expect(queue.shift()).toBe('b1')
    expect(drain(queue)).toEqual(['a2', 'a3'])
  })

  it('does not let a tenant that empties and refills jump ahead twice in a round', () => {
    const queue = createFairQueue<string>(() => 10)
    for (const item of ['a1', 'a2']) queue.push('a', item)
    queue.push('b', 'b1')
    expect(queue.shift()).toBe('a1')
    expect(queue.shift()).toBe('b1')
    // b comes back in the round it was served in: a's turn comes first.
    queue.push('b', 'b2')
    expect(drain(queue)).toEqual(['a2', 'b2'])
  })

  it("refuses past a tenant's bound, and only that tenant", () => {
    let limit = 2
    const queue = createFairQueue<string>(() => limit)
    expect(queue.push('a', 'a1')).toBe(true)
    expect(queue.push('a', 'a2')).toBe(true)
    expect(queue.push('a', 'a3')).toBe(false)
    expect(queue.push('b', 'b1')).toBe(true)
    expect([queue.waiting('a'), queue.waiting('b'), queue.size]).toEqual([2, 1, 3])
    limit = 3
    expect(queue.push('a', 'a3')).toBe(true)
    expect(queue.drain().sort()).toEqual(['a1', 'a2', 'a3', 'b1'])
    expect([queue.size, queue.shift()]).toEqual([0, undefined])
  })

  it('skips a tenant held back, which keeps its turn', () => {
    const queue = createFairQueue<string>(() => 10)
    for (const item of ['a1', 'a2']) queue.push('a', item)
    queue.push('b', 'b1')
    queue.push('c', 'c1')
    expect(queue.shift((tenant) => tenant !== 'a')).toBe('b1')
    expect(queue.shift((tenant) => tenant === 'b')).toBeUndefined()
    expect(drain(queue)).toEqual(['a1', 'c1', 'a2'])
  })
})
