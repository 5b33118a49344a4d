import { createHash } from 'node:crypto'
import type { TemplateFunctions } from './types.ts'

/**
 * `uuid()` for one delivery: the n-th call gives a UUID v4-shaped value derived from the delivery
 * id, as 32 lowercase hex digits (the form Sentry's `event_id` requires: "exactly 32 characters,
 * dashes are not allowed, has to be lowercase", develop.sentry.dev/sdk/event-payloads). Unique
 * per delivery and the same on each of its retries, so a receiver that stored an attempt whose
 * answer we never saw dedupes the retry.
 * @example deliveryUuids('0190…')() // 'c4a1…' (32 hex digits)
 */
export function deliveryUuids(deliveryId: string): () => string {
  let calls = 0
  return () => {
    const bytes = createHash('sha256').update(`${deliveryId}/${calls++}`).digest().subarray(0, 16)
    bytes[6] = (bytes[6]! & 0x0f) | 0x40 // version 4
    bytes[8] = (bytes[8]! & 0x3f) | 0x80 // RFC 9562 variant
    return bytes.toString('hex')
  }
}

/**
 * The functions a delivery's templates call.
 * @example renderTemplate(t, context, templateFunctionsFor(delivery.id, now))
 */
export function templateFunctionsFor(deliveryId: string, now: () => Date): TemplateFunctions {
  return { uuid: deliveryUuids(deliveryId), now }
}
