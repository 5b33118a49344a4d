import { describe, expect, it, vi } from 'vitest'
import { startDeadline } from '../../src/delivery/deadline.ts'

describe('startDeadline', () => {
  it('aborts when the time is up, and says it timed out', () => {
    vi.useFakeTimers()
    try {
      const deadline = startDeadline(1000)
      vi.advanceTimersByTime(999)
      expect(deadline.signal.aborted).toBe(false)
      vi.advanceTimersByTime(1)
      expect(deadline.signal.aborted).toBe(true)
      expect(deadline.timedOut()).toBe(true)
      expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError')
    } finally {
      vi.useRealTimers()
    }
  })

  it('aborts with the stop reason when stopped first, without calling it a timeout', () => {
    const stop = new AbortController()
    const deadline = startDeadline(60_000, stop.signal)
    stop.abort(new Error('shutting down'))
    expect(deadline.signal.aborted).toBe(true)
    expect(deadline.timedOut()).toBe(false)
    expect((deadline.signal.reason as Error).message).toBe('shutting down')
    deadline.dispose()
  })

  it('starts aborted under a stop that already happened', () => {
    const stop = new AbortController()
    stop.abort()
    expect(startDeadline(60_000, stop.signal).signal.aborted).toBe(true)
  })

  it('lets go of the timer and the stop once disposed', () => {
    vi.useFakeTimers()
    try {
      const stop = new AbortController()
      const deadline = startDeadline(1000, stop.signal)
      deadline.dispose()
      vi.advanceTimersByTime(5000)
      stop.abort()
      expect(deadline.signal.aborted).toBe(false)
      expect(deadline.timedOut()).toBe(false)
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })
})
