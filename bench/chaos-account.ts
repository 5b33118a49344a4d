/**
 * Accounting for the chaos suite: after a scenario, every 202-accepted event must be in `events`
 * with one delivery per destination, every 200-answered /hooks request must be stored, routed and
 * have its `trigger.received` event, and every one of those deliveries must have reached the
 * receiver with a 2xx (by webhook-id, which is the delivery id). Extra 2xx receipts of one
 * webhook-id are duplicates: allowed by at-least-once delivery, counted, never hidden.
 */
import pg from 'pg'
import type { LoadResult } from './load.ts'
import { sleep, type Receiver } from './lib.ts'

export interface Accounting {
  eventsAccepted: number
  eventsStored: number
  hooksAccepted: number
  hooksStored: number
  hooksRouted: number
  triggerEvents: number
  deliveriesExpected: number
  deliveriesStored: number
  deliveriesSucceeded: number
  /** Deliveries with at least one 2xx at the receiver. */
  delivered: number
  /** 2xx receipts beyond the first, summed over webhook-ids. */
  duplicates: number
  /** Accepted events or hooks not stored, not routed, and deliveries never received: must be 0. */
  missing: number
}

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  c.on('error', () => {})
  await c.connect()
  try {
    return await f(c)
  } finally {
    await c.end().catch(() => {})
  }
}

/**
 * Waits until no delivery is pending or held and no inbound request waits for routing, twice in
 * a row a second apart (a request answered just now may not be routed yet). False at the deadline.
 */
export async function waitForDrain(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  let quiet = 0
  while (performance.now() < deadline) {
    const open = await withClient(url, async (c) => {
      const { rows } = await c.query<{ n: number }>(
        `select (select count(*) from deliveries where status in ('pending', 'held'))
              + (select count(*) from inbound_requests where outcome in ('received', 'accepted'))
              as n`,
      )
      return Number(rows[0]!.n)
    }).catch(() => -1)
    quiet = open === 0 ? quiet + 1 : 0
    if (quiet >= 2) return true
    await sleep(1000)
  }
  return false
}

/** Counts what the load was told against what the store holds and the receiver got. */
export async function account(
  url: string,
  receiver: Receiver,
  load: LoadResult,
  options: { triggerId: string; destinationCount: number },
): Promise<Accounting> {
  const receipts = await receiver.get<Record<string, number>>('/ids')
  return withClient(url, async (c) => {
    const hooks = await hookRows(c, options.triggerId, load.acceptedHooks)
    const eventIds = [...load.acceptedEvents, ...hooks.eventIds]
    const { rows: stored } = await c.query<{ n: number }>(
      'select count(*)::int as n from events where id = any($1::uuid[])',
      [load.acceptedEvents],
    )
    const { rows: deliveries } = await c.query<{ id: string; status: string }>(
      'select id, status from deliveries where event_id = any($1::uuid[])',
      [eventIds],
    )
    let delivered = 0
    let duplicates = 0
    for (const d of deliveries) {
      const n = receipts[d.id] ?? 0
      if (n > 0) delivered++
      duplicates += Math.max(0, n - 1)
    }
    const deliveriesExpected = eventIds.length * options.destinationCount
    const eventsStored = stored[0]!.n
    return {
      eventsAccepted: load.acceptedEvents.length,
      eventsStored,
      hooksAccepted: load.acceptedHooks.length,
      hooksStored: hooks.stored,
      hooksRouted: hooks.routed,
      triggerEvents: hooks.eventIds.length,
      deliveriesExpected,
      deliveriesStored: deliveries.length,
      deliveriesSucceeded: deliveries.filter((d) => d.status === 'succeeded').length,
      delivered,
      duplicates,
      missing:
        load.acceptedEvents.length -
        eventsStored +
        (load.acceptedHooks.length - hooks.routed) +
        hooks.eventsLost +
        (deliveriesExpected - delivered),
    }
  })
}

/** The stored rows of the accepted hooks (found by the `seq` in their body). */
async function hookRows(c: pg.Client, triggerId: string, seqs: string[]) {
  const { rows } = await c.query<{ outcome: string; event_ids: string[] | null }>(
    `select outcome, event_ids from inbound_requests
      where trigger_id = $1 and convert_from(body, 'UTF8')::jsonb ->> 'seq' = any($2::text[])`,
    [triggerId, seqs],
  )
  const routed = rows.filter((r) => r.outcome === 'routed' && (r.event_ids ?? []).length > 0)
  // trigger.received events the router wrote for them; a routed id with no event is missing.
  const ids = routed.flatMap((r) => r.event_ids ?? [])
  const { rows: found } = await c.query<{ id: string }>(
    'select id from events where id = any($1::uuid[])',
    [ids],
  )
  return {
    stored: rows.length,
    routed: routed.length,
    eventIds: found.map((r) => r.id),
    eventsLost: ids.length - found.length,
  }
}
