/**
 * Custom code in QuickJS (WebAssembly) on a worker thread: time and memory limits, a hard
 * deadline that terminates the thread, injected crypto helpers, no host.
 * @example const result = await runSandboxed(code, 'verify', [request, ctx])
 */
export { checkSandboxCode, runSandboxed } from './thread.ts'
export { defaultLimits } from './run.ts'
export type { SandboxLimits, SandboxResult } from './run.ts'
export { helperNames } from './helpers.ts'
