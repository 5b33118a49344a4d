/**
 * Pressure, for fair scheduling. Shares of sends in flight (fair-share.ts) keep one project's
 * backlog from taking every slot, but not from taking every cycle of the process and the
 * store: a million-delivery backlog to a fast endpoint keeps the event loop and PostgreSQL
 * busy sending and recording it, and another project's first attempts queue behind that work
 * (bench/self-healing (a)). So the dispatcher feeds its load (claim time against its target,
 * event-loop use against 80 %; 1 is at the limit): while the average stays above 1 and
 * several projects send, every project's share shrinks (halving, at most once per `stepMs`,
 * down to `minScale`), then grows back by a tenth per calm step (average at most 0.5). A
 * project alone is never held back; a small project stays under its shrunken share anyway.
 */
export interface Pressure {
  /** Feeds one load reading (1 = at the limit) at `at` (epoch ms). */
  observe(load: number, at: number): void
  /** The factor on every project's share now: 1 when the store keeps up. */
  scale(): number
}

/** @example const pressure = createPressure(); pressure.observe(2.5, Date.now()) */
export function createPressure(options: { stepMs?: number; minScale?: number } = {}): Pressure {
  const stepMs = options.stepMs ?? 500
  const minScale = options.minScale ?? 0.1
  let average: number | null = null
  let scale = 1
  let changedAt = -Infinity
  return {
    observe: (load, at) => {
      // A moving average: one slow claim (a vacuum, a page of misses) is not pressure.
      average = average === null ? load : average * 0.8 + load * 0.2
      if (at - changedAt < stepMs) return
      if (average > 1 && scale > minScale) {
        scale = Math.max(minScale, scale / 2)
        changedAt = at
      } else if (average <= 0.5 && scale < 1) {
        scale = Math.min(1, scale + 0.1)
        changedAt = at
      }
    },
    scale: () => scale,
  }
}
