import { createHash, createHmac, createPublicKey, verify as verifySignature } from 'node:crypto'
import type { RequestView, VerifyResult } from '../types.ts'
import { safeEqual } from './hmac.ts'

/** A verifier that is not an instance of the generic HMAC scheme. */
export interface SpecialVerifier {
  doc: string
  /** Options the trigger may set, with their meaning (listed by GET /v1/trigger-presets). */
  options?: Record<string, string>
  verify(
    view: RequestView,
    secrets: readonly string[],
    options: Record<string, unknown>,
  ): VerifyResult
}

const missing = (header: string): VerifyResult => ({
  ok: false,
  reason: `missing header ${header}`,
})
const mismatch: VerifyResult = { ok: false, reason: 'signature mismatch' }
const anySecret = (secrets: readonly string[], check: (s: string) => boolean): VerifyResult =>
  secrets.length === 0
    ? { ok: false, reason: 'no secret is configured' }
    : secrets.some(check)
      ? { ok: true }
      : mismatch

/**
 * Twilio: base64 HMAC-SHA1 of the full URL then each POST parameter name+value, names sorted.
 * A JSON body instead carries `bodySHA256` in the URL and the signature covers the URL alone
 * (Twilio "Webhooks security"). Twilio may sign the URL with or without the default port.
 */
function verifyTwilio(view: RequestView, secrets: readonly string[]): VerifyResult {
  const signature = view.headers['x-twilio-signature']
  if (!signature) return missing('X-Twilio-Signature')
  const bodyHash = view.query['bodySHA256']
  if (bodyHash !== undefined) {
    const actual = createHash('sha256').update(view.body).digest('hex')
    if (!safeEqual(actual, bodyHash))
      return { ok: false, reason: 'bodySHA256 does not match the body' }
  }
  const params = bodyHash === undefined ? sortedParams(view.form()) : ''
  return anySecret(secrets, (secret) =>
    urlVariants(view.url).some((url) =>
      safeEqual(
        createHmac('sha1', secret)
          .update(url + params)
          .digest('base64'),
        signature,
      ),
    ),
  )
}

function sortedParams(form: URLSearchParams): string {
  const names = [...new Set(form.keys())].sort()
  return names
    .map((n) =>
      [...new Set(form.getAll(n))]
        .sort()
        .map((v) => n + v)
        .join(''),
    )
    .join('')
}

function urlVariants(url: string): string[] {
  const parsed = new URL(url)
  const port = parsed.protocol === 'https:' ? '443' : '80'
  if (parsed.port) return [url, url.replace(`:${parsed.port}`, '')]
  const withPort = `${parsed.protocol}//${parsed.host}:${port}${url.slice(parsed.origin.length)}`
  return [url, withPort]
}

/** HubSpot v1/v2: hex SHA-256 (not HMAC) of secret + [method + URL +] body (HubSpot "Validating requests"). */
function hubspotLegacy(withRequestLine: boolean) {
  return (view: RequestView, secrets: readonly string[]): VerifyResult => {
    const signature = view.headers['x-hubspot-signature']
    if (!signature) return missing('X-HubSpot-Signature')
    const line = withRequestLine ? view.method + view.url : ''
    return anySecret(secrets, (secret) =>
      safeEqual(
        createHash('sha256')
          .update(Buffer.concat([Buffer.from(secret + line), view.body]))
          .digest('hex'),
        signature.toLowerCase(),
      ),
    )
  }
}

/** SendGrid: ECDSA P-256/SHA-256 over timestamp + body, base64 DER; the secret is the base64 public key. */
function verifySendgrid(view: RequestView, secrets: readonly string[]): VerifyResult {
  const signature = view.headers['x-twilio-email-event-webhook-signature']
  const timestamp = view.headers['x-twilio-email-event-webhook-timestamp']
  if (!signature || !timestamp) return missing('X-Twilio-Email-Event-Webhook-Signature/-Timestamp')
  const payload = Buffer.concat([Buffer.from(timestamp), view.body])
  return anySecret(secrets, (publicKey) => {
    const key = createPublicKey({
      key: Buffer.from(publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    })
    return verifySignature('sha256', payload, key, Buffer.from(signature, 'base64'))
  })
}

// The DER prefix that turns a raw 32-byte Ed25519 public key into SubjectPublicKeyInfo.
const ed25519Prefix = Buffer.from('302a300506032b6570032100', 'hex')

/** Discord: Ed25519 over timestamp + body, hex; the secret is the app's hex public key. */
function verifyDiscord(view: RequestView, secrets: readonly string[]): VerifyResult {
  const signature = view.headers['x-signature-ed25519']
  const timestamp = view.headers['x-signature-timestamp']
  if (!signature || !timestamp) return missing('X-Signature-Ed25519/-Timestamp')
  const payload = Buffer.concat([Buffer.from(timestamp), view.body])
  return anySecret(secrets, (publicKeyHex) => {
    const der = Buffer.concat([ed25519Prefix, Buffer.from(publicKeyHex, 'hex')])
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' })
    return verifySignature(null, payload, key, Buffer.from(signature, 'hex'))
  })
}

/** Basic auth: each secret is "user:password". */
function verifyBasic(view: RequestView, secrets: readonly string[]): VerifyResult {
  const match = /^Basic\s+(\S+)$/i.exec(view.headers['authorization'] ?? '')
  if (!match) return missing('Authorization: Basic')
  const given = Buffer.from(match[1]!, 'base64').toString('utf8')
  return anySecret(secrets, (secret) => safeEqual(given, secret))
}

/** A static token in a header (default X-API-Key; GitLab: X-Gitlab-Token) or a query parameter. */
function verifyToken(
  view: RequestView,
  secrets: readonly string[],
  options: Record<string, unknown>,
): VerifyResult {
  const query = typeof options['query'] === 'string' ? options['query'] : null
  const header =
    typeof options['header'] === 'string' ? options['header'].toLowerCase() : 'x-api-key'
  const given = query ? view.query[query] : view.headers[header]
  if (given === undefined)
    return query ? { ok: false, reason: `missing query parameter ${query}` } : missing(header)
  const prefix = typeof options['prefix'] === 'string' ? options['prefix'] : ''
  return anySecret(secrets, (secret) => safeEqual(given, prefix + secret))
}

const tokenOptions = {
  header: 'The header carrying the token (default x-api-key).',
  query: 'A query parameter carrying the token instead of a header.',
  prefix: 'Text before the token in the value, e.g. "Bearer ".',
}

export const specialVerifiers: Record<string, SpecialVerifier> = {
  twilio: {
    doc: 'X-Twilio-Signature: base64 HMAC-SHA1 of URL + sorted params (JSON: bodySHA256)',
    verify: verifyTwilio,
  },
  'hubspot-v1': {
    doc: 'X-HubSpot-Signature: hex SHA-256 of secret + body',
    verify: hubspotLegacy(false),
  },
  'hubspot-v2': {
    doc: 'X-HubSpot-Signature: hex SHA-256 of secret + method + URL + body',
    verify: hubspotLegacy(true),
  },
  sendgrid: {
    doc: 'ECDSA P-256 over timestamp + body; secret = the verification public key (base64)',
    verify: verifySendgrid,
  },
  discord: {
    doc: 'Ed25519 over timestamp + body; secret = the application public key (hex)',
    verify: verifyDiscord,
  },
  basic: { doc: 'Authorization: Basic; each secret is "user:password"', verify: verifyBasic },
  'api-key': {
    doc: 'A static key in a header (default X-API-Key)',
    options: tokenOptions,
    verify: verifyToken,
  },
  token: {
    doc: 'A static token in a header or query parameter (GitLab, Okta, Google channels)',
    options: tokenOptions,
    verify: verifyToken,
  },
}
