/**
 * @switchyard/sdk: verify Switchyard webhooks and call the Switchyard API.
 *
 * Terms: an *event* is one fact with a canonical name (`record.created`); a *wire format*
 * (`managed-sync`, `workspace`, `monitoring`, `standard`) is the vocabulary a destination
 * receives it in; a *delivery* is one event sent to one destination, signed with Standard
 * Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 *
 * Everything here runs on WebCrypto and fetch (Node 20+, Bun, Deno, browsers); the Express,
 * Fastify and Hono adapters are at `@switchyard/sdk/express`, `/fastify` and `/hono`.
 *
 * @example
 * import { createClient, verifyWebhook } from '@switchyard/sdk'
 */
export { verifyWebhook } from './webhooks/verify.ts'
export { signWebhook, type SignOptions } from './webhooks/sign.ts'
export { WebhookVerificationError, type WebhookVerificationErrorCode } from './webhooks/errors.ts'
export type { HeadersLike } from './webhooks/headers.ts'
export type { SwitchyardWebhookEvent, VerifyOptions, WebhookHeaders } from './webhooks/types.ts'
export { fetchHandler, verifyRequest, type FetchWebhookHandler } from './adapters/fetch.ts'
export {
  verifyOutcome,
  type VerifyOutcome,
  type WebhookErrorBody,
} from './adapters/verify-outcome.ts'
export type * from './generated/events.ts'

export { createClient, type SwitchyardClient } from './client/create-client.ts'
export type { ClientOptions, RequestOptions, Requester } from './client/request.ts'
export { SwitchyardApiError, type ApiErrorFields } from './client/errors.ts'
export { paginate } from './client/pagination.ts'
export type { PostOptions } from './client/resources/shared.ts'
export type * from './client/types.ts'
export { deliveryStatuses, inboundOutcomes, syncStatuses, wireFormats } from './client/enums.ts'
export type { paths } from './generated/api.ts'
