import { decodeBase64, encodeBase64 } from './base64.ts'
import { WebhookVerificationError } from './errors.ts'

// Standard Webhooks, "Signature scheme": HMAC-SHA256 over `${id}.${timestamp}.${body}` with the
// base64-decoded part of the secret after `whsec_`, sent base64-encoded as `v1,<signature>`.
// https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md

const secretPrefix = 'whsec_'
const encoder = new TextEncoder()

/**
 * Imports a `whsec_…` secret (the prefix is optional) as an HMAC-SHA256 key.
 *
 * @example
 * const key = await importSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
 */
export async function importSecret(secret: string): Promise<CryptoKey> {
  const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret
  let raw: Uint8Array<ArrayBuffer>
  try {
    raw = decodeBase64(encoded)
  } catch (cause) {
    throw new WebhookVerificationError('invalid_secret', 'The secret is not whsec_ + base64.', {
      cause,
    })
  }
  if (raw.length === 0) throw new WebhookVerificationError('invalid_secret', 'The secret is empty.')
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
}

/**
 * The bytes that are signed: `${id}.${timestamp}.` followed by the body exactly as received (a
 * body given as bytes is never decoded and re-encoded, so invalid UTF-8 still verifies).
 *
 * @example
 * signedContent('msg_1', 1614265330, '{"a":1}') // bytes of 'msg_1.1614265330.{"a":1}'
 */
export function signedContent(
  id: string,
  timestamp: number | string,
  body: string | Uint8Array,
): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${id}.${timestamp}.`)
  const payload = typeof body === 'string' ? encoder.encode(body) : body
  const content = new Uint8Array(prefix.length + payload.length)
  content.set(prefix)
  content.set(payload, prefix.length)
  return content
}

/**
 * The base64 HMAC-SHA256 of `content` (without the `v1,` prefix).
 *
 * @example
 * await computeSignature(key, signedContent(id, timestamp, body)) // 'g0hM9SsE+OTP…'
 */
export async function computeSignature(
  key: CryptoKey,
  content: Uint8Array<ArrayBuffer>,
): Promise<string> {
  return encodeBase64(new Uint8Array(await crypto.subtle.sign('HMAC', key, content)))
}

/**
 * Compares two byte strings in time that depends only on their length (which is public: every
 * signature is 44 base64 characters), so a forger learns nothing from how long a refusal takes.
 *
 * @example
 * timingSafeEqual(encoder.encode('abc'), encoder.encode('abc')) // true
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}
