import type { CanonicalEventData, CanonicalEventType } from '../generated/events.ts'
import type {
  JsonObject,
  ListOptions,
  ListResponse,
  QueryOf,
  RequestBodyOf,
  ResponseOf,
} from './operation-types.ts'

/*
 * The API's request and response types, named the Svix way (`…In` for what you send, `…Out`
 * for what comes back, `…PatchIn` for partial updates, `ListResponse…` for pages). All are read
 * from the generated OpenAPI types; none is written by hand.
 */

// Events
/** `POST /v1/events` as the OpenAPI document has it (any type, any data). */
export type EventIn = RequestBodyOf<'/v1/events', 'post'>
/** `POST /v1/events` with `data` checked against the type's schema. */
export type PublishEventIn = {
  [T in CanonicalEventType]: Omit<EventIn, 'type' | 'data'> & {
    type: T
    data: CanonicalEventData[T]
  }
}[CanonicalEventType]
export type EventOut = ResponseOf<'/v1/events/{id}', 'get'>
export type EventBatchOut = ResponseOf<'/v1/events/batch', 'post'>
export type EventListOptions = QueryOf<'/v1/events', 'get'>
export type ListResponseEventOut = ResponseOf<'/v1/events', 'get'>
export type ListResponseEventTypeOut = ResponseOf<'/v1/event-types', 'get'>

// API keys
export type ApiKeyIn = RequestBodyOf<'/v1/api-keys', 'post'>
export type ApiKeyCreatedOut = ResponseOf<'/v1/api-keys', 'post'>
export type ListResponseApiKeyOut = ResponseOf<'/v1/api-keys', 'get'>
export type ApiKeyOut = ListResponseApiKeyOut['data'][number]

// Settings
export type SettingsIn = RequestBodyOf<'/v1/settings', 'put'>
export type SettingsOut = ResponseOf<'/v1/settings', 'get'>

// Projects (instance admin token)
export type ProjectIn = RequestBodyOf<'/v1/projects', 'post'>
export type ProjectCreatedOut = ResponseOf<'/v1/projects', 'post'>
export type ListResponseProjectOut = ResponseOf<'/v1/projects', 'get'>
export type ProjectOut = ListResponseProjectOut['data'][number]

// Destinations
export type DestinationIn = RequestBodyOf<'/v1/destinations', 'post'>
export type DestinationOut = ResponseOf<'/v1/destinations/{id}', 'get'>
/** `POST /v1/destinations`: the destination with its signing secret (shown only here). */
export type DestinationCreatedOut = ResponseOf<'/v1/destinations', 'post'>
export type DestinationPatchIn = RequestBodyOf<'/v1/destinations/{id}', 'patch'>
export type DestinationListOptions = QueryOf<'/v1/destinations', 'get'>
export type ListResponseDestinationOut = ResponseOf<
  '/v1/destinations',
  'get',
  ListResponse<DestinationOut>
>
export type DestinationTestIn = RequestBodyOf<'/v1/destinations/test', 'post'>
export type DestinationTestOut = ResponseOf<'/v1/destinations/test', 'post'>
export type DestinationDisableIn = RequestBodyOf<'/v1/destinations/{id}/disable', 'post'>
export type DestinationRecoverIn = RequestBodyOf<'/v1/destinations/{id}/recover', 'post'>
export type DestinationRecoverOut = ResponseOf<'/v1/destinations/{id}/recover', 'post'>
export type DestinationSecretOut = ResponseOf<'/v1/destinations/{id}/rotate-secret', 'post'>

// Deliveries
export type DeliveryOut = ResponseOf<'/v1/deliveries/{id}', 'get'>
/** One HTTP request (or email) of a delivery. */
export type AttemptOut = DeliveryOut['attempts'][number]
export type DeliveryListOptions = QueryOf<'/v1/deliveries', 'get'>
export type ListResponseDeliveryOut = ResponseOf<'/v1/deliveries', 'get', ListResponse<DeliveryOut>>
/** A delivery as lists show it (no attempts). */
export type DeliverySummaryOut = ListResponseDeliveryOut['data'][number]
export type DeliveryRetryOut = ResponseOf<'/v1/deliveries/{id}/retry', 'post'>
/** `GET /v1/stats`: delivery figures over the last hour and day, the backlog, per destination. */
export type StatsOut = ResponseOf<'/v1/stats', 'get'>
export type StatsOptions = QueryOf<'/v1/stats', 'get'>
/** One window (`'1h'` or `'24h'`) of `StatsOut`: counts, success rate, two latencies. */
export type StatsWindowOut = StatsOut['windows']['1h']
/** A latency of a window: how many were measured, and their p50 and p95 in ms (null: none). */
export type StatsLatencyOut = StatsWindowOut['attemptMs']

// Event catalog and renderings
/** One entry of `GET /v1/event-types`. */
export type EventTypeOut = ResponseOf<'/v1/event-types', 'get'>['data'][number]
/** `GET /v1/events/:id/renderings`: the event as one wire format renders it. */
export type EventRenderingOut = ResponseOf<'/v1/events/{id}/renderings', 'get'>['data'][number]

// Delivery statuses and attempts
export type DeliveryStatus = DeliverySummaryOut['status']
export type ErrorClass = NonNullable<AttemptOut['errorClass']>

// Syncs
export type SyncOut = ResponseOf<'/v1/syncs/{id}', 'get'>
export type SyncStatus = SyncOut['status']
export type ListResponseSyncOut = ResponseOf<'/v1/syncs', 'get'>
export type SyncErrorCodeOut = ResponseOf<'/v1/sync-error-codes', 'get'>['data'][number]

// Triggers (inbound webhooks)
export type TriggerIn = RequestBodyOf<'/v1/triggers', 'post'>
export type TriggerPatchIn = RequestBodyOf<'/v1/triggers/{id}', 'patch'>
export type TriggerOut = ResponseOf<'/v1/triggers/{id}', 'get'>
export type ListResponseTriggerOut = ResponseOf<'/v1/triggers', 'get'>
export type TriggerPresetsOut = ResponseOf<'/v1/trigger-presets', 'get'>
export type InboundRequestOut = ResponseOf<'/v1/inbound-requests/{id}', 'get'>
export type InboundRequestListOptions = QueryOf<'/v1/inbound-requests', 'get'>
export type InboundOutcome = NonNullable<InboundRequestListOptions['outcome']>
export type ListResponseInboundRequestOut = ResponseOf<'/v1/inbound-requests', 'get'>
export type SubscriptionOut = ResponseOf<'/v1/triggers/{id}/subscriptions', 'post'>
export type ListResponseSubscriptionOut = ResponseOf<'/v1/triggers/{id}/subscriptions', 'get'>

export type { JsonObject, ListOptions, ListResponse }

// Portal sessions (docs/portal-sessions.md)
export type PortalSessionIn = RequestBodyOf<'/v1/portal-sessions', 'post'>
/** `POST /v1/portal-sessions`: the session with its one-time URL (shown only here). */
export type PortalSessionCreatedOut = ResponseOf<'/v1/portal-sessions', 'post'>
export type ListResponsePortalSessionOut = ResponseOf<'/v1/portal-sessions', 'get'>
export type PortalSessionOut = ListResponsePortalSessionOut['data'][number]
export type PortalSessionExchangeOut = ResponseOf<'/v1/portal-sessions/exchange', 'post'>
