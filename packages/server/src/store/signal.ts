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
  kysely: Kysely<any>,
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
      let set = pending.get(channel)
      if (!set) pending.set(channel, (set = new Set()))
      set.add(payload)
      flushing ??= flush()
    },
    drain: async () => {
      await flushing
    },
  }
}
