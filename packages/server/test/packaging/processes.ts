import { spawn, type ChildProcess } from 'node:child_process'
import { track } from '../helpers/processes.ts'

/** Where and how a command runs; `timeoutMs` bounds a command that should finish by itself. */
export interface RunOptions {
  env: NodeJS.ProcessEnv
  cwd?: string
  timeoutMs?: number
}

/** How a command ended, and what it printed. */
export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
  /** stdout and stderr as they interleaved, for failure messages. */
  output: string
}

/**
 * Runs a command to completion in its own process group (npm starts shells that start Node),
 * so that a command running over its bound is killed with everything it started.
 * @example const { code, stdout } = await run('npm', ['pack', '--json'], { env, cwd })
 */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const child = track(
    spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  )
  const result = collect(child)
  const timeoutMs = options.timeoutMs ?? 300_000
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL')
      reject(new Error(`${command} ${args.join(' ')} ran over ${timeoutMs} ms:\n${result.output}`))
    }, timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ ...result, code })
    })
  })
}

/** A long-running process and what it has printed so far. */
export interface Running {
  child: ChildProcess
  output(): string
  /** Resolves with the first match of `pattern` in the output, or rejects after `timeoutMs` or at exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const running = new Set<Running>()

/**
 * Starts a long-running command in this process group (a Ctrl-C on the test run reaches it
 * too) and tracks it: `stopAll()` in teardown ends whatever a failed or timed-out test left.
 */
export function start(command: string, args: string[], options: RunOptions): Running {
  // Tracked too: the worker's exit kills it even when a test ends before `stopAll`.
  const child = track(
    spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  )
  const result = collect(child)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const proc: Running = {
    child,
    output: () => result.output,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(result.output)
          if (!match) return
          finish()
          resolve(match)
        }
        const timer = setTimeout(() => {
          finish()
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${result.output}`))
        }, timeoutMs)
        const onExit = () => {
          finish()
          reject(new Error(`exited before printing ${pattern}:\n${result.output}`))
        }
        const finish = () => {
          clearTimeout(timer)
          child.stdout!.off('data', check)
          child.stderr!.off('data', check)
          child.off('exit', onExit)
        }
        child.stdout!.on('data', check)
        child.stderr!.on('data', check)
        child.once('exit', onExit)
        check()
      }),
    stop: async (graceMs = 30_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const ended = await exited
      clearTimeout(timer)
      running.delete(proc)
      return ended
    },
  }
  running.add(proc)
  return proc
}

/** Stops every process `start` started that is still tracked. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop()))
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function collect(child: ChildProcess): Omit<RunResult, 'code'> {
  const result = { stdout: '', stderr: '', output: '' }
  for (const stream of ['stdout', 'stderr'] as const)
    child[stream]!.on('data', (chunk: Buffer) => {
      result[stream] += chunk.toString('utf8')
      result.output += chunk.toString('utf8')
    })
  return result
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal)
  } catch {}
}
