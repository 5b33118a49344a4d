export { destinationRoutes, type DestinationRoutesDeps } from './routes.ts'
export { webhookUrlSetting, projectWebhookEvents } from './webhook-url-setting.ts'
export { createDestination, type DestinationIn, type DestinationPatchIn } from './destinations.ts'
export { signingSecrets, newSigningSecret } from './secrets.ts'
export { redactHeaders } from './schemas.ts'
export {
  disableDestinationRow as disableDestination,
  findDestination,
  hasDestinations,
  lockDestinations,
  recordFailureStreaks,
  type DestinationRow,
  type FailureStreak,
  type FailureStreakUpdate,
} from './store.ts'
export {
  testResultSchema,
  type DeliveryControl,
  type TestResult,
  type TestTarget,
} from './delivery-control.ts'
