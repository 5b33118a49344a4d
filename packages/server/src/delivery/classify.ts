import { parseRetryAfter } from './retry-schedule.ts'
import type { AttemptOutcome, ErrorClass } from './types.ts'

/**
 * Turns an answer into an outcome: 2xx delivered, 410 gone, anything else (3xx included, since
 * redirects are not followed) a failure; 429 and 503 may carry `Retry-After`.
 * @example classifyStatus(503, { 'retry-after': '30' }, now) // { kind: 'failed', retryAfterMs: 30000, … }
 */
export function classifyStatus(
  status: number,
  headers: Record<string, string>,
  now: Date,
): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status }
  if (status === 410) return { kind: 'gone', status }
  const redirect = status >= 300 && status < 400
  const message = redirect
    ? `HTTP ${status}: redirect to ${headers.location ?? '(no location)'} not followed`
    : `HTTP ${status}`
  const retryAfterMs =
    status === 429 || status === 503 ? parseRetryAfter(headers['retry-after'], now) : undefined
  return {
    kind: 'failed',
    errorClass: 'http_status',
    message,
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  }
}

const dnsCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME'])
const timeoutCodes = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])
// OpenSSL verification codes Node passes through (X509_V_ERR_* without the prefix).
const tlsCode = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/

/**
 * Turns a network failure into an outcome. `timedOut` is whether the attempt's own deadline
 * fired (undici reports that as an abort, with no code of its own).
 * @example classifyError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), false) // dns
 */
export function classifyError(
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
): AttemptOutcome {
  if (timedOut) return failed('timeout', `no complete answer within ${timeoutMs} ms`)
  const { code, message } = rootCause(error)
  return failed(errorClassOf(code), code ? `${code}: ${message}` : message)
}

function errorClassOf(code: string): ErrorClass {
  if (timeoutCodes.has(code)) return 'timeout'
  if (dnsCodes.has(code)) return 'dns'
  if (tlsCode.test(code)) return 'tls'
  // refused, reset, closed mid-answer, unreachable, or a private target we refused
  return 'connect'
}

function failed(errorClass: ErrorClass, message: string): AttemptOutcome {
  return { kind: 'failed', errorClass, message }
}

// undici and Node wrap the socket's error; the innermost coded one says what happened.
function rootCause(error: unknown): { code: string; message: string } {
  let found = { code: '', message: String(error) }
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    const { code, message, cause } = current as {
      code?: unknown
      message?: unknown
      cause?: unknown
    }
    if (typeof code === 'string') found = { code, message: String(message ?? '') }
    else if (!found.code && typeof message === 'string') found = { code: '', message }
    current = cause
  }
  return found
}
