/**
 * A background job run every `intervalMs` (the pruner, the credential outbox, the vacuumer):
 * one round at a time, a failed round logged by `onError` and tried again at the next tick, and
 * `stop` waiting for the round under way.
 * @example workers: [periodic({ name: 'delivery-pruner', intervalMs: 3600_000, runAtStart: true, run, onError })]
 */
export function periodic(job: {
  name: string
  intervalMs: number
  /** Also run a round when started, not only after the first interval. */
  runAtStart: boolean
  run: () => Promise<unknown>
  onError: (err: unknown) => void
}): { name: string; start(): Promise<void>; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  const tick = () => {
    running ??= job
      .run()
      .then(() => undefined, job.onError)
      .finally(() => {
        running = null
      })
  }
  return {
    name: job.name,
    start: async () => {
      if (timer) return
      timer = setInterval(tick, job.intervalMs)
      timer.unref()
      if (job.runAtStart) tick()
    },
    stop: async () => {
      if (timer) clearInterval(timer)
      timer = null
      await running
    },
  }
}
