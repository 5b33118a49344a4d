export { destinationRoutes, type DestinationRoutesDeps } from './routes.ts'
export { webhookUrlSetting, projectWebhookEvents } from './webhook-url-setting.ts'
export { defaultEmailDestination } from './default-email.ts'
export type { CoalesceRules } from './coalesce-fields.ts'
export { createDestination, type DestinationIn, type DestinationPatchIn } from './destinations.ts'
export { signingSecrets, newSigningSecret } from './secrets.ts'
export { openDestination, shownDestination, type SecretParts } from './sealed-secrets.ts'
export { sealedDestinationSecrets } from './sealed-store.ts'
export { redactHeaders, shownUrl } from './schemas.ts'
export { renderWebhookRequest, type RenderedRequest, type WebhookShape } from './webhook-request.ts'
export { composeEmail, type EmailMessage } from './email-message.ts'
export { templateFunctionsFor, type StoredPreset } from './templates/index.ts'
export {
  findDestination,
  type DeliveryOrdering,
  type DestinationFields,
  type DestinationRow,
  type DestinationType,
} from './store.ts'
export { destinationOr404 } from './destinations.ts'
export { destinationFields } from './destination-fields.ts'
export { checkEventFilter } from './validate.ts'
export {
  destinationOutSchema,
  destinationStatus,
  destinationTypeSchema,
  destinationTypes,
  idParamsSchema,
  webhookFieldSchemas,
} from './schemas.ts'
