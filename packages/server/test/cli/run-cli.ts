import { spawn, type ChildProcess } from 'node:child_process'
import os from 'node:os'

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
}

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
  options: { env: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number },
): Promise<CliResult> {
  const proc = spawnCli(args, options.env)
  proc.child.stdin!.end(options.input ?? '')
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.child.kill('SIGKILL')
      reject(new Error(`switchyard ${args.join(' ')} ran over:\n${proc.stderr()}`))
    }, options.timeoutMs ?? 15_000)
    proc.child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout: proc.stdout(), stderr: proc.stderr() })
    })
  })
}

/** Starts `switchyard …args` and returns at once. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    env,
    cwd: os.tmpdir(),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const output = { stdout: '', stderr: '' }
  const waiters = new Set<() => void>()
  for (const stream of ['stdout', 'stderr'] as const)
    child[stream]!.on('data', (chunk: Buffer) => {
      output[stream] += chunk.toString('utf8')
      for (const wake of waiters) wake()
    })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  return {
    child,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    waitFor: (stream, pattern, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output[stream])
          if (!match) return
          done()
          resolve(match[0])
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`no ${pattern} on ${stream} in ${timeoutMs} ms:\n${output.stderr}`))
        }, timeoutMs)
        const done = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT')
      return exited
    },
  }
}
