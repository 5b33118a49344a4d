/*
 * The fields of API answers the CLI reads. Type aliases (not interfaces) so they accept the
 * SDK's generated types, and its loose fallback for routes it has not been regenerated for.
 */

/** `GET /v1/events/:id`, and each `event: event` of the event stream. */
export type EventView = {
  id: string
  type: string
  userId: string | null
  credentialId: string | null
  integration: string | null
  occurredAt: string
  receivedAt: string
  data: Record<string, unknown>
}

/** `GET /v1/destinations/:id` */
export type DestinationView = {
  id: string
  /** `webhook`, or `email` (with `to` and no `url`). */
  type?: string
  name: string | null
  url: string | null
  to?: string[] | null
  events: string[]
  format: string
  enabled: boolean
  disabledReason: string | null
  consecutiveFailures: number
  managed: boolean
  createdAt: string
  secret?: string
}

/** `GET /v1/deliveries/:id` (attempts only there). */
export type DeliveryView = {
  id: string
  eventId: string
  destinationId: string
  eventType: string
  status: 'pending' | 'held' | 'succeeded' | 'failed' | 'coalesced'
  /** Status coalesced: the delivery that carried this event. */
  coalescedInto?: string | null
  attemptCount: number
  nextAttemptAt: string | null
  lastAttemptAt: string | null
  lastStatus: number | null
  lastError: string | null
  createdAt: string
  completedAt: string | null
  attempts?: AttemptView[]
}

/** One attempt of a delivery, or the attempt a destination test made. */
export type AttemptView = {
  number?: number
  startedAt: string
  durationMs: number
  outcome: 'delivered' | 'failed' | 'gone'
  status: number | null
  errorClass: string | null
  errorMessage: string | null
  webhookId?: string
}

/** `event: ready` of the event stream. */
export type StreamReady = { project: { id: string; name: string }; types: string[] | null }
