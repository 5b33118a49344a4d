import { paginate } from '../pagination.ts'
import type { Requester } from '../request.ts'
import type {
  EventBatchOut,
  EventListOptions,
  EventOut,
  ListResponseEventOut,
  ListResponseEventTypeOut,
  PublishEventIn,
} from '../types.ts'
import { segment, type PostOptions } from './shared.ts'

/**
 * `client.events`: publish and read events.
 *
 * @example
 * const event = await client.events.create({
 *   type: 'record.created',
 *   userId: 'user_1',
 *   data: { syncId: 'sync_1', model: 'files', recordId: 'rec_1' },
 * })
 */
export function eventsResource(request: Requester) {
  const list = (options: EventListOptions = {}) =>
    request<ListResponseEventOut>({ method: 'GET', path: '/v1/events', query: options })
  return {
    /** Publishes one event; `data` is checked against the type's schema. */
    create: (event: PublishEventIn, options: PostOptions = {}) =>
      request<EventOut>({ method: 'POST', path: '/v1/events', body: event, ...options }),
    /** Publishes up to 1,000 events, all or nothing. */
    batch: (events: PublishEventIn[], options: PostOptions = {}) =>
      request<EventBatchOut>({
        method: 'POST',
        path: '/v1/events/batch',
        body: { events },
        ...options,
      }),
    /** One page of events, newest first. */
    list,
    /** Every event matching `options`, page after page. */
    iterate: (options: Omit<EventListOptions, 'cursor'> = {}) =>
      paginate((cursor) => list({ ...options, cursor })),
    /** One event by id. */
    get: (id: string) => request<EventOut>({ method: 'GET', path: `/v1/events/${segment(id)}` }),
  }
}

/**
 * `client.eventTypes`: the event catalog.
 *
 * @example
 * const { data } = await client.eventTypes.list()
 */
export function eventTypesResource(request: Requester) {
  return {
    /** Every canonical type with its name and body schema in each wire format. */
    list: () => request<ListResponseEventTypeOut>({ method: 'GET', path: '/v1/event-types' }),
  }
}
