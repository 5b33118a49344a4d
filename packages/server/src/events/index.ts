export { eventRoutes } from './routes.ts'
export { ingestEvents, type EventIn, type FanOut } from './ingest.ts'
export { findEventsByIds, type EventRow } from './store.ts'
