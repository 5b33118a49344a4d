import { computeSignature, importSecret, signedContent } from './signature.ts'
import type { WebhookHeaders } from './types.ts'

/** What `signWebhook` may be told; both default to a fresh value. */
export interface SignOptions {
  /** `webhook-id` (default `msg_` + a random UUID); keep it the same on every retry. */
  id?: string
  /** `webhook-timestamp` (default now). */
  timestamp?: Date
}

/**
 * Signs a body the way Switchyard signs deliveries, returning the three Standard Webhooks headers.
 * With several secrets the signature header carries one `v1,…` entry per secret, as during a
 * rotation. For tests and for forwarding events to a local app.
 *
 * @example
 * const body = JSON.stringify({ type: 'webhook.test', data: {} })
 * const headers = await signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', body)
 * await fetch('http://localhost:3000/webhooks', {
 *   method: 'POST',
 *   headers: { ...headers, 'content-type': 'application/json' },
 *   body,
 * })
 */
export async function signWebhook(
  secret: string | readonly string[],
  rawBody: string | Uint8Array,
  options: SignOptions = {},
): Promise<WebhookHeaders> {
  const id = options.id ?? `msg_${crypto.randomUUID()}`
  const timestamp = Math.floor((options.timestamp ?? new Date()).getTime() / 1000)
  const content = signedContent(id, timestamp, rawBody)
  const secrets = typeof secret === 'string' ? [secret] : secret
  const signatures = await Promise.all(
    secrets.map(async (s) => `v1,${await computeSignature(await importSecret(s), content)}`),
  )
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  }
}
