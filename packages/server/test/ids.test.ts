import { describe, expect, it } from 'vitest'
import { isUuid, newId } from '../src/ids.ts'

describe('newId', () => {
  it('gives unique UUIDv7s that sort in the order they were made, across many per millisecond', () => {
    const ids = Array.from({ length: 100_000 }, newId)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual(ids)
    for (const id of ids.slice(0, 1000)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(isUuid(id)).toBe(true)
    }
  })

  it('carries the current time in its first 48 bits', () => {
    const before = Date.now()
    const id = newId()
    const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16)
    expect(msecs).toBeGreaterThanOrEqual(before)
    expect(msecs).toBeLessThanOrEqual(Date.now() + 1)
  })
})
