import { Webhook } from 'standardwebhooks'
import { redactHeaders } from '../destinations/index.ts'
import { version } from '../version.ts'
import type { OutboundRequest } from './types.ts'

const userAgent = `Switchyard/${version}`

/**
 * Standard Webhooks headers. `webhook-id` is the delivery id, the same on every retry, so
 * receivers dedupe on it. With two secrets (a rotation's grace) both signatures go out,
 * space-separated, and a receiver holding either verifies.
 * @example signatureHeaders('0190…', new Date(), '{"a":1}', ['whsec_…'])
 * // { 'webhook-id': '0190…', 'webhook-timestamp': '1735689600', 'webhook-signature': 'v1,…' }
 */
export function signatureHeaders(
  deliveryId: string,
  timestamp: Date,
  body: string,
  secrets: readonly string[],
): Record<string, string> {
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': secrets
      .map((secret) => new Webhook(secret).sign(deliveryId, timestamp, body))
      .join(' '),
  }
}

/**
 * The request for one attempt, and its headers as the log keeps them (credentials redacted).
 * Custom header names are sent in lower case so ours (content type, signature) always win.
 */
export function buildRequest(input: {
  deliveryId: string
  url: string
  body: string
  secrets: readonly string[]
  customHeaders: Record<string, string>
  timeoutMs: number
  timestamp: Date
  /** Per ordering key, 1, 2, … without gaps, so a receiver can tell one is missing. */
  sequence?: string | null
}): { request: OutboundRequest; loggedHeaders: Record<string, string> } {
  const custom = Object.fromEntries(
    Object.entries(input.customHeaders).map(([name, value]) => [name.toLowerCase(), value]),
  )
  const own = {
    'content-type': 'application/json',
    'user-agent': userAgent,
    ...signatureHeaders(input.deliveryId, input.timestamp, input.body, input.secrets),
    ...(input.sequence ? { 'webhook-sequence': input.sequence } : {}),
  }
  return {
    request: {
      url: input.url,
      headers: { ...custom, ...own },
      body: input.body,
      timeoutMs: input.timeoutMs,
    },
    loggedHeaders: { ...redactHeaders(custom), ...own },
  }
}
