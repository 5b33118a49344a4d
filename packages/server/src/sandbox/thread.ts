import { Worker } from 'node:worker_threads'
import { defaultLimits, type SandboxLimits, type SandboxResult } from './run.ts'

/**
 * Custom code runs on a worker thread, one job at a time, under a hard deadline: its time limit
 * plus `graceMs`. QuickJS polls its own deadline between instructions but not inside an
 * allocation, and an allocation loop creeping up to the memory limit garbage-collects on every
 * failed allocation: 3–13 s of CPU before "out of memory" (test/sandbox/escape.test.ts). On the
 * main thread that stalled every request of every tenant; here the thread is terminated at the
 * deadline, the job fails, and a fresh thread takes the jobs that were waiting.
 */
export type SandboxJob =
  | {
      kind: 'run'
      id: number
      code: string
      entry: string
      args: readonly unknown[]
      limits: SandboxLimits
    }
  | { kind: 'check'; id: number; code: string; entry: string }

type Pending = { job: SandboxJob; deadlineMs: number; resolve: (result: unknown) => void }

// Room for passing messages and building a runtime, well above a normal run's overhead (< 1 ms).
const graceMs = 250
// Compiling is given as long as the check in run.ts allows (200 ms) plus the same grace.
const checkMs = 200

let worker: Worker | null = null
let ready = false
let running: { pending: Pending; timer: NodeJS.Timeout } | null = null
const waiting: Pending[] = []
let nextId = 1

// The worker is loaded by path, which tsc does not rewrite: worker.js beside thread.js in the
// published package (dist/), worker.ts beside thread.ts when Node runs the source.
const workerFile = new URL(
  import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js',
  import.meta.url,
)

function startWorker(): Worker {
  const started = new Worker(workerFile)
  started.unref()
  ready = false
  started.on('message', (message: { ready?: true; id?: number; result?: unknown }) => {
    if (message.ready) {
      ready = true
      return pump()
    }
    if (!running || running.pending.job.id !== message.id) return
    clearTimeout(running.timer)
    running.pending.resolve(message.result)
    running = null
    pump()
  })
  // A thread that dies (terminated or crashed) fails its job; the next job gets a new thread.
  started.on('error', () => {})
  started.on('exit', () => {
    if (worker !== started) return
    worker = null
    fail('the sandbox stopped while running the code')
    pump()
  })
  return started
}

function fail(reason: string): void {
  if (!running) return
  clearTimeout(running.timer)
  const { pending } = running
  running = null
  pending.resolve(
    pending.job.kind === 'run' ? ({ ok: false, error: reason } satisfies SandboxResult) : reason,
  )
}

function pump(): void {
  if (running || waiting.length === 0) return
  worker ??= startWorker()
  if (!ready) return
  const pending = waiting.shift()!
  const stalled = worker
  const timer = setTimeout(() => {
    fail('the code ran past its time limit')
    worker = null
    void stalled.terminate()
    pump()
  }, pending.deadlineMs)
  timer.unref()
  running = { pending, timer }
  worker.postMessage(pending.job)
}

function submit<T>(job: SandboxJob, deadlineMs: number): Promise<T> {
  return new Promise<T>((resolve) => {
    waiting.push({ job, deadlineMs, resolve: resolve as (result: unknown) => void })
    pump()
  })
}

/**
 * Runs `entry(...args)` from `code` in QuickJS on the sandbox thread (see run.ts for the limits).
 * Never throws.
 * @example await runSandboxed('function verify(r) { return r.method === "POST" }', 'verify', [req])
 */
export function runSandboxed(
  code: string,
  entry: string,
  args: readonly unknown[],
  limits: SandboxLimits = defaultLimits,
): Promise<SandboxResult> {
  const id = nextId++
  return submit({ kind: 'run', id, code, entry, args, limits }, limits.timeMs + graceMs)
}

/**
 * Compiles `code` on the sandbox thread and checks that it defines `entry` as a function.
 * @returns null when it does, else what is wrong
 */
export function checkSandboxCode(code: string, entry: string): Promise<string | null> {
  const id = nextId++
  return submit({ kind: 'check', id, code, entry }, checkMs + graceMs)
}
