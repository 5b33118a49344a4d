export { eventRoutes } from './routes.ts'
export { ingestEvents, type EventIn, type FanOut } from './ingest.ts'
export { findEventsByIds, type EventRow, type InlineFanOut, type NewEvent } from './store.ts'
