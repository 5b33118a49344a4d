/**
 * Store pressure, for fair scheduling. Shares of sends in flight (fair-share.ts) keep one
 * project's backlog from taking every slot, but not from taking every cycle of the store: a
 * million-delivery backlog to a fast endpoint keeps claims and result writes coming as fast as
 * PostgreSQL serves them, and another project's first attempts queue behind them there
 * (bench/self-healing (a)). So the claim's own duration is watched: while it stays above
 * `targetMs` and several projects send, every project's share shrinks (halving, at most once
 * per `stepMs`, down to `minScale`), then grows back by a tenth per calm step. A project alone
 * is never held back; a small project stays under its shrunken share anyway.
 */
export interface Pressure {
  /** Feeds one claim's duration (real milliseconds) at `at` (epoch ms). */
  observe(claimMs: number, at: number): void
  /** The factor on every project's share now: 1 when the store keeps up. */
  scale(): number
}

/** @example const pressure = createPressure({ targetMs: 15 }); pressure.observe(40, Date.now()) */
export function createPressure(options: {
  targetMs: number
  stepMs?: number
  minScale?: number
}): Pressure {
  const stepMs = options.stepMs ?? 500
  const minScale = options.minScale ?? 0.1
  let average: number | null = null
  let scale = 1
  let changedAt = -Infinity
  return {
    observe: (claimMs, at) => {
      // A moving average: one slow claim (a vacuum, a page of misses) is not pressure.
      average = average === null ? claimMs : average * 0.8 + claimMs * 0.2
      if (at - changedAt < stepMs) return
      if (average > options.targetMs && scale > minScale) {
        scale = Math.max(minScale, scale / 2)
        changedAt = at
      } else if (average <= options.targetMs / 2 && scale < 1) {
        scale = Math.min(1, scale + 0.1)
        changedAt = at
      }
    },
    scale: () => scale,
  }
}
