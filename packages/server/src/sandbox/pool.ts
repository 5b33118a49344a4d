import { availableParallelism } from 'node:os'
import { inSpan } from '../tracing/index.ts'
import { createFairQueue } from './fair-queue.ts'
import { checkTimeMs, defaultLimits, type SandboxLimits, type SandboxResult } from './run.ts'
import { graceMs, startSandboxThread, type SandboxTask, type SandboxThread } from './thread.ts'

/**
 * The sandbox pool: custom code runs on up to `threads` sandbox threads (one per core by
 * default), started as work arrives and replaced when one is terminated at its deadline. Jobs
 * wait per tenant (project) and are served in rounds (fair-queue.ts), and one tenant may run
 * on all threads but one: a flood of one project's memory-hungry code leaves a thread to the
 * others, and with several flooding, holds another project's job back by about one job per
 * thread, not by the backlog (issue 24). Each project may have `queuePerTenant` jobs waiting:
 * past that, its runs are refused with a `retryAfterSeconds`, and /hooks answers 503
 * `sandbox_busy`. A job's time limit starts when its thread starts it, never while it waits.
 */
export interface SandboxPoolSettings {
  /** Most sandbox threads. (Default: os.availableParallelism()) */
  threads: number
  /** Most jobs one tenant may have waiting for a thread. (Default: 32) */
  queuePerTenant: number
}

export const defaultPoolSettings: Readonly<SandboxPoolSettings> = {
  threads: Math.max(1, availableParallelism()),
  queuePerTenant: 32,
}

/** Who a job is for; jobs are queued and served fairly per tenant. */
export interface SandboxOptions {
  /** The project the code belongs to. */
  tenant: string
  limits?: SandboxLimits
}

/** What a check gives back: fine, what is wrong with the code, or refused (queue full). */
export type SandboxCheck = { ok: true } | { ok: false; error: string; retryAfterSeconds?: number }

interface Waiting {
  tenant: string
  task: SandboxTask
  budgetMs: number
  resolve: (result: unknown) => void
}

let settings: SandboxPoolSettings = { ...defaultPoolSettings }
const threads = new Set<SandboxThread>()
// The tenant holding each thread: its job runs there, or its job ended the thread this one
// replaces and the replacement is still starting. Counted per tenant against tenantThreads().
const holders = new Map<SandboxThread, string>()
const held = new Map<string, number>()
const queue = createFairQueue<Waiting>(() => settings.queuePerTenant)
// Threads that failed to start since one last became ready: no more are started meanwhile.
let startFailures = 0
const runObservers = new Set<(seconds: number, ok: boolean) => void>()

/**
 * Hears of every run's time on a thread (metrics/). The pool is the process's, so an observer
 * hears every engine's runs in this process.
 * @returns a function that stops the observer
 * @example const stop = observeSandboxRuns((seconds, ok) => histogram.observe(seconds))
 */
export function observeSandboxRuns(observer: (seconds: number, ok: boolean) => void): () => void {
  runObservers.add(observer)
  return () => void runObservers.delete(observer)
}

function observed(started: number, result: unknown): unknown {
  const ok =
    typeof result === 'object' && result !== null && 'ok' in result
      ? result.ok === true
      : result === null
  const seconds = (performance.now() - started) / 1000
  for (const observer of runObservers) observer(seconds, ok)
  return result
}

/**
 * Sizes the pool (main.ts, from the config). Threads above a smaller size end once idle.
 * @example configureSandbox({ threads: 4, queuePerTenant: 32 })
 */
export function configureSandbox(next: Partial<SandboxPoolSettings>): void {
  settings = { ...settings, ...next }
  for (const thread of threads) if (threads.size > settings.threads) thread.close()
}

/** Threads by state and jobs waiting, in all and for `tenant` (tests, benchmarks). */
export function sandboxLoad(tenant?: string) {
  const states = [...threads].map((thread) => thread.state)
  return {
    threads: states.length,
    starting: states.filter((state) => state === 'starting').length,
    idle: states.filter((state) => state === 'idle').length,
    busy: states.filter((state) => state === 'busy').length,
    waiting: queue.size,
    waitingFor: tenant === undefined ? 0 : queue.waiting(tenant),
    /** Threads `tenant` holds: running its jobs, or replacing a thread its job ended. */
    heldBy: tenant === undefined ? 0 : (held.get(tenant) ?? 0),
  }
}

/**
 * Runs `entry(...args)` from `code` in QuickJS on a sandbox thread (see run.ts for the limits),
 * queued fairly with `tenant`'s other jobs. Never throws. Traced as `switchyard.sandbox.run`
 * (its queueing included) inside whatever span runs it (a /hooks request, a routing).
 * @example await runSandboxed('function verify(r) { return r.method === "POST" }', 'verify', [req], { tenant: projectId })
 */
export async function runSandboxed(
  code: string,
  entry: string,
  args: readonly unknown[],
  options: SandboxOptions,
): Promise<SandboxResult> {
  return inSpan('switchyard.sandbox.run', { 'switchyard.sandbox.entry': entry }, async (span) => {
    const limits = options.limits ?? defaultLimits
    const task: SandboxTask = { kind: 'run', code, entry, args, limits }
    const queued = submit(options.tenant, task, limits.timeMs)
    const result = 'refused' in queued ? queued.refused : ((await queued.result) as SandboxResult)
    span?.setAttribute('switchyard.sandbox.ok', result.ok)
    return result
  })
}

/**
 * Compiles `code` on a sandbox thread, queued fairly with `tenant`'s other jobs, and checks
 * that it defines `entry` as a function. Never throws.
 * @example const check = await checkSandboxCode(code, 'verify', { tenant: projectId })
 */
export async function checkSandboxCode(
  code: string,
  entry: string,
  options: { tenant: string },
): Promise<SandboxCheck> {
  const queued = submit(options.tenant, { kind: 'check', code, entry }, checkTimeMs)
  if ('refused' in queued) return queued.refused
  const problem = (await queued.result) as string | null
  return problem === null ? { ok: true } : { ok: false, error: problem }
}

type Refusal = { ok: false; error: string; retryAfterSeconds: number }

function submit(
  tenant: string,
  task: SandboxTask,
  budgetMs: number,
): { result: Promise<unknown> } | { refused: Refusal } {
  let resolve!: (result: unknown) => void
  const result = new Promise<unknown>((done) => (resolve = done))
  if (!queue.push(tenant, { tenant, task, budgetMs, resolve }))
    return { refused: refusal(tenant, budgetMs) }
  pump()
  return { result }
}

/**
 * A full queue: when to come back is when the tenant's waiting jobs would be done if each ran
 * to its hard deadline, spread over the threads.
 */
function refusal(tenant: string, budgetMs: number): Refusal {
  const waiting = queue.waiting(tenant)
  const seconds = Math.ceil((waiting * (budgetMs + graceMs)) / tenantThreads() / 1000)
  const retryAfterSeconds = Math.max(1, seconds)
  return {
    ok: false,
    error: `the sandbox is busy: this project already has ${waiting} custom-code runs waiting (the most a project may have); retry after ${retryAfterSeconds} s`,
    retryAfterSeconds,
  }
}

/** Most threads one tenant may hold: all but one, so that another tenant always finds one. */
const tenantThreads = () => Math.max(1, settings.threads - 1)
const eligible = (tenant: string) => (held.get(tenant) ?? 0) < tenantThreads()

function hold(thread: SandboxThread, tenant: string): void {
  holders.set(thread, tenant)
  held.set(tenant, (held.get(tenant) ?? 0) + 1)
}

function release(thread: SandboxThread): string | undefined {
  const tenant = holders.get(thread)
  if (tenant === undefined) return undefined
  holders.delete(thread)
  const left = held.get(tenant)! - 1
  if (left === 0) held.delete(tenant)
  else held.set(tenant, left)
  return tenant
}

/** Hands waiting jobs to idle threads, and starts threads while jobs outnumber those starting. */
function pump(): void {
  for (const thread of threads) {
    if (queue.size === 0) break
    if (thread.state !== 'idle') continue
    const job = queue.shift(eligible)
    if (!job) break
    hold(thread, job.tenant)
    const started = performance.now()
    void thread
      .run(job.task, job.budgetMs)
      .then((result) => job.resolve(runObservers.size > 0 ? observed(started, result) : result))
  }
  let starting = [...threads].filter((thread) => thread.state === 'starting').length
  while (startFailures === 0 && threads.size < settings.threads && queue.size > starting) {
    threads.add(startSandboxThread(onChange))
    starting++
  }
}

function onChange(thread: SandboxThread): void {
  if (thread.state === 'idle') {
    startFailures = 0
    release(thread)
    // The pool shrank: this thread ends, and its 'gone' comes back here.
    if (threads.size > settings.threads) return thread.close()
  }
  if (thread.state === 'gone') {
    threads.delete(thread)
    const tenant = release(thread)
    // A job that ended its thread (the hard deadline, a crash) holds the replacement until it
    // is ready: starting a thread takes a while, and a flood of code killed every time would
    // otherwise take the free thread each time its own was being replaced.
    if (tenant !== undefined && thread.startError === null && threads.size < settings.threads) {
      const replacement = startSandboxThread(onChange)
      threads.add(replacement)
      hold(replacement, tenant)
    }
    if (thread.startError !== null) startFailures++
    // Threads that cannot start, and none left to take the waiting jobs: fail those jobs rather
    // than start threads in a loop; the next job tries again.
    if (thread.startError !== null && threads.size === 0) {
      startFailures = 0
      const reason = `the sandbox could not start: ${thread.startError}`
      for (const job of queue.drain())
        job.resolve(job.task.kind === 'run' ? { ok: false, error: reason } : reason)
    }
  }
  pump()
}
