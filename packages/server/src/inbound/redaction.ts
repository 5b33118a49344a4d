import { currentTraceContext } from '../tracing/index.ts'
import type { Receiver } from './receiver.ts'
import type { NewInboundRequest } from './request-store.ts'
import type { InboundOutcome, RedactConfig, TriggerRow, VerificationConfig } from './types.ts'

/**
 * Secrets a request carries in clear — the API key, query token or Basic password a trigger's
 * verification compares, the secret a handshake establishes — are redacted before the request
 * is stored. Everything after storage reads the stored row (the request log, listen streams,
 * the router's `trigger.received` events and so every destination), so redacting once here
 * redacts them everywhere. Verification runs before storage, over the request as received;
 * nothing re-verifies a stored row (replay routes it again), so a redacted value is never
 * compared with a secret.
 */

/** What a redacted header or query value reads. */
export const redactedValue = '[redacted]'

// Credentials a client sends for itself; once a request is judged nothing reads them again.
const alwaysRedactedHeaders = ['authorization', 'proxy-authorization', 'cookie']

// Handshakes whose request carries a secret (handshakes/presets.ts): Asana's X-Hook-Secret is
// the signing secret it establishes, Meta's hub.verify_token is the project's verify token,
// Notion's verification_token (a top-level body member) the secret it signs with. Named here, not
// only found among the values a handshake persisted: a refused handshake persists nothing.
const handshakeSecrets: Record<string, RedactConfig & { bodyKeys?: string[] }> = {
  asana: { headers: ['x-hook-secret'] },
  meta: { query: ['hub.verify_token'] },
  notion: { bodyKeys: ['verification_token'] },
}

/** Header names (lower-case) and query parameter names whose values are redacted. */
export interface Redaction {
  headers: Set<string>
  query: Set<string>
}

/**
 * What a trigger redacts: the always-redacted credential headers, what its verification and
 * handshake read, and the names it lists in `redact`.
 * @example redactionOf(trigger).query.has('token') // a `token` preset reading ?token=
 */
export function redactionOf(trigger: Pick<TriggerRow, 'verification' | 'response' | 'redact'>) {
  const redaction: Redaction = { headers: new Set(alwaysRedactedHeaders), query: new Set() }
  const preset = trigger.response?.preset
  for (const config of [
    verificationReads(trigger.verification),
    preset === undefined ? undefined : handshakeSecrets[preset],
    trigger.redact,
  ]) {
    for (const name of config?.headers ?? []) redaction.headers.add(name.toLowerCase())
    for (const name of config?.query ?? []) redaction.query.add(name)
  }
  return redaction
}

/**
 * The header or query parameter a static-token verifier compares with its secrets (`api-key`,
 * `token`: verifiers/special.ts). Basic auth reads Authorization, always redacted. HMAC and
 * signature presets read signatures, which do not reveal their key; custom code reads what it
 * likes, so a trigger with code names its secrets in `redact`.
 */
function verificationReads(v: VerificationConfig | null): RedactConfig | undefined {
  if (!v || !('options' in v) || (v.preset !== 'api-key' && v.preset !== 'token')) return undefined
  const { query, header } = v.options
  if (typeof query === 'string') return { query: [query] }
  return { headers: [typeof header === 'string' ? header : 'x-api-key'] }
}

/**
 * The request as it is stored: secrets redacted (values a handshake persisted too, wherever
 * they appear), and the body of a request that was not accepted cut to `excerptBytes` with its
 * size kept (anyone may send those, and nothing routes them).
 */
export function storedRequest(
  trigger: Pick<TriggerRow, 'verification' | 'response' | 'redact'>,
  outcome: InboundOutcome,
  row: NewInboundRequest,
): NewInboundRequest {
  const persisted = [
    ...(outcome.kind === 'handshake' ? Object.values(outcome.persist) : []),
    ...(row.outcome === 'accepted' ? [] : handshakeBodySecrets(trigger, row.body)),
  ].filter((v) => v !== '')
  const redaction = redactionOf(trigger)
  const redacted: NewInboundRequest = {
    ...row,
    headers: redactHeaders(row.headers, redaction.headers, persisted),
    queryString: redactQuery(row.queryString, redaction.query, persisted),
    body: persisted.reduce(redactBytes, row.body),
  }
  if (row.outcome === 'accepted') return redacted
  const size = outcome.kind === 'too_large' ? outcome.size : row.body.length
  const body = redacted.body.subarray(0, excerptBytes)
  return { ...redacted, body, bodySize: size > body.length ? size : null }
}

/**
 * Stores a judged request through the receiver's group commit, as `storedRequest` makes it.
 * @example await storeRedacted(receiver, trigger, outcome, row)
 */
export async function storeRedacted(
  deps: Pick<Receiver, 'storeRequest'>,
  trigger: Pick<TriggerRow, 'verification' | 'response' | 'redact'>,
  outcome: InboundOutcome,
  row: NewInboundRequest,
): Promise<void> {
  // Stamped here, in the request's context: the group commit's statement runs in another's.
  await deps.storeRequest({
    ...storedRequest(trigger, outcome, row),
    traceContext: currentTraceContext(),
  })
}

/** The string values of the handshake's secret body members (never of an accepted body). */
function handshakeBodySecrets(trigger: Pick<TriggerRow, 'response'>, body: Buffer): string[] {
  const keys = handshakeSecrets[trigger.response?.preset ?? '']?.bodyKeys ?? []
  if (keys.length === 0 || body.length === 0) return []
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown> | null
    return keys.flatMap((k) => (typeof parsed?.[k] === 'string' ? [parsed[k]] : []))
  } catch {
    return []
  }
}

/** How much of a body that was not accepted is kept. */
export const excerptBytes = 4096

function redactHeaders(
  headers: NewInboundRequest['headers'],
  names: ReadonlySet<string>,
  values: readonly string[],
): NewInboundRequest['headers'] {
  const out: NewInboundRequest['headers'] = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const lower = name.toLowerCase()
    const holds = (v: string) => values.some((secret) => v.includes(secret))
    const hit = names.has(lower) || [value].flat().some(holds)
    out[name] = !hit
      ? value
      : Array.isArray(value)
        ? value.map(() => redactedValue)
        : redacted(value)
  }
  return out
}

// `Basic [redacted]`: the scheme says which credentials came, and is not one of them.
function redacted(value: string): string {
  const scheme = /^(Basic|Bearer|Digest|Token)\s/i.exec(value)?.[1]
  return scheme ? `${scheme} ${redactedValue}` : redactedValue
}

/** The raw query string with the named parameters' values replaced, the rest byte for byte. */
function redactQuery(
  queryString: string,
  names: ReadonlySet<string>,
  values: readonly string[],
): string {
  if (queryString === '' || (names.size === 0 && values.length === 0)) return queryString
  return queryString
    .split('&')
    .map((part) => {
      // Decoded as the verifier saw it (RequestView.query is built with URLSearchParams).
      const [name, value] = [...new URLSearchParams(part)][0] ?? ['', '']
      const hit = names.has(name) || values.some((secret) => value.includes(secret))
      return hit ? `${part.split('=', 1)[0]}=${redactedValue}` : part
    })
    .join('&')
}

function redactBytes(body: Buffer, secret: string): Buffer {
  const needle = Buffer.from(secret)
  const parts: Buffer[] = []
  let from = 0
  for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, from)) {
    parts.push(body.subarray(from, at), Buffer.from(redactedValue))
    from = at + needle.length
  }
  return from === 0 ? body : Buffer.concat([...parts, body.subarray(from)])
}

/**
 * A trigger's `redact` as stored: header names lower-case, each name once, null when empty.
 * @example normalizeRedact({ headers: ['X-Shop-Token'] }) // { headers: ['x-shop-token'] }
 */
export function normalizeRedact(input: RedactConfig | null | undefined): RedactConfig | null {
  const headers = [...new Set((input?.headers ?? []).map((h) => h.toLowerCase()))]
  const query = [...new Set(input?.query ?? [])]
  if (headers.length === 0 && query.length === 0) return null
  return {
    ...(headers.length > 0 ? { headers } : {}),
    ...(query.length > 0 ? { query } : {}),
  }
}
