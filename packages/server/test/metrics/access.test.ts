import { describe, expect, it } from 'vitest'
import { isLoopback, mayReadMetrics, uuidv7Millis } from '../../src/metrics/index.ts'
import { newId } from '../../src/ids.ts'

const instance = (token: string) => token === 'sya_admin'

describe('mayReadMetrics', () => {
  it('is open on a loopback-only engine without a metrics token', () => {
    expect(
      mayReadMetrics({ token: null, checkInstanceToken: instance, host: '127.0.0.1' }, undefined),
    ).toBe(true)
    expect(
      mayReadMetrics({ token: null, checkInstanceToken: instance, host: '::1' }, undefined),
    ).toBe(true)
  })

  it('needs the instance token on an engine that listens beyond loopback', () => {
    const access = { token: null, checkInstanceToken: instance, host: '0.0.0.0' }
    expect(mayReadMetrics(access, undefined)).toBe(false)
    expect(mayReadMetrics(access, 'Bearer guess')).toBe(false)
    expect(mayReadMetrics(access, 'Bearer sya_admin')).toBe(true)
  })

  it('needs the metrics token once one is set, even on loopback', () => {
    const access = { token: 'scrape', checkInstanceToken: instance, host: '127.0.0.1' }
    expect(mayReadMetrics(access, undefined)).toBe(false)
    expect(mayReadMetrics(access, 'Bearer scrap')).toBe(false)
    expect(mayReadMetrics(access, 'bearer scrape')).toBe(true)
  })

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ])
  })
})

describe('uuidv7Millis', () => {
  it('reads the millisecond an id was made', () => {
    const before = Date.now()
    const at = uuidv7Millis(newId())!
    expect(at).toBeGreaterThanOrEqual(before)
    expect(at).toBeLessThanOrEqual(Date.now())
    expect(uuidv7Millis('0aea7d3a-b5f7-4488-890e-d51a5cf4f8f1')).toBeNull()
  })
})
