import {
  brokerTarget,
  type BrokerKind,
  type BrokerPool,
  type PublishRequest,
} from '../brokers/index.ts'

import type { AttemptRecord } from './types.ts'

// As much of the body as the log keeps of a webhook's (send.ts responseBodyLimit).
const loggedBodyLimit = 4096

/*
 * A broker destination's attempt, as the delivery log keeps it: `url` is the broker and the
 * target (credentials left out), the request headers are the message's headers, and what came
 * back is the broker's confirmation (the response body; there is no status code, so 0) or,
 * on failure, the error class (connect, auth, not_found, nack, timeout) and the client's words.
 */

/**
 * Publishes one message through the pool and records the attempt.
 * @example const record = await publishAttempt(pool, request, { now, requestHeaders })
 */
export async function publishAttempt(
  pool: BrokerPool,
  request: PublishRequest,
  options: { now: () => Date; signal?: AbortSignal },
): Promise<AttemptRecord> {
  const startedAt = options.now()
  const result = await pool.publish(request, options.signal)
  const common = {
    url: brokerTarget(request.kind, request.broker),
    startedAt,
    durationMs: result.durationMs,
    requestHeaders: request.message.headers,
    requestBody: request.message.body.slice(0, loggedBodyLimit),
  }
  if (!result.ok)
    return {
      ...common,
      outcome: { kind: 'failed', errorClass: result.errorClass, message: result.message },
      response: null,
    }
  return {
    ...common,
    outcome: { kind: 'delivered', status: 0 },
    response: { status: 0, headers: brokerHeaders(request.kind), body: result.confirmation },
  }
}

function brokerHeaders(kind: BrokerKind): Record<string, string> {
  return { broker: kind }
}
