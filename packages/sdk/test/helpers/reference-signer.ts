import { Webhook } from 'standardwebhooks'

/**
 * Standard Webhooks headers computed by the reference `standardwebhooks` package, independently
 * of the SDK under test.
 */
export function referenceHeaders(
  secret: string,
  body: string,
  options: { id?: string; at?: Date } = {},
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const id = options.id ?? `msg_${crypto.randomUUID()}`
  const at = options.at ?? new Date()
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  }
}

/** Verifies with the reference package (its clock is the real one). */
export function referenceVerify(secret: string, body: string, headers: Record<string, string>) {
  return new Webhook(secret).verify(body, headers)
}
