import type { Transaction } from 'kysely'
import type { Queryable } from '../store/index.ts'
import type { DestinationFields, DestinationRow } from './store.ts'
import type { StoredPreset } from './templates/index.ts'

/**
 * What destination actions need from the delivery feature. The delivery feature depends on
 * this one (it reads destinations), so main.ts hands its implementation in instead of this
 * feature importing it.
 */
export interface DeliveryControl {
  /** Inside the transaction that disables a destination: its pending deliveries are held. */
  holdPending(tx: Transaction<any>, destinationId: string, now: Date): Promise<number>
  /** Inside the transaction that enables a destination: its held deliveries are due now. */
  resumeHeld(tx: Transaction<any>, destinationId: string, now: Date): Promise<number>
  /** Failed deliveries created in [since, until) go again (held while the destination is off). */
  requeueFailed(
    q: Queryable,
    request: { destinationId: string; since: Date; until: Date | null; hold: boolean; now: Date },
  ): Promise<number>
  /** Sends a `webhook.test` event now, outside the queue (HTTP or SMTP), and returns the attempt. */
  sendTest(target: TestTarget, project: { id: string; name: string }): Promise<TestResult>
}

/** A destination configuration to test, saved or not. */
export interface TestTarget {
  type: 'webhook' | 'email'
  /** Null for email. */
  url: string | null
  /** Email recipients; null for webhooks. */
  emailTo: string[] | null
  format: string
  headers: Record<string, string>
  template: string | null
  preset: StoredPreset | null
  timeoutMs: number
  secrets: string[]
}

/**
 * The test target of validated fields (an unsaved configuration) or of a saved row.
 * @example testTargetOf(destinationFields(body), [newSigningSecret()])
 */
export function testTargetOf(d: DestinationFields | DestinationRow, secrets: string[]): TestTarget {
  const row = 'project_id' in d
  return {
    type: d.type,
    url: d.url,
    emailTo: row ? d.email_to : d.emailTo,
    format: d.format,
    headers: d.headers,
    template: d.template,
    preset: d.preset,
    timeoutMs: row ? d.timeout_ms : d.timeoutMs,
    secrets,
  }
}

/** The attempt a test made. */
export interface TestResult {
  webhookId: string
  /** Where the test went (a Slack preset's URL: its origin); null for email or nothing sent. */
  url: string | null
  startedAt: string
  durationMs: number
  outcome: 'delivered' | 'failed' | 'gone'
  status: number | null
  errorClass: string | null
  errorMessage: string | null
  requestHeaders: Record<string, string>
  /** The first 4 KiB of the body sent. */
  requestBody: string | null
  responseHeaders: Record<string, string> | null
  responseBody: string | null
}

export const testResultSchema = {
  type: 'object',
  required: ['webhookId', 'startedAt', 'durationMs', 'outcome'],
  properties: {
    webhookId: { type: 'string' },
    url: {
      type: ['string', 'null'],
      description:
        "The URL the test was sent to (a Slack preset's shows only its origin); null for email, or when nothing was sent.",
    },
    startedAt: { type: 'string', format: 'date-time' },
    durationMs: { type: 'integer' },
    outcome: { type: 'string', enum: ['delivered', 'failed', 'gone'] },
    status: {
      type: ['integer', 'null'],
      description: 'The HTTP status, or for email the SMTP reply code (250 when accepted).',
    },
    errorClass: {
      type: ['string', 'null'],
      enum: ['timeout', 'dns', 'connect', 'tls', 'http_status', 'smtp_status', null],
    },
    errorMessage: { type: ['string', 'null'] },
    requestHeaders: { type: 'object', additionalProperties: { type: 'string' } },
    requestBody: { type: ['string', 'null'] },
    responseHeaders: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    responseBody: { type: ['string', 'null'] },
  },
} as const
