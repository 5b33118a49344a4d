/**
 * Custom code in QuickJS (WebAssembly): time and memory limits, injected crypto helpers, no host.
 * @example const result = await runSandboxed(code, 'verify', [request, ctx])
 */
export { checkSandboxCode, defaultLimits, runSandboxed } from './run.ts'
export type { SandboxLimits, SandboxResult } from './run.ts'
export { helperNames } from './helpers.ts'
