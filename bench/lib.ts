import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

/** Shared bench plumbing: fresh databases, a Switchyard child process, timed loops, reports. */

/** The data of the event every delivery bench publishes: a sync record created. */
export const benchEventData = {
  syncId: '163a345e-2dd4-51ff-bcf5-7667de564bb0',
  model: 'files',
  recordId: '3ce16e33-0163-564d-98ce-99b0a25ab375',
}

/** The event every delivery bench publishes (`POST /v1/events`, `/batch`). */
export const benchEvent = {
  type: 'record.created',
  userId: 'user_01JH448D13EX2BE1SC1GXVT05R',
  integration: 'googledrive',
  data: benchEventData,
}

export const serverBin = new URL('../packages/server/bin/switchyard.js', import.meta.url).pathname
/** The Node flags the bin's shebang gives `switchyard` when it runs as a command. */
const binFlags = (/^#!.*\bnode\s+(.*)$/m.exec(readFileSync(serverBin, 'utf8'))?.[1] ?? '')
  .split(/\s+/)
  .filter(Boolean)

export interface Store {
  kind: 'postgres' | 'pglite'
  /** For PostgreSQL: the fresh database's URL. */
  url: string | null
  dataDir: string
  drop: () => Promise<void>
}

/** A fresh database (PostgreSQL when `baseUrl` is given) or a fresh PGlite data dir. */
export async function freshStore(baseUrl: string | null): Promise<Store> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-bench-'))
  if (!baseUrl) {
    return {
      kind: 'pglite',
      url: null,
      dataDir,
      drop: () => fs.rm(dataDir, { recursive: true, force: true }),
    }
  }
  const name = `switchyard_bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return {
    kind: 'postgres',
    url: url.toString(),
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
      await fs.rm(dataDir, { recursive: true, force: true })
    },
  }
}

export interface RunningServer {
  url: string
  apiKey: string
  child: ChildProcess
  stop: () => Promise<void>
}

/** Starts `switchyard start` as a child process (its own CPU, like production) and reads its credentials. */
export async function startServer(
  store: Store,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<RunningServer> {
  const child = spawn(
    process.execPath,
    [...binFlags, serverBin, 'start', '--port', '0', '--data-dir', store.dataDir, ...args],
    {
      env: {
        PATH: process.env.PATH,
        SWITCHYARD_LOG_LEVEL: 'warn',
        SWITCHYARD_ALLOW_PRIVATE_TARGETS: 'true',
        // PostgreSQL refuses to store destination secrets without one.
        SWITCHYARD_SECRET_KEY: 'switchyard-bench-secret-key',
        // e.g. BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server
        ...(process.env.BENCH_SERVER_NODE_OPTIONS
          ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS }
          : {}),
        ...(store.url ? { DATABASE_URL: store.url } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let output = ''
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk
      if (output.includes('Stop with Ctrl-C')) resolve(output)
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)))
  })
  // A worker has no URL; a start on an existing database prints no API key.
  const url = /Listening\s+(http:\/\/\S+)/.exec(banner)?.[1] ?? ''
  const apiKey = /API key\s+(sy_\S+)/.exec(banner)?.[1] ?? ''
  return {
    url,
    apiKey,
    child,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/**
 * Runs `op` from `concurrency` loops for `seconds`; returns operations per second and latencies.
 */
export async function timed(
  concurrency: number,
  seconds: number,
  op: (worker: number) => Promise<number>,
): Promise<{ perSecond: number; total: number; p50: number; p99: number }> {
  const deadline = performance.now() + seconds * 1000
  const latencies: number[] = []
  let total = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        const t0 = performance.now()
        // Not `total += await op()`: that reads `total` before the await and loses concurrent updates.
        const done = await op(worker)
        total += done
        latencies.push(performance.now() - t0)
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0
  return { perSecond: total / elapsed, total, p50: pct(0.5), p99: pct(0.99) }
}

/** Prints a table and writes the figures as JSON under bench/results/. */
export async function report(name: string, rows: Record<string, string | number>[]): Promise<void> {
  console.table(rows)
  const dir = new URL('./results/', import.meta.url).pathname
  await fs.mkdir(dir, { recursive: true })
  const file = path.join(dir, `${name}.json`)
  await fs.writeFile(
    file,
    JSON.stringify({ at: new Date().toISOString(), cpus: os.cpus().length, rows }, null, 2) + '\n',
  )
  console.log(`written to ${path.relative(process.cwd(), file)}`)
}

export interface Receiver {
  url: string
  child: ChildProcess
  get: <T>(path: string) => Promise<T>
  reset: (record: boolean) => Promise<void>
  stop: () => Promise<void>
}

/** Starts bench/receiver.ts in its own process (see there for its paths). */
export async function startReceiver(): Promise<Receiver> {
  const local = await startLocalServer(new URL('./receiver.ts', import.meta.url).pathname, {
    nodeArgs: ['--max-old-space-size=4096'],
  })
  const { url } = local
  return {
    ...local,
    get: async <T>(p: string) => (await (await fetch(url + p)).json()) as T,
    reset: async (rec: boolean) =>
      void (await fetch(url + '/reset', { method: 'POST', body: JSON.stringify({ record: rec }) })),
  }
}

export interface LocalServer {
  /** `http://127.0.0.1:port` */
  url: string
  child: ChildProcess
  stop: () => Promise<void>
}

/**
 * Runs a bench helper script (a receiver, a baseline server) in its own process, so it never
 * shares an event loop with the bench; the script prints `{"port": n}` once listening.
 */
export async function startLocalServer(
  file: string,
  options: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<LocalServer> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), file], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...options.env },
  })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk) => {
      out += chunk
      const m = /\{"port":(\d+)\}/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`${path.basename(file)} exited with ${code}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** A small JSON client for the Switchyard API. */
export function api(base: string, apiKey: string) {
  return async <T = unknown>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(base + p, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (res.status >= 300) throw new Error(`${method} ${p} answered ${res.status}: ${text}`)
    return (text ? JSON.parse(text) : null) as T
  }
}

/** A process's resident set size in MB, from /proc (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 20,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, everyMs))
  }
  return false
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * With BENCH_VERBOSE set, prints the worst latency of each second of sending, which tells a
 * stall (one bad second) from a slow spread (every second a little worse).
 * @param samples [sent at, latency] pairs, in ms
 */
export function printWorstPerSecond(label: string, samples: [number, number][]): void {
  if (!process.env.BENCH_VERBOSE || samples.length === 0) return
  const t0 = Math.min(...samples.map(([sentAt]) => sentAt))
  const worst: number[] = []
  for (const [sentAt, latency] of samples) {
    const second = Math.floor((sentAt - t0) / 1000)
    worst[second] = Math.max(worst[second] ?? 0, Math.round(latency))
  }
  // Wall-clock samples (ms since the epoch) name their first second, to line up with other logs.
  const from = t0 > 1e12 ? ` from ${new Date(t0).toISOString().slice(11, 19)}` : ''
  console.error(`${label}: worst latency per second${from}: ${worst.join(' ')}`)
}
