import { parentPort } from 'node:worker_threads'
import { checkSandboxCode, runSandboxed } from './run.ts'
import type { SandboxJob } from './thread.ts'

/** The sandbox thread: runs one job at a time for thread.ts, which can terminate it. */
const port = parentPort!
port.on('message', async (job: SandboxJob) => {
  const result =
    job.kind === 'run'
      ? await runSandboxed(job.code, job.entry, job.args, job.limits)
      : await checkSandboxCode(job.code, job.entry)
  port.postMessage({ id: job.id, result })
})
// Loading QuickJS takes a moment; the first job's clock starts only once it is done.
await runSandboxed('function ready() { return true }', 'ready', [])
port.postMessage({ ready: true })
