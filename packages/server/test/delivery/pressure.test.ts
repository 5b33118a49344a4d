import { describe, expect, it } from 'vitest'
import { fairShares } from '../../src/delivery/fair-share.ts'
import { createPressure } from '../../src/delivery/pressure.ts'

describe('store pressure on fair shares', () => {
  it('stays at 1 while the load keeps under 1', () => {
    const pressure = createPressure()
    for (let at = 0; at < 10_000; at += 100) pressure.observe(0.3, at)
    expect(pressure.scale()).toBe(1)
  })

  it('halves at most once per step while the average load is over 1, down to its floor', () => {
    const pressure = createPressure({ stepMs: 500, minScale: 0.1 })
    const scales: number[] = []
    for (let at = 0; at <= 2_000; at += 100) {
      pressure.observe(4, at)
      if (at % 500 === 0) scales.push(pressure.scale())
    }
    expect(scales).toEqual([0.5, 0.25, 0.125, 0.1, 0.1])
  })

  it('does not react to one slow reading among fast ones', () => {
    const pressure = createPressure()
    for (let at = 0; at < 1_000; at += 100) pressure.observe(0.3, at)
    pressure.observe(3, 1_000)
    expect(pressure.scale()).toBe(1)
  })

  it('grows back by a tenth per calm step', () => {
    const pressure = createPressure({ stepMs: 500 })
    pressure.observe(7, 0)
    expect(pressure.scale()).toBe(0.5)
    // Fast claims within the step bring the average down; nothing changes before the step ends.
    for (let i = 0; i < 20; i++) pressure.observe(0.05, 400)
    expect(pressure.scale()).toBe(0.5)
    let at = 500
    pressure.observe(0.05, at)
    expect(pressure.scale()).toBeCloseTo(0.6)
    for (let i = 0; i < 4; i++) pressure.observe(0.05, (at += 500))
    expect(pressure.scale()).toBeCloseTo(1)
    pressure.observe(0.05, at + 500)
    expect(pressure.scale()).toBe(1)
  })

  it('scales every project share, the room left after what each has in flight', () => {
    const projects = [
      { projectId: 'backlog', inFlight: 150, weight: 1 },
      { projectId: 'small', inFlight: 3, weight: 1 },
    ]
    // 500 x 1 / 3 = 167 each at full scale; 17 at a tenth.
    expect(fairShares(projects, 500).map((p) => p.room)).toEqual([17, 164])
    expect(fairShares(projects, 500, 0.1).map((p) => p.room)).toEqual([0, 14])
  })
})
