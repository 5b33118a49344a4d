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
  findEventsByIds,
  insertedEvents,
  type DeliveryCtes,
  type EventRow,
  type NewEvent,
} from './store.ts'
