import { parentPort, workerData } from 'node:worker_threads'
import { checkInQuickJS, loadQuickJS, runInQuickJS } from './run.ts'
import { progressOf } from './progress.ts'
import type { SandboxJob } from './thread.ts'

/**
 * A sandbox thread: runs one job at a time for thread.ts, which can terminate it. It notes in
 * shared memory when it starts and finishes each job, so the hard deadline counts from the real
 * start and an answer already sent is never mistaken for a stall (thread.ts).
 */
const port = parentPort!
const progress = progressOf(workerData as SharedArrayBuffer)
port.on('message', async (job: SandboxJob) => {
  await loadQuickJS()
  progress.start(job.id)
  const result =
    job.kind === 'run'
      ? await runInQuickJS(job.code, job.entry, job.args, job.limits)
      : await checkInQuickJS(job.code, job.entry)
  progress.finish(job.id)
  port.postMessage({ id: job.id, result })
})
// Loading QuickJS takes a moment; the thread takes jobs only once it is done.
await runInQuickJS('function ready() { return true }', 'ready', [])
port.postMessage({ ready: true })
