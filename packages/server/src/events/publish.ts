import { isSqlState, sqlState } from '../errors.ts'
import type { Queryable, Signal } from '../store/index.ts'
import { newEventRows, validateEvents, type EventIn } from './event-rows.ts'
import {
  findByIdempotencyKey,
  insertEvents,
  type DeliveryCtes,
  type EventRow,
  type NewEvent,
} from './store.ts'
import { eventsChannel, eventsNotice } from './stream.ts'

/*
 * The one way to make events durable. Every producer, HTTP ingest (ingest.ts) and the internal
 * ones (syncs, inbound routing, credential changes, destination lifecycle, monitoring), stores
 * its events through `Publisher.store`: the events and their deliveries in one statement,
 * inside the producer's transaction when it passes one (the events then commit with the
 * change they report, or not at all). The delivery feature implements `store`
 * (delivery/fan-out.ts `storeWithDeliveries`); main.ts composes the publisher once and hands
 * it to every producer.
 * Two producers stage their events and publish them after their commit, each for a reason: a
 * sync run's end can tombstone thousands of records, whose fan-out would hold the sync's lock,
 * so they wait in sync_event_batches and go out 1,000 a statement, a sweep repairing a crash
 * (syncs/sync-events.ts); a credential's status events are followed by hooks that call
 * providers (API setup, held requests), and the outbox on its row makes a crash run both again
 * (users/credentials.ts). Both publish by key, so a repair never stores an event twice.
 */

/**
 * Stores accepted event rows with their deliveries, in one statement: inside `q`'s transaction
 * when it is one, else committed on its own, wake-ups and stream notices following the commit.
 * @returns the stored rows, in the order given
 */
export type StoreEvents = (
  q: Queryable,
  rows: readonly NewEvent[],
  options?: {
    /** Destinations that must not get these events (the one a `destination.disabled` is about). */
    excludeDestinationIds?: readonly string[]
  },
) => Promise<EventRow[]>

export interface PublishOptions {
  /**
   * Stores the events once per key: a later publish with the same key returns what the first
   * stored. Outside a transaction only (a duplicate key aborts the statement).
   */
  key?: string
  /** The caller knows `key` is new: no lookup first (a race still ends in the replay). */
  fresh?: boolean
  excludeDestinationIds?: readonly string[]
}

/** Events and their deliveries, stored by every producer the same way. */
export interface Publisher {
  /** Rows already validated and keyed (HTTP ingest, which hashes its request itself). */
  store: StoreEvents
  /**
   * Validates internal producers' events and stores them: in `q`'s transaction when it is one.
   * @returns the stored rows, in the order given (a keyed replay: the rows stored first)
   */
  publish(
    q: Queryable,
    projectId: string,
    events: readonly EventIn[],
    options?: PublishOptions,
  ): Promise<EventRow[]>
}

/**
 * @example const publisher = createPublisher({ store: storeWithDeliveries({ now, signal }), now })
 * await publisher.publish(tx, projectId, [{ type: 'record.created', data }])
 */
export function createPublisher(deps: { store: StoreEvents; now: () => Date }): Publisher {
  const { store } = deps
  return {
    store,
    publish: async (q, projectId, events, options = {}) => {
      if (events.length === 0) return []
      validateEvents(events, (i) => `/events/${i}`)
      const key = options.key ?? null
      const rows = newEventRows(projectId, events, { key, requestHash: null }, deps.now())
      const exclude = { excludeDestinationIds: options.excludeDestinationIds ?? [] }
      if (key === null) return store(q, rows, exclude)
      const earlier = () => findByIdempotencyKey(q, projectId, key, events.length)
      if (!options.fresh) {
        const found = await earlier()
        if (found.length > 0) return found
      }
      try {
        return await store(q, rows, exclude)
      } catch (error) {
        // Two publishers of one key raced (a sweep and the publish after commit): one stored it.
        if (!isSqlState(error, sqlState.uniqueViolation)) throw error
        const found = await earlier()
        if (found.length === 0) throw error
        return found
      }
    },
  }
}

/**
 * Inserts events, with their deliveries' CTEs when given, and announces them to live streams
 * (GET /v1/events/stream), which read each project's batch by its id range: after the commit
 * through `signal` when given, else by a NOTIFY in the statement (inside a caller's transaction
 * the notices must ride on its commit; a NOTIFY in a statement of its own serialises commits:
 * store/signal.ts). The delivery feature calls it with the fan-out it built for these rows.
 * @returns the stored rows in the order of `rows`, and how many deliveries were created
 */
export async function insertAndAnnounce(
  q: Queryable,
  rows: readonly NewEvent[],
  options: { deliveries: DeliveryCtes | null; signal: Signal | null },
): Promise<{ events: EventRow[]; created: number }> {
  const { signal } = options
  const announcements = [...Map.groupBy(rows, (r) => r.projectId)].map(
    ([projectId, ofProject]) => ({
      channel: eventsChannel,
      payload: eventsNotice(projectId, ofProject),
    }),
  )
  const stored = await insertEvents(q, rows, {
    deliveries: options.deliveries,
    announce: signal ? [] : announcements,
  })
  if (signal) for (const a of announcements) signal(a.channel, a.payload)
  return stored
}
