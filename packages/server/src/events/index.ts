export { eventRoutes } from './routes.ts'
export type { EventIn } from './event-rows.ts'
export {
  createPublisher,
  insertAndAnnounce,
  type Publisher,
  type PublishOptions,
  type StoreEvents,
} from './publish.ts'
export {
  eventFromJson,
  eventJsonOf,
  findEventsByIds,
  insertedEvents,
  type DeliveryCtes,
  type EventJson,
  type EventRow,
  type NewEvent,
} from './store.ts'
