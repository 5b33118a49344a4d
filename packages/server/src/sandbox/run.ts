import {
  newQuickJSWASMModule,
  type QuickJSContext,
  type QuickJSWASMModule,
} from 'quickjs-emscripten'
import { injectHelpers } from './helpers.ts'

/** Limits of one run. Defaults: 50 ms of CPU time, 16 MB (issue 6). */
export interface SandboxLimits {
  timeMs: number
  memoryBytes: number
}

export const defaultLimits: SandboxLimits = { timeMs: 50, memoryBytes: 16 * 1024 * 1024 }

/**
 * What a run gives back: the function's value (as JSON) or why it failed. Never throws.
 * `retryAfterSeconds` is set only when the run was refused, not run: its tenant already had a
 * full queue of runs waiting (pool.ts).
 */
export type SandboxResult =
  { ok: true; value: unknown } | { ok: false; error: string; retryAfterSeconds?: number }

// Bigger answers are refused: custom code answers a provider, it does not stream files.
const maxOutputChars = 1024 * 1024

let module: Promise<QuickJSWASMModule> | null = null
const quickjs = () => (module ??= newQuickJSWASMModule())

/** Loads QuickJS (again, after a fault dropped it) so that a run's clock does not include it. */
export async function loadQuickJS(): Promise<void> {
  await quickjs()
}

/**
 * An interrupt handler that stops a run once it has used `timeMs` of its thread's CPU time.
 * Wall time alone failed trivial runs whose thread the OS had set aside on a busy machine
 * (issue 26: `custom_code_failed` under load); CPU time is what a tenant's code takes from
 * others, and it cannot exceed wall time, so the CPU clock is read only past the wall limit.
 * Waiting in the pool's queue never counts: the clock starts here, when the run starts.
 */
export function interruptAfterCpu(
  timeMs: number,
  clock: { wallMs: () => number; cpuMs: () => number } = { wallMs: Date.now, cpuMs: threadCpuMs },
): () => boolean {
  const wallStart = clock.wallMs()
  const cpuStart = clock.cpuMs()
  return () => clock.wallMs() - wallStart > timeMs && clock.cpuMs() - cpuStart > timeMs
}

function threadCpuMs(): number {
  const { user, system } = process.threadCpuUsage()
  return (user + system) / 1000
}

/**
 * Runs `entry(...args)` from `code` in a fresh QuickJS runtime (WebAssembly): no `require`, no
 * `process`, no network, only the injected helpers, and the arguments passed as JSON. A fresh
 * runtime per call keeps tenants apart; it costs well under a millisecond.
 * @example await runInQuickJS('function verify(r) { return r.method === "POST" }', 'verify', [req])
 */
export async function runInQuickJS(
  code: string,
  entry: string,
  args: readonly unknown[],
  limits: SandboxLimits = defaultLimits,
): Promise<SandboxResult> {
  const runtime = (await quickjs()).newRuntime()
  runtime.setMemoryLimit(limits.memoryBytes)
  runtime.setMaxStackSize(512 * 1024)
  runtime.setInterruptHandler(interruptAfterCpu(limits.timeMs))
  const vm = runtime.newContext()
  try {
    injectHelpers(vm)
    const call = `${code}\n;JSON.stringify(${entry}(...JSON.parse(${JSON.stringify(JSON.stringify(args))})) ?? null)`
    return evaluate(vm, call)
  } catch (error) {
    // quickjs throws host-side for faults like out-of-memory while building handles.
    return { ok: false, error: error instanceof Error ? error.message : String(error) }
  } finally {
    disposeOrDrop(() => {
      vm.dispose()
      runtime.dispose()
    })
  }
}

/**
 * Frees a run. Code that overflows its stack can leave QuickJS unable to free the runtime, and
 * the WebAssembly build then aborts (the memory stays taken). Such a module is dropped, so the
 * next run gets a fresh one and the lost memory goes with the old module.
 */
function disposeOrDrop(dispose: () => void): void {
  try {
    dispose()
  } catch {
    module = null
  }
}

function evaluate(vm: QuickJSContext, source: string): SandboxResult {
  const result = vm.evalCode(source, 'trigger.js')
  if (result.error) {
    const error = vm.dump(result.error) as { name?: string; message?: string } | string
    result.error.dispose()
    return { ok: false, error: describeError(error) }
  }
  const text = vm.dump(result.value) as unknown
  result.value.dispose()
  if (typeof text !== 'string') return { ok: true, value: null }
  if (text.length > maxOutputChars) return { ok: false, error: 'the result is larger than 1 MiB' }
  return { ok: true, value: JSON.parse(text) }
}

function describeError(error: { name?: string; message?: string } | string): string {
  if (typeof error === 'string') return error
  const text = `${error.name ?? 'Error'}: ${error.message ?? ''}`
  return text === 'InternalError: interrupted' ? 'the code ran past its time limit' : text
}

/** CPU time a check may spend compiling. */
export const checkTimeMs = 200

/**
 * Compiles `code` and checks that it defines `entry` as a function, without running a call.
 * @returns null when it does, else what is wrong
 */
export async function checkInQuickJS(code: string, entry: string): Promise<string | null> {
  const runtime = (await quickjs()).newRuntime()
  runtime.setMemoryLimit(defaultLimits.memoryBytes)
  runtime.setInterruptHandler(interruptAfterCpu(checkTimeMs))
  const vm = runtime.newContext()
  try {
    injectHelpers(vm)
    const result = evaluate(vm, `${code}\n;JSON.stringify(typeof ${entry})`)
    if (!result.ok) return result.error
    return result.value === 'function' ? null : `the code must define a function named ${entry}`
  } finally {
    disposeOrDrop(() => {
      vm.dispose()
      runtime.dispose()
    })
  }
}
