export { Dispatcher, defaultDispatcherOptions, type DispatcherOptions } from './dispatcher.ts'
export { newWorkerId } from './claiming.ts'
export { storeWithDeliveries } from './fan-out.ts'
export { createSender, type Sender } from './send.ts'
export { createMailer, type Mailer } from './smtp.ts'
export { createProber, lifecycleRoutes, type Prober, type ProbeResult } from './lifecycle/index.ts'
export { createPruner, pruneDeliveries } from './pruner.ts'
export { deliveryRoutes } from './routes.ts'
export { statsRoutes } from './stats-routes.ts'
export { eventRenderingRoutes } from './rendering-routes.ts'
export { waitForDispatch } from './wait-for.ts'
export { retryDelayMs, parseRetryAfter } from './retry-schedule.ts'
export type {
  AttemptEvent,
  AttemptOutcome,
  DeliveryStatus,
  DispatcherEvents,
  DisabledEvent,
  ErrorClass,
} from './types.ts'
export {
  readBacklog,
  readDestinationHealth,
  type DestinationHealth,
  type ProjectBacklog,
} from './metrics-store.ts'
export { createClaimChecks, type ClaimChecks } from './claim-store.ts'
export { thinBody } from './claim-check.ts'
export { claimCheckRoutes } from './claim-routes.ts'
