import type { StoredBroker } from '../brokers/index.ts'
import type { CoalesceRules, DestinationType, StoredPreset } from '../destinations/index.ts'
import type { EventRow } from '../events/index.ts'

/**
 * Terminology:
 * - event: one accepted fact (`record.created`…), stored before it is acknowledged.
 * - destination: where a project's events go (src/destinations).
 * - delivery: one event on its way to one destination. Its id is the `webhook-id` every attempt
 *   sends, so receivers dedupe retries on it. Status: `pending` (due at `next_attempt_at`, or
 *   being sent while a lease holds), `held` (its destination is paused or disabled), `succeeded`,
 *   `failed`, `coalesced` (folded into an earlier delivery of its coalesce key, which sends it).
 * - coalesce key: `credential:<id>` or `sync:<id>` on a delivery a destination's coalesce rule
 *   applies to; the first of a key is due when the rule's window ends and carries the rest.
 * - attempt: one HTTP request (or, for an email destination, one SMTP transaction) for a
 *   delivery, logged with what came back.
 * - claim: a dispatcher leasing due deliveries so no other process sends them meanwhile; a lease
 *   that runs out (the process died) makes the delivery due again.
 */

export type DeliveryStatus = 'pending' | 'held' | 'succeeded' | 'failed' | 'coalesced'

/**
 * Why an attempt failed; `smtp_status` is a mail server's 4xx/5xx reply (email destinations);
 * `auth`, `not_found` (no such exchange, queue, stream or route) and `nack` (the broker
 * refused to store it) are a message broker's (brokers/).
 */
export type ErrorClass =
  | 'timeout'
  | 'dns'
  | 'connect'
  | 'tls'
  | 'http_status'
  | 'smtp_status'
  | 'auth'
  | 'not_found'
  | 'nack'

export const errorClasses: readonly ErrorClass[] = [
  'timeout',
  'dns',
  'connect',
  'tls',
  'http_status',
  'smtp_status',
  'auth',
  'not_found',
  'nack',
]

/** What one attempt came to. The sender returns it; it never throws for HTTP or network faults. */
export type AttemptOutcome =
  // any 2xx before the timeout (email: the server accepted the message, 250): succeeded
  | { kind: 'delivered'; status: number }
  // anything else: retried on the schedule until the last attempt, then the delivery failed
  | {
      kind: 'failed'
      errorClass: ErrorClass
      message: string
      status?: number
      /** From `Retry-After` on 429/503, relative to the attempt's start. */
      retryAfterMs?: number
    }
  // 410 Gone: the receiver asks us to stop; the destination is disabled at once
  | { kind: 'gone'; status: 410 }

/** One attempt as the sender made it, ready to be logged. */
export interface AttemptRecord {
  /**
   * Where the request went, as the destination's reads show it (a preset whose URL is its
   * secret, Slack's: only its origin); null for email. Set by the attempt stage, not the sender.
   */
  url?: string | null
  startedAt: Date
  durationMs: number
  outcome: AttemptOutcome
  /** Headers sent, credential-carrying custom values redacted (email: to, subject, message-id). */
  requestHeaders: Record<string, string>
  /** The first 4 KiB of the body sent (email: the text part). */
  requestBody: string | null
  /** What came back (email: the SMTP reply code and text). */
  response: { status: number; headers: Record<string, string>; body: string } | null
}

/** A request ready to go out. */
export interface OutboundRequest {
  url: string
  headers: Record<string, string>
  body: string
  timeoutMs: number
}

/** A due delivery a dispatcher leased, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string
  project_id: string
  destination_id: string
  event_id: string
  event_type: string
  /** This attempt's number (the claim counted it). */
  attempts: number
  /** The record or credential id it is ordered by, on a destination with `ordering`. */
  ordering_key: string | null
  /** Its place among its key's deliveries (1, 2, …), sent as `webhook-sequence`. */
  sequence: string | null
  /** Set when a coalesce rule applies: `credential:<id>` or `sync:<id>`. */
  coalesce_key: string | null
  /** The destination's coalesce rules. */
  coalesce: CoalesceRules | null
  type: DestinationType
  /** Null for email and broker destinations. */
  url: string | null
  /** Broker destinations' settings (URL sealed); null otherwise. */
  broker: StoredBroker | null
  email_to: string[] | null
  format: string
  headers: Record<string, string>
  template: string | null
  preset: StoredPreset | null
  timeout_ms: number
  max_concurrency: number
  /** The adaptive limit the store holds; null when at max_concurrency. */
  concurrency_limit: number | null
  rate_limit_per_second: number | null
  max_payload_bytes: number
  secret: string
  previous_secret: string | null
  previous_secret_expires_at: Date | null
  /** How many times its limit the claim took of its destination (store.ts claimDepthOf). (Default: 1) */
  depth?: number
  /**
   * Its event, read by the claim in the same statement (null: retention deleted it); absent
   * when the row did not come from a claim, and then pipeline.ts reads it.
   */
  event?: EventRow | null
}

/** A destination configuration to send to: a saved one, or an unsaved one under test. */
export interface TestTarget {
  type: DestinationType
  /** Null for email and brokers. */
  url: string | null
  /** Broker destinations' settings, opened (the URL with its credentials); null otherwise. */
  broker: StoredBroker | null
  /** Email recipients; null for webhooks. */
  emailTo: string[] | null
  format: string
  headers: Record<string, string>
  template: string | null
  preset: StoredPreset | null
  timeoutMs: number
  secrets: string[]
}

/** What the dispatcher reports, for logs, metrics and tests. */
export interface AttemptEvent {
  deliveryId: string
  destinationId: string
  eventId: string
  projectId: string
  attempt: number
  destinationType: ClaimedDelivery['type']
  /** The destination's wire format. */
  format: string
  /** null when nothing was sent (the event could not be rendered in the destination's format). */
  outcome: AttemptOutcome | null
  /** How long the attempt took; null when nothing was sent. */
  durationMs: number | null
  /** The delivery's status after this attempt (unchanged when its lease was lost meanwhile). */
  status: DeliveryStatus
  nextAttemptAt: Date | null
}

export interface DisabledEvent {
  destinationId: string
  projectId: string
  reason: string
}

export interface DispatcherEvents {
  /** Every recorded attempt. */
  attempt: [AttemptEvent]
  /** A delivery succeeded. */
  delivered: [AttemptEvent]
  /** A delivery failed for good (its last attempt, or 410). */
  failed: [AttemptEvent]
  /** A destination was disabled by a 410 Gone. */
  disabled: [DisabledEvent]
  /** The auto-disable rule paused a destination: its deliveries are held, probes check it. */
  paused: [DisabledEvent]
}
