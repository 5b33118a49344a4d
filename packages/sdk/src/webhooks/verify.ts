import type { WireFormat } from '../generated/events.ts'
import { WebhookVerificationError } from './errors.ts'
import { readHeader, type HeadersLike } from './headers.ts'
import { computeSignature, importSecret, signedContent, timingSafeEqual } from './signature.ts'
import type { SwitchyardWebhookEvent, VerifyOptions } from './types.ts'

const defaultToleranceSeconds = 300
const encoder = new TextEncoder()

/**
 * Verifies a Standard Webhooks request and returns its parsed, typed body. Pass the body exactly
 * as received (before any JSON parsing) and every secret that may have signed it (old and new
 * during a rotation); any one matching `v1` signature is enough.
 *
 * @throws {WebhookVerificationError} with a `code` saying why the webhook was refused
 * @example
 * const event = await verifyWebhook<'managed-sync'>(rawBody, request.headers, process.env.WEBHOOK_SECRET!)
 * if (event.event === 'record_created') console.log(event.data.recordId)
 */
export async function verifyWebhook<F extends WireFormat = WireFormat>(
  rawBody: string | Uint8Array,
  headers: HeadersLike,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): Promise<SwitchyardWebhookEvent<F>> {
  const { id, timestamp, signatures } = readWebhookHeaders(headers)
  checkTimestamp(Number(timestamp), options)
  // The timestamp is signed as sent, so "01614265330" is not silently turned into "1614265330".
  const content = signedContent(id, timestamp, rawBody)
  const secrets = typeof secret === 'string' ? [secret] : secret
  if (!(await anySignatureMatches(content, secrets, signatures))) {
    throw new WebhookVerificationError(
      'invalid_signature',
      'No webhook-signature matches the body; check the secret and that the body is unparsed.',
    )
  }
  return parseJson(rawBody) as SwitchyardWebhookEvent<F>
}

const headerNames = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const

function readWebhookHeaders(headers: HeadersLike) {
  const values = headerNames.map((name) => readHeader(headers, name))
  const missing = headerNames.filter((_name, i) => !values[i])
  if (missing.length > 0) {
    throw new WebhookVerificationError('missing_headers', `Missing ${missing.join(', ')}.`)
  }
  const [id, timestamp, signature] = values as [string, string, string]
  if (!/^\d{1,15}$/.test(timestamp)) {
    throw new WebhookVerificationError(
      'missing_headers',
      'webhook-timestamp is not a Unix time in seconds.',
    )
  }
  // "v1,<base64>" entries separated by spaces; other versions (v1a: asymmetric) are skipped.
  const signatures = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => encoder.encode(entry.slice(3)))
  return { id, timestamp, signatures }
}

function checkTimestamp(timestamp: number, options: VerifyOptions): void {
  const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds
  const now = Math.floor((options.now?.() ?? new Date()).getTime() / 1000)
  if (now - timestamp > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `webhook-timestamp is ${now - timestamp} s old, more than the ${tolerance} s tolerance.`,
    )
  }
  if (timestamp - now > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_in_future',
      `webhook-timestamp is ${timestamp - now} s ahead of this clock, more than the ${tolerance} s tolerance.`,
    )
  }
}

async function anySignatureMatches(
  content: Uint8Array<ArrayBuffer>,
  secrets: readonly string[],
  signatures: Uint8Array[],
): Promise<boolean> {
  for (const secret of secrets) {
    const expected = encoder.encode(await computeSignature(await importSecret(secret), content))
    if (signatures.some((candidate) => timingSafeEqual(candidate, expected))) return true
  }
  return false
}

function parseJson(rawBody: string | Uint8Array): unknown {
  try {
    const text =
      typeof rawBody === 'string'
        ? rawBody
        : new TextDecoder('utf-8', { fatal: true }).decode(rawBody)
    return JSON.parse(text)
  } catch (cause) {
    throw new WebhookVerificationError('invalid_json', 'The body is not JSON.', { cause })
  }
}
