import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'
import type { HmacScheme, RequestView, VerifyResult } from '../types.ts'
import { jsonPathValues, readValues } from '../values.ts'

/**
 * The generic HMAC verifier: every HMAC preset (Stripe, GitHub, Slack, Shopify…) is this with
 * fixed settings. The signed content is built from the raw body bytes, never a re-serialisation.
 * @param secrets the active secrets (several during a rotation); any one verifying is enough
 */
export function verifyHmac(
  scheme: HmacScheme,
  view: RequestView,
  secrets: readonly string[],
  now: Date,
): VerifyResult {
  const received = readValues(scheme.signature, view, { allHeaders: true })
  if (received.length === 0)
    return { ok: false, reason: `missing signature (${describe(scheme.signature)})` }
  const timestamp = scheme.timestamp ? readValues(scheme.timestamp, view)[0] : undefined
  if (scheme.timestamp) {
    const problem = checkTimestamp(scheme.timestamp, timestamp, now)
    if (problem) return { ok: false, reason: problem }
  }
  const id = scheme.id ? (readValues(scheme.id, view)[0] ?? '') : ''
  const content = renderContent(scheme.content, view, { timestamp: timestamp ?? '', id })
  const candidates = received.map((s) => (scheme.encoding === 'hex' ? s.toLowerCase() : s))
  let expected = ''
  let usable = 0
  for (const secret of secrets) {
    const key = hmacKey(secret, scheme.keyEncoding)
    // A secret that decodes to no bytes ("whsec_") is an empty key anyone can sign with.
    if (!key) continue
    usable++
    expected = createHmac(scheme.algorithm, key).update(content).digest(scheme.encoding)
    if (candidates.some((c) => safeEqual(c, expected))) return { ok: true }
  }
  if (usable === 0) return { ok: false, reason: 'no secret is configured (or every one is empty)' }
  return {
    ok: false,
    reason: `signature mismatch: expected ${expected.slice(0, 8)}…, received ${candidates[0]!.slice(0, 8)}…`,
  }
}

/** Why a timestamp is refused, or null when it is fresh enough. */
export function checkTimestamp(
  rule: NonNullable<HmacScheme['timestamp']>,
  value: string | undefined,
  now: Date,
): string | null {
  if (value === undefined) return `missing timestamp (${describe(rule)})`
  const seconds = toSeconds(value, rule.unit)
  if (seconds === null) return `timestamp "${value.slice(0, 40)}" is not a ${rule.unit} time`
  if (rule.toleranceSeconds === undefined) return null
  const skew = Math.round(now.getTime() / 1000 - seconds)
  if (skew > rule.toleranceSeconds)
    return `timestamp too old: ${skew} s behind, tolerance ${rule.toleranceSeconds} s`
  if ((rule.direction ?? 'past') === 'both' && -skew > rule.toleranceSeconds)
    return `timestamp in the future: ${-skew} s ahead, tolerance ${rule.toleranceSeconds} s`
  return null
}

function toSeconds(value: string, unit: 's' | 'ms' | 'rfc3339'): number | null {
  if (unit === 'rfc3339') {
    const ms = Date.parse(value)
    return Number.isNaN(ms) ? null : ms / 1000
  }
  if (!/^\d+(\.\d+)?$/.test(value)) return null
  return unit === 'ms' ? Number(value) / 1000 : Number(value)
}

const tokenPattern = /\{([^{}]+)\}/g

/**
 * The signed content: `{body}` is the raw bytes; other tokens are request values; the rest is
 * literal. @example renderContent('v0:{timestamp}:{body}', view, { timestamp: '1531420618', id: '' })
 */
export function renderContent(
  template: string,
  view: RequestView,
  values: { timestamp: string; id: string },
): Buffer {
  const parts: Buffer[] = []
  let last = 0
  for (const match of template.matchAll(tokenPattern)) {
    parts.push(Buffer.from(template.slice(last, match.index)))
    parts.push(tokenValue(match[1]!, view, values))
    last = match.index + match[0].length
  }
  parts.push(Buffer.from(template.slice(last)))
  return Buffer.concat(parts)
}

/** The tokens a content template may use; anything else is refused at save time. */
export function contentTokenProblem(token: string): string | null {
  if (['body', 'timestamp', 'id', 'method', 'url', 'query.sorted'].includes(token)) return null
  if (token.startsWith('$') || token.startsWith('header.')) return null
  return `unknown token {${token}}; use {body}, {timestamp}, {id}, {method}, {url}, {query.sorted}, {header.NAME} or {$.json.path}`
}

export const contentTokens = tokenPattern

function tokenValue(
  token: string,
  view: RequestView,
  values: { timestamp: string; id: string },
): Buffer {
  switch (token) {
    case 'body':
      return view.body
    case 'timestamp':
      return Buffer.from(values.timestamp)
    case 'id':
      return Buffer.from(values.id)
    case 'method':
      return Buffer.from(view.method)
    case 'url':
      return Buffer.from(view.url)
    case 'query.sorted':
      return Buffer.from(view.queryString.split('&').filter(Boolean).sort().join('&'))
  }
  if (token.startsWith('header.'))
    return Buffer.from(view.headers[token.slice(7).toLowerCase()] ?? '')
  return Buffer.from(jsonPathValues(token, view.json())[0] ?? '')
}

/** Key bytes from a secret: Standard Webhooks' `whsec_` keys are base64 after the prefix. */
export function decodeKey(secret: string, encoding: HmacScheme['keyEncoding']): Buffer {
  if (encoding === 'whsec') return Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  return Buffer.from(secret, encoding)
}

// Keys by encoding and secret. An HMAC over a Buffer key imports the key each time: 20 µs
// against 3.5 µs over a KeyObject for a 2 KB body, on every /hooks request. Bounded: cleared
// when full (secrets rotate rarely; a clear only costs re-importing).
const keys = new Map<string, KeyObject>()
const maxKeys = 10_000

/** The key of a secret, or null when it decodes to no bytes. */
function hmacKey(secret: string, encoding: HmacScheme['keyEncoding']): KeyObject | null {
  const id = `${encoding}:${secret}`
  let key = keys.get(id)
  if (!key) {
    const bytes = decodeKey(secret, encoding)
    if (bytes.length === 0) return null
    if (keys.size >= maxKeys) keys.clear()
    keys.set(id, (key = createSecretKey(bytes)))
  }
  return key
}

/** Constant-time comparison of two signature strings. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

function describe(source: {
  header?: string | string[]
  query?: string
  bodyPath?: string
}): string {
  if (source.header) return `header ${[source.header].flat().join(' or ')}`
  if (source.query) return `query parameter ${source.query}`
  return `body ${source.bodyPath ?? ''}`
}
