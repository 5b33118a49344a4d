/*
 * The API shapes the dashboard reads, as the server's schemas define them (`GET /openapi.json`).
 * Terms: an *event* is one fact (`record.created`); a *destination* is where events go; a
 * *delivery* is one event to one destination; an *attempt* is one HTTP request of a delivery.
 */

import type { DeliveryStatus, InboundOutcome, SyncStatus, WireFormat } from '@switchyard/sdk'

/** One page of any list: pass `nextCursor` back as `cursor` for the next one. */
export interface Page<T> {
  data: T[]
  nextCursor: string | null
}

// The enums and their lists are the SDK's: generated from /openapi.json, the lists checked
// against the generated types by the compiler.
export {
  deliveryStatuses,
  inboundOutcomes,
  syncStatuses,
  wireFormats,
  type DeliveryStatus,
  type InboundOutcome,
  type SyncStatus,
  type WireFormat,
} from '@switchyard/sdk'

export type DestinationType = 'webhook' | 'email'

export type PresetName = 'slack' | 'datadog' | 'newrelic' | 'sentry'

/** A preset and its options; secret options read back as `[redacted]`. */
export interface PresetTemplate {
  preset: PresetName
  [option: string]: string | string[]
}

/** A custom body (JSON text with `{{ $.event… }}` placeholders), a preset, or null: the event as is. */
export type DestinationTemplate = string | PresetTemplate | null

export interface Destination {
  id: string
  type: DestinationType
  name: string | null
  /** Null for email; a Slack preset's URL shows only its origin. */
  url: string | null
  /** Email: the recipients. */
  to?: string[] | null
  template?: DestinationTemplate
  events: string[]
  format: WireFormat
  headers?: Record<string, string>
  timeoutMs?: number
  maxConcurrency?: number
  /** The adaptive (AIMD) limit now, at most maxConcurrency. */
  currentConcurrency?: number
  rateLimitPerSecond?: number | null
  enabled: boolean
  /** paused: failing deliveries paused it and probes check it; disabled: an admin's or a 410's. */
  status?: 'enabled' | 'paused' | 'disabled'
  nextProbeAt?: string | null
  disabledReason?: string | null
  disabledAt?: string | null
  consecutiveFailures?: number
  failingSince?: string | null
  /** The project webhook that `PUT /v1/settings {webhookUrl}` manages. */
  managed?: boolean
  createdAt: string
  updatedAt?: string
  /** Only in the answer to create. */
  secret?: string
}

/** What create and edit send. */
export interface DestinationIn {
  /** Create and test only: fixed once created. */
  type?: DestinationType
  name?: string | null
  /** Webhook without a preset. */
  url?: string
  /** Email: 1 to 20 bare addresses. */
  to?: string[]
  /** Webhook only. */
  template?: DestinationTemplate
  events: string[]
  format: WireFormat
  headers?: Record<string, string>
  timeoutMs?: number
}

export interface Delivery {
  /** Also the `webhook-id` header every attempt sends. */
  id: string
  eventId: string
  destinationId: string
  eventType: string
  status: DeliveryStatus
  attemptCount: number
  /** Status coalesced: the delivery that carried this event (a coalesce rule). */
  coalescedInto?: string | null
  nextAttemptAt?: string | null
  lastAttemptAt?: string | null
  lastStatus?: number | null
  lastError?: string | null
  createdAt: string
  updatedAt?: string
  completedAt?: string | null
}

export type ErrorClass = 'timeout' | 'dns' | 'connect' | 'tls' | 'http_status' | 'smtp_status'

export interface Attempt {
  id?: string
  number?: number
  /**
   * Where this attempt was sent (a Slack preset's URL shows only its origin); null for email
   * and for attempts logged before the server recorded it.
   */
  url?: string | null
  startedAt: string
  durationMs: number
  outcome: 'delivered' | 'failed' | 'gone'
  status?: number | null
  errorClass?: ErrorClass | null
  errorMessage?: string | null
  requestHeaders?: Record<string, string>
  /** Present when the server logs the body it sent. */
  requestBody?: string | null
  responseHeaders?: Record<string, string> | null
  responseBody?: string | null
}

/** `POST /v1/destinations/test` and `/:id/test`. */
export interface TestResult extends Attempt {
  webhookId: string
}

export interface DeliveryDetail extends Delivery {
  attempts: Attempt[]
}

export interface EventOut {
  id: string
  type: string
  userId?: string | null
  credentialId?: string | null
  integration?: string | null
  occurredAt: string
  receivedAt: string
  data: Record<string, unknown>
}

/** One entry of `GET /v1/event-types`. */
export interface EventType {
  type: string
  description: string
  /** The event's name in each wire format; null: that format never carries it. */
  names: Partial<Record<WireFormat, string | null>>
  dataSchema?: unknown
  bodySchemas?: Partial<Record<WireFormat, unknown>>
}

export interface Settings {
  projectId: string
  name: string
  ownerEmail?: string | null
  webhookUrl?: string | null
  webhookDestinationId?: string | null
  [setting: string]: unknown
}

/** A connected user's sync of one integration's model (pipeline). */
export interface Sync {
  id: string
  integration: string
  pipeline: string
  status: SyncStatus
  userId: string
  credentialId: string | null
  configurationName?: string | null
  summary: {
    totalRecords: number
    syncedRecordsCount: number
    lastSyncedAt: string | null
    latestCursor: string | null
  }
  /** Only while ERRORED. */
  error?: { code: string; message: string }
  /**
   * `engine`: a built-in connector the scheduler runs at `nextRunAt`; `worker`: an outside sync
   * worker runs it, so `nextRunAt` is no run the engine will make.
   */
  runBy?: 'engine' | 'worker'
  nextRunAt?: string | null
  createdAt?: string
}

/** One row of `GET /v1/sync-error-codes`. */
export interface SyncErrorCode {
  code: string
  category: string
  description: string
  suggestedAction: string
}

export interface TriggerRequestTemplate {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  headers?: Record<string, string>
  body?: unknown
  persist?: Record<string, string>
}

export interface TriggerResponse {
  preset?: string
  code?: string
  status?: number
  headers?: Record<string, string>
  body?: unknown
  [option: string]: unknown
}

/** What create and edit send: the definition DESIGN.md describes. */
export interface TriggerIn {
  integration: string
  name: string
  level: 'user' | 'app'
  setup?: {
    mode: 'manual' | 'api'
    subscribe?: TriggerRequestTemplate
    unsubscribe?: TriggerRequestTemplate
  }
  response?: string | TriggerResponse | null
  verification?: Record<string, unknown> | null
  routing?: { from: 'body' | 'header' | 'query'; path: string } | null
}

/** A trigger as the API shows it (literal secrets masked). */
export interface Trigger extends TriggerIn {
  id: string
  /** Where the provider sends; user-level URLs end with `?id={credentialId}`. */
  url: string
  bodyLimitBytes?: number
  createdAt: string
  updatedAt?: string
}

/** A webhook API setup registered at the provider; `credentialId` null for the app-level one. */
export interface Subscription {
  triggerId: string
  credentialId: string | null
  status: 'active' | 'failed'
  /** The provider's status on the last attempt (null: not reached). */
  responseStatus?: number | null
  /** Failed: the provider's body excerpt, or why it was not reached. */
  error?: string | null
  createdAt: string
  updatedAt: string
}

/** One request a trigger received, with how it was judged and routed. */
export interface InboundRequest {
  id: string
  triggerId: string
  credentialId?: string | null
  method: string
  path?: string
  query?: string
  headers?: Record<string, unknown>
  body?: string
  bodySize?: number
  outcome: InboundOutcome
  reason?: string | null
  responseStatus?: number | null
  eventIds?: string[]
  credentialIds?: string[]
  receivedAt: string
  processedAt?: string | null
}

export interface TriggerPreset {
  name: string
  description: string
  fields?: Record<string, unknown>
}

/** `GET /v1/trigger-presets`. */
export interface TriggerPresets {
  response: TriggerPreset[]
  verification: TriggerPreset[]
}

/** `GET /v1/events/:id/renderings`: an event as one wire format renders it. */
export interface EventRendering {
  format: WireFormat
  name: string
  body: unknown
}
