import {
  insertAndAnnounce,
  insertedEvents,
  type DeliveryCtes,
  type NewEvent,
  type StoreEvents,
} from '../events/index.ts'
import { sql, type Signal } from '../store/index.ts'
import { fanOutCtes } from './fan-out-store.ts'
import { renderableFormats } from './render.ts'

/** NOTIFY channel that wakes dispatchers when deliveries become due. */
export const deliveriesChannel = 'switchyard_deliveries'

/**
 * The publisher's `store` (events/publish.ts): inserts events and creates their deliveries in
 * one statement, one per matching destination (pending when it is enabled, held when not),
 * then wakes dispatchers: after the commit through `signal` when the statement commits on its
 * own, else by a NOTIFY in the statement, sent when the caller's transaction commits.
 * @example createPublisher({ store: storeWithDeliveries({ now, signal: db.signal }), now })
 */
export function storeWithDeliveries(deps: {
  now: () => Date
  /** Wake-ups and stream notices after commit, coalesced (store/signal.ts). */
  signal?: Signal
  /** This process's dispatcher, woken at once after a commit that made deliveries. */
  wakeLocal?: () => void
  /**
   * The NOTIFY payload naming this process (its dispatcher's worker id): woken already, the
   * dispatcher skips its own notice instead of claiming a second time for the same deliveries.
   */
  origin?: string
}): StoreEvents {
  return async (q, rows, options = {}) => {
    const signal = q.isTransaction ? null : (deps.signal ?? null)
    const deliveries = deliveryCtes(rows, {
      now: deps.now(),
      excludeDestinationIds: options.excludeDestinationIds ?? [],
      notifyInStatement: signal === null,
    })
    const { events, created } = await insertAndAnnounce(q, rows, { deliveries, signal })
    if (signal && created > 0) {
      // The NOTIFY reaches the other processes; this one's dispatcher need not wait for its
      // round trip (and for the notice in flight before it) to start sending.
      deps.wakeLocal?.()
      signal(deliveriesChannel, deps.wakeLocal ? (deps.origin ?? '') : '')
    }
    return events
  }
}

/**
 * The deliveries of `rows` as CTEs of their insert, and a wake-up for dispatchers when any were
 * made, in the statement when `notifyInStatement`. Null when no wire format renders any of the
 * events (they reach no destination). No `hasDestinations` probe first: inside the one statement
 * it would cost as much as the join it saves.
 */
function deliveryCtes(
  rows: readonly NewEvent[],
  options: { now: Date; excludeDestinationIds: readonly string[]; notifyInStatement: boolean },
): DeliveryCtes | null {
  const fanned = rows.filter((e) => renderableFormats(e.type).length > 0)
  if (fanned.length === 0) return null
  const deliveries = sql`, ${fanOutCtes(
    {
      events: insertedEvents,
      projectIds: [...new Set(fanned.map((e) => e.projectId))],
      types: [...new Set(fanned.map((e) => e.type))],
    },
    {
      formatsOf: renderableFormats,
      now: options.now,
      excludeDestinationIds: options.excludeDestinationIds,
    },
  )}`
  if (!options.notifyInStatement)
    return { ctes: deliveries, created: sql`(select count(*)::int from fanned_out)` }
  return {
    ctes: sql`${deliveries},
      woken as (select c.n, case when c.n > 0 then pg_notify(${deliveriesChannel}, '') end
                from (select count(*)::int as n from fanned_out) c)`,
    created: sql`(select n from woken)`,
  }
}
