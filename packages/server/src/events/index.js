export { eventRoutes } from "./routes.js";
export { ingestEvents } from "./ingest.js";
export { findEventsByIds } from "./store.js";
