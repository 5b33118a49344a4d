import type { HookResponse } from '../types.ts'

/*
 * What a tenant may answer on /hooks. /hooks shares its origin with the dashboard and the API, so
 * an answer a tenant controls (a static `response`, custom `respond()` code) could otherwise set a
 * cookie for the dashboard, register a service worker scope, redirect, or serve HTML that runs in
 * the dashboard's origin. Providers need far less: a 2xx or 4xx, a content type, a body and the
 * few headers their handshakes name (Asana's X-Hook-Secret, Smartsheet's
 * Smartsheet-Hook-Response, Dropbox's nosniff).
 */

/**
 * Headers a tenant's answer may set (lower case): the handshake headers providers read, plus
 * `cache-control` (providers and proxies must not cache a challenge answer) and `retry-after`
 * (a 4xx such as 429 may tell the provider when to come back).
 */
export const allowedAnswerHeaders: readonly string[] = [
  'content-type',
  'cache-control',
  'retry-after',
  'x-content-type-options',
  'x-hook-secret',
  'smartsheet-hook-response',
]

/**
 * Media types a tenant's answer may have: what providers parse (JSON, XML for SOAP outbound
 * messages, plain text for echoed challenges). Never HTML, SVG or script.
 */
export const allowedContentTypes: readonly string[] = [
  'application/json',
  'text/plain',
  'text/xml',
  'application/xml',
  'application/soap+xml',
]

/** Sent with every /hooks answer: no answer can run script or be sniffed into HTML. */
export const hookSecurityHeaders = {
  'content-security-policy': 'sandbox',
  'x-content-type-options': 'nosniff',
} as const

const maxHeaderValue = 4000

/** A fault in a tenant's answer: `path` is relative to the answer (`/status`, `/headers/x`). */
export interface AnswerProblem {
  path: string
  message: string
}

/**
 * Why a tenant's answer may not be sent, one problem per fault; empty when it may.
 * @example answerProblems({ status: 302, headers: { location: '/' } })
 * // [{ path: '/status', … }, { path: '/headers/location', … }]
 */
export function answerProblems(answer: {
  status?: number
  headers?: Record<string, unknown>
}): AnswerProblem[] {
  const problems: AnswerProblem[] = []
  const status = answer.status ?? 200
  if (
    !Number.isInteger(status) ||
    !((status >= 200 && status < 300) || (status >= 400 && status < 500))
  )
    problems.push({
      path: '/status',
      message: `${status} is not allowed: a /hooks answer is 2xx or 4xx (no redirects, 1xx or 5xx)`,
    })
  for (const [name, value] of Object.entries(answer.headers ?? {})) {
    const problem = headerProblem(name.toLowerCase(), value)
    if (problem) problems.push({ path: `/headers/${name}`, message: problem })
  }
  return problems
}

function headerProblem(name: string, value: unknown): string | null {
  if (!allowedAnswerHeaders.includes(name))
    return `is not a header a /hooks answer may set; allowed: ${allowedAnswerHeaders.join(', ')}`
  if (typeof value !== 'string') return 'must be a string'
  if (value.length > maxHeaderValue || hasControlCharacter(value))
    return `must be at most ${maxHeaderValue} characters without control characters`
  if (name === 'content-type' && !allowedContentTypes.includes(mediaType(value)))
    return `"${value}" is not allowed; use one of ${allowedContentTypes.join(', ')} (optionally with "; charset=…")`
  if (name === 'x-content-type-options' && value.toLowerCase() !== 'nosniff')
    return 'may only be "nosniff"'
  return null
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

function mediaType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase()
}

/**
 * The answer as it leaves: header names in lower case, anything outside the allowlist dropped
 * (answers are checked where they are made; this is the last line), the security headers set.
 * @example withHookHeaders({ status: 200, headers: {}, body: '' }).headers['content-security-policy'] // 'sandbox'
 */
export function withHookHeaders(response: HookResponse): HookResponse {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase()
    if (headerProblem(lower, value) === null) headers[lower] = value
  }
  return { ...response, headers: { ...headers, ...hookSecurityHeaders } }
}
