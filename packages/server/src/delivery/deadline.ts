/**
 * An attempt's deadline joined with the dispatcher's stop, as one AbortSignal.
 *
 * Why not `AbortSignal.any([AbortSignal.timeout(ms), stop])`: a timeout signal cannot be
 * cleared, so each one, the composed signal and the listeners on it stayed alive for the whole
 * timeout (30 s by default) after the answer came, and every composed signal is tied to the
 * long-lived stop signal through FinalizationRegistry entries. At thousands of sends a second
 * that held ~190 MB more RSS after bench/deliver's throughput phases, and the registries'
 * cleanup after a GC ran as one block of 40+ ms (a profile of bench/self-healing (a)), stalling
 * every other project's sends. A plain controller, a timer and one listener go when the attempt
 * ends.
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
