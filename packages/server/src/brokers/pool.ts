import { performance } from 'node:perf_hooks'
import { connectAddress } from '../outbound/index.ts'
import type { BrokerKind, StoredBroker } from './config.ts'
import { codeOf, messageOf } from './errors.ts'
import { natsDriver } from './nats.ts'
import { rabbitmqDriver } from './rabbitmq.ts'
import { redisDriver } from './redis.ts'
import type { BrokerConnection, BrokerDriver, BrokerMessage, PublishResult } from './types.ts'

const drivers: Record<BrokerKind, BrokerDriver> = {
  rabbitmq: rabbitmqDriver,
  nats: natsDriver,
  redis: redisDriver,
}

/** One message for one destination's broker. */
export interface PublishRequest {
  kind: BrokerKind
  /** Opened settings (the URL with its credentials). */
  broker: StoredBroker
  message: BrokerMessage
  /** Connect and confirmation together must fit in it. */
  timeoutMs: number
  /**
   * The destination id: its connection is kept for the next message. Null (a test send of an
   * unsaved configuration) opens a connection for this message only.
   */
  key: string | null
}

/** Publishes to brokers over connections kept per destination; never throws for broker faults. */
export interface BrokerPool {
  publish(
    request: PublishRequest,
    signal?: AbortSignal,
  ): Promise<PublishResult & { durationMs: number }>
  /** Open connections (tests, metrics). */
  size(): number
  /** Closes every connection; publishes after this fail as `connect`. */
  close(): Promise<void>
}

interface Entry {
  fingerprint: string
  connection: Promise<BrokerConnection>
  /** Set once connected. */
  ready: BrokerConnection | null
  inFlight: number
  lastUsedAt: number
}

/**
 * Connections are opened on a destination's first message, shared by its concurrent sends,
 * dropped after any failed publish (the next attempt reconnects: no half-broken channel is
 * reused) or when its settings change, and closed after `idleMs` without a send and on close().
 * @example const pool = createBrokerPool({ allowPrivateTargets: true }); await pool.publish(request)
 */
export function createBrokerPool(options: {
  allowPrivateTargets: boolean
  /** (Default: 60 s) */
  idleMs?: number
}): BrokerPool {
  const idleMs = options.idleMs ?? 60_000
  const entries = new Map<string, Entry>()
  let closed = false
  const drop = (key: string, entry: Entry) => {
    if (entries.get(key) === entry) entries.delete(key)
    void entry.connection.then((c) => c.close()).catch(() => {})
  }
  const sweep = setInterval(
    () => {
      const cutoff = performance.now() - idleMs
      for (const [key, entry] of entries)
        if (entry.inFlight === 0 && entry.lastUsedAt < cutoff) drop(key, entry)
    },
    Math.max(100, Math.floor(idleMs / 2)),
  )
  sweep.unref()

  const open = (request: PublishRequest): Promise<BrokerConnection> =>
    openConnection(request, options.allowPrivateTargets)

  const entryFor = (request: PublishRequest, key: string): Entry => {
    const fingerprint = JSON.stringify([request.kind, request.broker])
    const current = entries.get(key)
    const stale =
      current &&
      (current.fingerprint !== fingerprint || (current.ready !== null && !current.ready.open))
    if (current && !stale) return current
    if (current) drop(key, current)
    const entry: Entry = {
      fingerprint,
      connection: open(request),
      ready: null,
      inFlight: 0,
      lastUsedAt: performance.now(),
    }
    entry.connection.then(
      (c) => (entry.ready = c),
      () => entries.get(key) === entry && entries.delete(key),
    )
    entries.set(key, entry)
    return entry
  }

  return {
    async publish(request, signal) {
      const started = performance.now()
      const took = () => Math.round(performance.now() - started)
      if (closed)
        return {
          ok: false,
          errorClass: 'connect',
          message: 'the engine is stopping',
          durationMs: 0,
        }
      const driver = drivers[request.kind]
      const key = request.key
      const entry = key === null ? null : entryFor(request, key)
      const connection = entry?.connection ?? open(request)
      if (entry) entry.inFlight++
      try {
        const confirmation = await withDeadline(
          connection.then((c) => c.publish(request.message, request.timeoutMs)),
          request.timeoutMs,
          signal,
        )
        return { ok: true, confirmation, durationMs: took() }
      } catch (error) {
        if (entry && key !== null) drop(key, entry)
        const classified =
          error instanceof DeadlineError
            ? { errorClass: 'timeout' as const, message: error.message }
            : codeOf(error) === 'ERR_PRIVATE_TARGET'
              ? { errorClass: 'connect' as const, message: messageOf(error) }
              : driver.classify(error)
        return { ok: false, ...classified, durationMs: took() }
      } finally {
        if (entry) {
          entry.inFlight--
          entry.lastUsedAt = performance.now()
        } else void connection.then((c) => c.close()).catch(() => {})
      }
    },
    size: () => entries.size,
    async close() {
      closed = true
      clearInterval(sweep)
      const all = [...entries.values()]
      entries.clear()
      await Promise.all(all.map((e) => e.connection.then((c) => c.close()).catch(() => {})))
    },
  }
}

async function openConnection(
  request: PublishRequest,
  allowPrivateTargets: boolean,
): Promise<BrokerConnection> {
  const url = new URL(request.broker.url)
  const host = url.hostname
  const address = await connectAddress(host, { allowPrivateTargets })
  return drivers[request.kind].connect({
    kind: request.kind,
    broker: request.broker,
    url,
    address: address.startsWith('[') ? address.slice(1, -1) : address,
    clientName: `switchyard-${request.key ?? 'test'}`,
    timeoutMs: request.timeoutMs,
  })
}

class DeadlineError extends Error {}

/** The promise, or a DeadlineError when `ms` pass (or the signal aborts) first. */
async function withDeadline<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no confirmation within ${ms} ms`)), ms)
    onAbort = () => reject(new Error('the send was aborted: the engine is stopping'))
    signal?.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
    if (onAbort) signal?.removeEventListener('abort', onAbort)
    promise.catch(() => {}) // a late rejection after the deadline is already reported
  }
}
