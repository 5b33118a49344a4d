import type { ChildProcess } from 'node:child_process'
import os from 'node:os'
import { spawnTracked } from '../helpers/processes.ts'

const bin = new URL('../../bin/switchyard.js', import.meta.url).pathname

/** How a CLI run ended. */
export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** A long-running CLI process (`listen`, `events tail`) and what it has printed so far. */
export interface CliProcess {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Resolves once `stream` has printed text matching `pattern`, or rejects after `timeoutMs`. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Sends SIGINT and resolves with the exit code. */
  stop(): Promise<number | null>
  /** Resolves with the exit code once the process has ended on its own. */
  exited(): Promise<number | null>
}

/*
 * Bounds are generous: they only end a test that is already failing. A CLI process starts in
 * about 0.5 s on an idle machine and took over 10 s with the machine busy (two cores, load 15).
 */
const defaultWaitMs = 60_000
const startWaitMs = 180_000

/**
 * The environment a CLI run gets: the server and key, no colour, and a working directory with
 * no `.switchyard/credentials.json` to fall back on.
 */
export function cliEnv(server: { url: string }, apiKey?: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NO_COLOR: '1',
    SWITCHYARD_URL: server.url,
    SWITCHYARD_DATA_DIR: os.tmpdir() + '/switchyard-cli-none',
    ...(apiKey ? { SWITCHYARD_API_KEY: apiKey } : {}),
  }
}

/**
 * Runs `switchyard …args` to completion; `input` is written to its stdin.
 * @example const { code, stdout } = await runCli(['deliveries', 'ls', '--json'], { env })
 */
export function runCli(
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number; cwd?: string },
): Promise<CliResult> {
  const proc = spawnCli(args, options.env, { cwd: options.cwd })
  proc.child.stdin!.end(options.input ?? '')
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.child.kill('SIGKILL')
      reject(new Error(`switchyard ${args.join(' ')} ran over:\n${proc.stderr()}`))
    }, options.timeoutMs ?? defaultWaitMs)
    proc.child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout: proc.stdout(), stderr: proc.stderr() })
    })
  })
}

/** Starts `switchyard …args` and returns at once. */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string } = {},
): CliProcess {
  const child = spawnTracked(process.execPath, [bin, ...args], {
    env,
    cwd: options.cwd ?? os.tmpdir(),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const output = { stdout: '', stderr: '' }
  const waiters = new Set<() => void>()
  for (const stream of ['stdout', 'stderr'] as const)
    child[stream]!.on('data', (chunk: Buffer) => {
      output[stream] += chunk.toString('utf8')
      for (const wake of waiters) wake()
    })
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code
      for (const wake of waiters) wake()
      resolve(code)
    }),
  )
  const printed = () => `stdout:\n${output.stdout}\nstderr:\n${output.stderr}`
  return {
    child,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    waitFor: (stream, pattern, timeoutMs = defaultWaitMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output[stream])
          if (match) {
            done()
            resolve(match[0])
          } else if (exitCode !== undefined) {
            done()
            reject(new Error(`exited (${exitCode}) before ${pattern} on ${stream}:\n${printed()}`))
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`no ${pattern} on ${stream} in ${timeoutMs} ms:\n${printed()}`))
        }, timeoutMs)
        const done = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      return exited
    },
    exited: () => exited,
  }
}

/**
 * `switchyard start …args`, resolved once its banner is printed, with the URL it listens on.
 * A first start migrates a fresh PGlite store: about 5 s on an idle machine, over 30 s on a busy
 * one, hence the long bound.
 * @example const engine = await startCli(['--port', '0', '--data-dir', dir], env)
 */
export async function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<CliProcess & { url: string }> {
  const proc = spawnCli(['start', ...args], env)
  await proc.waitFor('stdout', /Stop with Ctrl-C/, startWaitMs)
  const url = /Listening\s+(http:\/\/\S+)/.exec(proc.stdout())![1]!
  return { ...proc, url }
}
