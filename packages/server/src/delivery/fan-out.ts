import type { Transaction } from 'kysely'
import { hasDestinations } from '../destinations/index.ts'
import type { EventRow, FanOut, InlineFanOut, NewEvent } from '../events/index.ts'
import { notify, sql, type Signal } from '../store/index.ts'
import { renderableFormats } from './render.ts'
import { fanOutCtesOfInserted, insertFanOut, type FanOutEvent } from './fan-out-store.ts'

/** NOTIFY channel that wakes dispatchers when deliveries become due. */
export const deliveriesChannel = 'switchyard_deliveries'

/**
 * Creates the deliveries of newly accepted events, inside the ingest transaction: one per
 * matching destination (pending when it is enabled, held when not), then a NOTIFY that reaches
 * listening dispatchers when the transaction commits.
 * @param excludeDestinationIds destinations that must not get these events (the one a
 *   `destination.disabled` event is about)
 * @returns how many deliveries were created
 */
export async function fanOutDeliveries(
  tx: Transaction<any>,
  events: readonly EventRow[],
  options: { now: Date; excludeDestinationIds?: readonly string[] },
): Promise<number> {
  const fanned = fanOutEvents(events)
  if (fanned.length === 0) return 0
  // Most of the insert's cost is planning it; a project without destinations skips that.
  const projectIds = [...new Set(events.map((e) => e.project_id))]
  if (!(await hasDestinations(tx, projectIds))) return 0
  const created = await insertFanOut(tx, fanned, {
    formatsOf: renderableFormats,
    now: options.now,
    excludeDestinationIds: options.excludeDestinationIds ?? [],
  })
  if (created > 0) await notify(tx, deliveriesChannel)
  return created
}

/**
 * The `FanOut` the events feature calls on ingest.
 * @example eventRoutes({ db, fanOut: createFanOut({ now }), now })
 */
export function createFanOut(deps: {
  now: () => Date
  /** This process's dispatcher, woken at once after a commit that made deliveries. */
  wakeLocal?: () => void
  /**
   * The NOTIFY payload naming this process (its dispatcher's worker id): woken already, the
   * dispatcher skips its own notice instead of claiming a second time for the same deliveries.
   */
  origin?: string
}): FanOut {
  const fanOut: FanOut = async (tx, events) => {
    await fanOutDeliveries(tx, events, { now: deps.now() })
  }
  fanOut.inline = (events, signal) => {
    // The NOTIFY reaches the other processes; this one's dispatcher need not wait for its
    // round trip (and for the notice in flight before it) to start sending.
    const wake: Signal | null =
      signal && deps.wakeLocal
        ? (channel, payload) => {
            deps.wakeLocal!()
            signal(channel, deps.origin ?? payload)
          }
        : signal
    return inlineFanOut(events, deps.now(), wake)
  }
  return fanOut
}

/**
 * The fan-out as CTEs of the event insert: the deliveries, then a wake-up for dispatchers when
 * any were made: after the commit through `signal` when given, else a NOTIFY in the statement.
 * No `hasDestinations` probe here: inside the one statement it would cost as much as the join
 * it saves.
 */
function inlineFanOut(
  events: readonly NewEvent[],
  now: Date,
  signal: Signal | null,
): InlineFanOut | null {
  const fanned = events.filter((e) => renderableFormats(e.type).length > 0)
  if (fanned.length === 0) return null
  const batch = {
    projectIds: [...new Set(fanned.map((e) => e.projectId))],
    types: [...new Set(fanned.map((e) => e.type))],
  }
  const deliveries = sql`, ${fanOutCtesOfInserted(batch, { formatsOf: renderableFormats, now, excludeDestinationIds: [] })}`
  if (signal) {
    return {
      ctes: deliveries,
      touch: sql`(select count(*)::int from fanned_out)`,
      committed: (created) => {
        if (created > 0) signal(deliveriesChannel)
      },
    }
  }
  return {
    ctes: sql`${deliveries},
      woken as (select pg_notify(${deliveriesChannel}, '') from (select 1 from fanned_out limit 1) any_delivery)`,
    touch: sql`(select count(*) from woken)`,
  }
}

/** The events some wire format can render (the others reach no destination), with their keys. */
function fanOutEvents(
  events: readonly Pick<EventRow, 'id' | 'project_id' | 'type' | 'credential_id' | 'data'>[],
): FanOutEvent[] {
  return events.flatMap((event) => {
    if (renderableFormats(event.type).length === 0) return []
    const { recordId, syncId } = event.data
    return [
      {
        eventId: event.id,
        projectId: event.project_id,
        type: event.type,
        recordKey: typeof recordId === 'string' ? recordId : null,
        credentialKey: event.credential_id,
        syncKey: typeof syncId === 'string' ? syncId : null,
      },
    ]
  })
}
