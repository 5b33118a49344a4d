import type { CanonicalType } from '../../catalog/index.ts'
import type { DestinationFields, DestinationRow } from '../../destinations/index.ts'
import { newId } from '../../ids.ts'
import { prepareAttempt, type AttemptDeps } from '../attempt.ts'
import { errorClasses, type AttemptRecord, type ErrorClass, type TestTarget } from '../types.ts'

/**
 * The test target of validated fields (an unsaved configuration) or of a saved row.
 * @example testTargetOf(destinationFields(body), [newSigningSecret()])
 */
export function testTargetOf(d: DestinationFields | DestinationRow, secrets: string[]): TestTarget {
  const row = 'project_id' in d
  return {
    type: d.type,
    url: d.url,
    broker: d.broker ?? null,
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
  errorClass: ErrorClass | null
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
        "The URL the test was sent to (a Slack preset's shows only its origin; a broker's: the broker and target); null for email, or when nothing was sent.",
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
      enum: [...errorClasses, null],
    },
    errorMessage: { type: ['string', 'null'] },
    requestHeaders: { type: 'object', additionalProperties: { type: 'string' } },
    requestBody: { type: ['string', 'null'] },
    responseHeaders: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    responseBody: { type: ['string', 'null'] },
  },
} as const

/**
 * Sends a `webhook.test` event to a target now, outside the queue: nothing is stored. Email
 * targets get it by mail, through the same render and send stages as a delivery. Admins' tests
 * and the prober's probes both send through here.
 * @returns the attempt, with a fresh webhook-id
 */
export async function sendTestEvent(
  deps: AttemptDeps,
  target: TestTarget,
  project: { id: string; name: string },
): Promise<TestResult> {
  const now = deps.now()
  const event = {
    id: newId(),
    type: 'webhook.test' as CanonicalType,
    occurredAt: now,
    data: {},
    project,
  }
  const webhookId = newId()
  const prepared = prepareAttempt({ ...target, deliveryId: webhookId }, event, deps)
  // Every format has a name for webhook.test; a stored preset whose options no longer pass
  // is what can fail here, and it is reported like a failed attempt.
  if (!prepared.ok) return { webhookId, ...unsentFields(now, prepared.error) }
  return { webhookId, ...attemptFields(await prepared.send()) }
}

function unsentFields(now: Date, error: string): Omit<TestResult, 'webhookId'> {
  return {
    url: null,
    startedAt: now.toISOString(),
    durationMs: 0,
    outcome: 'failed',
    status: null,
    errorClass: null,
    errorMessage: error,
    requestHeaders: {},
    requestBody: null,
    responseHeaders: null,
    responseBody: null,
  }
}

/** The API fields of an attempt the sender made. */
function attemptFields(record: AttemptRecord): Omit<TestResult, 'webhookId'> {
  const { outcome } = record
  return {
    url: record.url ?? null,
    startedAt: record.startedAt.toISOString(),
    durationMs: record.durationMs,
    outcome: outcome.kind,
    status: record.response?.status ?? null,
    errorClass: outcome.kind === 'failed' ? outcome.errorClass : null,
    errorMessage: outcome.kind === 'failed' ? outcome.message : null,
    requestHeaders: record.requestHeaders,
    requestBody: record.requestBody,
    responseHeaders: record.response?.headers ?? null,
    responseBody: record.response?.body ?? null,
  }
}
