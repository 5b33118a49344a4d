import type { CanonicalType } from '../catalog/index.ts'
import type { DeliveryControl, TestResult, TestTarget } from '../destinations/index.ts'
import { newId } from '../ids.ts'
import { notify } from '../store/index.ts'
import { deliveriesChannel } from './fan-out.ts'
import { renderBody } from './render.ts'
import type { Sender } from './send.ts'
import { buildRequest } from './signing.ts'
import { holdPending, requeueFailed, resumeHeld } from './store.ts'
import type { AttemptRecord } from './types.ts'

/**
 * The delivery side of destination actions (see DeliveryControl). Moves that make deliveries
 * due send a NOTIFY, delivered to dispatchers when the caller's transaction commits.
 * @example destinationRoutes({ db, now, deliveries: createDeliveryControl({ now, sender, publicUrl }) })
 */
export function createDeliveryControl(deps: {
  now: () => Date
  sender: Sender
  publicUrl: string
}): DeliveryControl {
  return {
    holdPending,
    resumeHeld: async (tx, destinationId, now) => {
      const resumed = await resumeHeld(tx, destinationId, now)
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
 * Sends a `webhook.test` event to a target now, outside the queue: nothing is stored.
 * @returns the attempt, with a fresh webhook-id
 */
export async function sendTestEvent(
  deps: { now: () => Date; sender: Sender; publicUrl: string },
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
  // Every format has a name for webhook.test.
  const body = renderBody(target.format, event, deps.publicUrl) ?? '{}'
  const webhookId = newId()
  const { request, loggedHeaders } = buildRequest({
    deliveryId: webhookId,
    url: target.url,
    body,
    secrets: target.secrets,
    customHeaders: target.headers,
    timeoutMs: target.timeoutMs,
    timestamp: now,
  })
  const record = await deps.sender.send(request, { requestHeaders: loggedHeaders })
  return { webhookId, ...attemptFields(record) }
}

/** The API fields of an attempt the sender made. */
export function attemptFields(record: AttemptRecord): Omit<TestResult, 'webhookId'> {
  const { outcome } = record
  return {
    startedAt: record.startedAt.toISOString(),
    durationMs: record.durationMs,
    outcome: outcome.kind,
    status: record.response?.status ?? null,
    errorClass: outcome.kind === 'failed' ? outcome.errorClass : null,
    errorMessage: outcome.kind === 'failed' ? outcome.message : null,
    requestHeaders: record.requestHeaders,
    responseHeaders: record.response?.headers ?? null,
    responseBody: record.response?.body ?? null,
  }
}
