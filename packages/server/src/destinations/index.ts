export { destinationRoutes, type DestinationRoutesDeps } from './routes.ts'
export { webhookUrlSetting, projectWebhookEvents } from './webhook-url-setting.ts'
export { defaultEmailDestination } from './default-email.ts'
export type { CoalesceRules } from './coalesce-fields.ts'
export { createDestination, type DestinationIn, type DestinationPatchIn } from './destinations.ts'
export { signingSecrets, newSigningSecret } from './secrets.ts'
export { openDestination, type SecretParts } from './sealed-secrets.ts'
export { redactHeaders, shownUrl } from './schemas.ts'
export { renderWebhookRequest, type RenderedRequest, type WebhookShape } from './webhook-request.ts'
export { composeEmail, type EmailMessage } from './email-message.ts'
export { templateFunctionsFor, type StoredPreset } from './templates/index.ts'
export {
  disableDestinationRow as disableDestination,
  findDestination,
  lockDestinations,
  recordFailureStreaks,
  type DeliveryOrdering,
  type DestinationRow,
  type FailureStreak,
  type FailureStreakUpdate,
} from './store.ts'
export {
  addTimelineEntry,
  pauseDestinationRow,
  recordProbeFailure,
  resumePausedRow,
  takeDueProbes,
  type TimelineKind,
} from './pause-store.ts'
export {
  testResultSchema,
  testTargetOf,
  type DeliveryControl,
  type TestResult,
  type TestTarget,
} from './delivery-control.ts'
