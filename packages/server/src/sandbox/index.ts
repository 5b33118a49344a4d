/**
 * Custom code in QuickJS (WebAssembly) on a pool of worker threads: per-project fair queues
 * with a bound, CPU-time and memory limits, a hard deadline that terminates the thread,
 * injected crypto helpers, no host.
 * @example const result = await runSandboxed(code, 'verify', [request, ctx], { tenant: projectId })
 */
export {
  checkSandboxCode,
  configureSandbox,
  defaultPoolSettings,
  observeSandboxRuns,
  runSandboxed,
  sandboxLoad,
} from './pool.ts'
export type { SandboxCheck, SandboxOptions, SandboxPoolSettings } from './pool.ts'
export { defaultLimits } from './run.ts'
export type { SandboxLimits, SandboxResult } from './run.ts'
export { helperNames } from './helpers.ts'
