import { Worker } from 'node:worker_threads'
import { progressOf } from './progress.ts'
import type { SandboxLimits } from './run.ts'

/**
 * One sandbox thread: a worker that runs one job at a time under a hard deadline, its CPU budget
 * plus `graceMs` of wall time from when the thread starts the job. QuickJS polls its own limit
 * between instructions but not inside an allocation, and an allocation loop creeping up to the
 * memory limit garbage-collects on every failed allocation: 3–13 s of CPU before "out of memory"
 * (test/sandbox/escape.test.ts). At the deadline the thread is terminated and the job fails; the
 * pool (pool.ts) starts a fresh thread, and gives jobs only to threads that are ready, so a
 * thread's start-up never counts against a job.
 */
export type SandboxTask =
  | { kind: 'run'; code: string; entry: string; args: readonly unknown[]; limits: SandboxLimits }
  | { kind: 'check'; code: string; entry: string }

/** A task as posted to the thread, numbered so that its answer can be matched. */
export type SandboxJob = SandboxTask & { id: number }

// Room for passing messages and building a runtime, well above a normal run's overhead (< 1 ms).
export const graceMs = 250
// A thread that has not even begun a job this long after it was posted is broken: replaced.
const startTimeoutMs = 10_000
// The job is done and its answer is queued behind whatever held the main thread: look again soon.
const answerInTransitMs = 20

export type ThreadState = 'starting' | 'idle' | 'busy' | 'gone'

export interface SandboxThread {
  readonly state: ThreadState
  /** Why a thread that never became ready is gone (its start-up error). */
  readonly startError: string | null
  /** Runs one job on an idle thread; resolves with its result or a failure. Never rejects. */
  run(task: SandboxTask, budgetMs: number): Promise<unknown>
  /** Ends an idle thread (the pool shrank). */
  close(): void
}

// The worker is loaded by path, which tsc does not rewrite: worker.js beside thread.js in the
// published package (dist/), worker.ts beside thread.ts when Node runs the source.
const workerFile = new URL(
  import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js',
  import.meta.url,
)

/**
 * Starts a thread; `onChange` hears when it becomes idle (ready, or done with a job) or gone.
 * @example const thread = startSandboxThread(() => pump())
 */
export function startSandboxThread(onChange: (thread: SandboxThread) => void): SandboxThread {
  const shared = new SharedArrayBuffer(16)
  const progress = progressOf(shared)
  const worker = new Worker(workerFile, { workerData: shared })
  let state: ThreadState = 'starting'
  let startError: string | null = null
  let jobs = 0
  let running: {
    id: number
    timer: NodeJS.Timeout
    resolve: (result: unknown) => void
    kind: SandboxJob['kind']
  } | null = null

  const become = (next: ThreadState) => {
    if (state === 'gone') return
    state = next
    // A thread with a job (or starting for one) keeps the process alive, like any pending I/O;
    // an idle one does not: the old sandbox thread kept `switchyard` commands from exiting.
    if (next === 'idle') worker.unref()
    onChange(thread)
  }
  const finish = (result: unknown) => {
    if (!running) return
    clearTimeout(running.timer)
    const { resolve } = running
    running = null
    resolve(result)
  }
  const fail = (reason: string) => {
    if (running) finish(running.kind === 'run' ? { ok: false, error: reason } : reason)
  }
  const end = (reason: string) => {
    fail(reason)
    void worker.terminate()
    become('gone')
  }

  worker.on('message', (message: { ready?: true; id?: number; result?: unknown }) => {
    if (message.ready) return become('idle')
    if (running?.id !== message.id) return
    finish(message.result)
    become('idle')
  })
  worker.on('error', (error: Error) => {
    if (state === 'starting') startError = error.message
  })
  // A thread that dies (terminated or crashed) fails its job; the pool starts a new one.
  worker.on('exit', () => {
    if (state === 'starting') startError ??= 'the sandbox thread exited while starting'
    end('the sandbox stopped while running the code')
  })

  const thread: SandboxThread = {
    get state() {
      return state
    },
    get startError() {
      return startError
    },
    run(task, budgetMs) {
      if (state !== 'idle') throw new Error(`sandbox thread is ${state}`)
      jobs = (jobs % 0x7fff_ffff) + 1
      const id = jobs
      const postedAt = Date.now()
      // How long until the job is overdue, judged from what the thread itself reports.
      const remainingMs = () => {
        if (progress.finished(id)) return answerInTransitMs
        if (!progress.started(id))
          return Math.min(budgetMs + graceMs, postedAt + startTimeoutMs - Date.now())
        return progress.startedAt() + budgetMs + graceMs - Date.now()
      }
      const check = () => {
        if (!running) return
        const wait = remainingMs()
        if (wait > 0) running.timer = setTimeout(check, wait).unref()
        else end('the code ran past its time limit')
      }
      state = 'busy'
      worker.ref()
      return new Promise((resolve) => {
        running = {
          id,
          kind: task.kind,
          resolve,
          timer: setTimeout(check, budgetMs + graceMs).unref(),
        }
        worker.postMessage({ ...task, id } as SandboxJob)
      })
    },
    close() {
      if (state === 'idle') end('the sandbox was closed')
    },
  }
  return thread
}
