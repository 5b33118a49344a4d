/**
 * An attempt's deadline joined with the dispatcher's stop, as one AbortSignal.
 *
 * Why not `AbortSignal.any([AbortSignal.timeout(ms), stop])`: every composed signal registers
 * itself with the long-lived stop signal through a FinalizationRegistry, and at thousands of
 * sends a second the registry's cleanup after a GC ran as one block of 40+ ms (bench/self-healing
 * (a), a profile of the loaded server), stalling every other project's sends behind it. A plain
 * controller, a timer and one listener are released as soon as the attempt ends.
 */
export interface Deadline {
  signal: AbortSignal
  /** Whether the deadline (not the stop) ended the attempt. */
  timedOut(): boolean
  /** Clears the timer and the listener; call when the attempt ends, however it ends. */
  dispose(): void
}

/** @example const deadline = startDeadline(5000, stop); try { await send(deadline.signal) } finally { deadline.dispose() } */
export function startDeadline(timeoutMs: number, stop?: AbortSignal): Deadline {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'))
  }, timeoutMs)
  const onStop = () => controller.abort(stop?.reason)
  if (stop?.aborted) onStop()
  else stop?.addEventListener('abort', onStop, { once: true })
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer)
      stop?.removeEventListener('abort', onStop)
    },
  }
}
