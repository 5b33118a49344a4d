import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import { sql, type Kysely } from 'kysely'

/**
 * Sends `NOTIFY channel, payload` soon, outside the caller's statement.
 * Rows must be committed before their notice is sent; call it after the commit.
 */
export type Signal = (channel: string, payload?: string) => void

/**
 * NOTIFY after commit, coalesced: at most one NOTIFY statement in flight, and `gapMs` between
 * them; notices raised meanwhile go out together in the next one (one `pg_notify` per distinct
 * channel and payload).
 *
 * Why not NOTIFY inside the hot statements: PostgreSQL serialises every commit that carries a
 * notification (a database-wide lock held through the WAL flush). On the 2-core bench machine
 * pgbench gives 14.8k inserts/s with 16 clients, 2.2k/s when each also NOTIFYs. Ingest,
 * `/hooks` and dispatch commit thousands of times a second; their listeners wake on a hint and
 * read the table, and poll as a fallback, so a notice lost to a crash right after a commit only
 * costs a poll interval.
 */
export function createSignal(
  kysely: Kysely<unknown>,
  options: { gapMs?: number } = {},
): { signal: Signal; drain: () => Promise<void> } {
  const gapMs = options.gapMs ?? 5
  let pending = new Map<string, Set<string>>()
  let flushing: Promise<void> | null = null

  const flush = async (): Promise<void> => {
    let first = true
    while (pending.size > 0) {
      // Back to back, a busy ingest would keep one NOTIFY transaction going all the time (one
      // per batch it commits); a short gap folds more batches into each. Listeners in this
      // process are woken directly (delivery/fan-out.ts), so only other processes wait.
      // The first waits for the end of this turn of the event loop: on PGlite a whole group
      // commit and its callers' signals run in microtasks, and they should share one NOTIFY.
      await (first ? nextTurn() : sleep(gapMs))
      first = false
      const batch = pending
      pending = new Map()
      const channels: string[] = []
      const payloads: string[] = []
      for (const [channel, set] of batch) {
        for (const payload of set) {
          channels.push(channel)
          payloads.push(payload)
        }
      }
      await sql`select pg_notify(c, p) from unnest(${channels}::text[], ${payloads}::text[]) as n(c, p)`
        .execute(kysely)
        // The store is down or closing: listeners fall back to polling.
        .catch(() => {})
    }
    flushing = null
  }

  return {
    signal: (channel, payload = '') => {
      setOf(pending, channel).add(payload)
      flushing ??= flush()
    },
    drain: async () => {
      await flushing
    },
  }
}

/**
 * The embedded store's signal: every listener of a PGlite store is in this process, so notices
 * reach them directly, at the end of the turn (as a NOTIFY after the commit would), coalesced the
 * same way, without a `pg_notify` statement on PGlite's one thread (~1.5 ms each: one per
 * `/hooks` batch in bench/inbound). NOTIFYs sent in SQL still arrive through `listen` too.
 */
export function createLocalSignal(): {
  signal: Signal
  listen: (channel: string, onPayload: (payload: string) => void) => () => void
  drain: () => Promise<void>
} {
  const listeners = new Map<string, Set<(payload: string) => void>>()
  let pending = new Map<string, Set<string>>()
  let flushing: Promise<void> | null = null

  const flush = async (): Promise<void> => {
    await nextTurn()
    const batch = pending
    pending = new Map()
    flushing = null
    for (const [channel, payloads] of batch)
      for (const payload of payloads)
        for (const onPayload of listeners.get(channel) ?? []) {
          // One listener's fault is its own: the others still hear the notice.
          try {
            onPayload(payload)
          } catch (error) {
            process.emitWarning(error as Error)
          }
        }
  }

  return {
    signal: (channel, payload = '') => {
      setOf(pending, channel).add(payload)
      flushing ??= flush()
    },
    listen: (channel, onPayload) => {
      const set = setOf(listeners, channel).add(onPayload)
      return () => set.delete(onPayload)
    },
    drain: async () => {
      await flushing
    },
  }
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  return set
}
