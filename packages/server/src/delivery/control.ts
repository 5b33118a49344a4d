import type { CanonicalType } from '../catalog/index.ts'
import type { DeliveryControl, TestResult, TestTarget } from '../destinations/index.ts'
import { newId } from '../ids.ts'
import { notify } from '../store/index.ts'
import { prepareAttempt, type AttemptDeps } from './attempt.ts'
import { deliveriesChannel } from './fan-out.ts'
import { holdPending, releaseHeld, requeueFailed } from './store.ts'
import type { AttemptRecord } from './types.ts'

/**
 * The delivery side of destination actions (see DeliveryControl). Moves that make deliveries
 * due send a NOTIFY, delivered to dispatchers when the caller's transaction commits.
 * @example destinationRoutes({ db, now, deliveries: createDeliveryControl({ now, sender, mailer, publicUrl }) })
 */
export function createDeliveryControl(deps: AttemptDeps): DeliveryControl {
  return {
    holdPending,
    resumeHeld: async (tx, destinationId, now) => {
      // An admin's enable sends everything now (oldest first); a probe's resume paces it.
      const resumed = await releaseHeld(tx, { destinationId, now, perSecond: null })
      if (resumed > 0) await notify(tx, deliveriesChannel)
      return resumed
    },
    requeueFailed: async (q, request) => {
      const requeued = await requeueFailed(q, request)
      if (requeued > 0 && !request.hold) await notify(q, deliveriesChannel)
      return requeued
    },
    sendTest: (target, project) => sendTestEvent(deps, target, project),
  }
}

/**
 * Sends a `webhook.test` event to a target now, outside the queue: nothing is stored. Email
 * targets get it by mail, through the same render and send stages as a delivery.
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
export function attemptFields(record: AttemptRecord): Omit<TestResult, 'webhookId'> {
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
