import { runSandboxed } from '../../sandbox/index.ts'
import { resolveOptions } from '../integration-refs.ts'
import type { HookResponse, RequestView, ResponseConfig } from '../types.ts'
import { sandboxFault, sandboxRequest } from '../verifiers/index.ts'
import { handshakePresets, type HandshakeAnswer } from './presets.ts'

export { handshakePresets, type HandshakeAnswer } from './presets.ts'

export type HandshakeResult =
  | { kind: 'none' }
  | { kind: 'answer'; signed: boolean; answer: HandshakeAnswer }
  | { kind: 'fault'; reason: string; retryAfterSeconds?: number }

export interface HandshakeDeps {
  /** The first secret of the trigger's verification, for presets that answer with an HMAC. */
  secret: () => Promise<string | null>
  /** Decrypted persisted values, for custom code. */
  persisted: () => Promise<Record<string, string>>
  /** The integration's developer tokens, for options that name one (Meta's verifyToken). */
  integrationTokens?: () => Promise<Record<string, string>>
  now: Date
  /** The trigger's project: its custom code queues fairly with other projects' (src/sandbox). */
  tenant: string
}

/**
 * Runs the trigger's handshake step: a preset's detector or custom `respond(request, ctx)`.
 * `none` means the request is not a handshake and goes on to verification.
 */
export async function runHandshake(
  response: ResponseConfig | null,
  view: RequestView,
  deps: HandshakeDeps,
): Promise<HandshakeResult> {
  if (!response) return { kind: 'none' }
  if (response.code !== undefined) return respondWithCode(response.code, view, deps)
  const preset = response.preset ? handshakePresets[response.preset] : undefined
  if (!preset) return { kind: 'none' }
  const tokens = deps.integrationTokens ?? (async () => ({}))
  const options = await resolveOptions(response.options ?? {}, tokens)
  const answer = await preset.detect(view, { options, secret: deps.secret })
  return answer ? { kind: 'answer', signed: preset.signed, answer } : { kind: 'none' }
}

/**
 * Custom code (Paragon's "Use custom code"): `respond(request, ctx)` returns
 * `{status, headers, body, persist}` to answer a handshake itself, or null to go on.
 */
async function respondWithCode(
  code: string,
  view: RequestView,
  deps: HandshakeDeps,
): Promise<HandshakeResult> {
  const ctx = { persisted: await deps.persisted(), now: deps.now.getTime() }
  const request = sandboxRequest(view)
  const result = await runSandboxed(code, 'respond', [request, ctx], { tenant: deps.tenant })
  if (!result.ok) return { kind: 'fault', ...sandboxFault(result) }
  if (result.value === null || result.value === undefined) return { kind: 'none' }
  const answer = answerOf(result.value)
  return answer
    ? { kind: 'answer', signed: false, answer }
    : { kind: 'fault', reason: 'respond() must return {status, headers, body, persist} or null' }
}

function answerOf(value: unknown): HandshakeAnswer | null {
  if (typeof value !== 'object' || value === null) return null
  const { status = 200, headers = {}, body = '', persist = {} } = value as Record<string, unknown>
  if (typeof status !== 'number' || status < 100 || status > 599) return null
  if (!isStringMap(headers) || !isStringMap(persist)) return null
  const isText = typeof body === 'string'
  return {
    status,
    headers: isText ? headers : { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: isText ? body : JSON.stringify(body),
    persist,
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => typeof v === 'string')
  )
}

/** The answer to an accepted request: the trigger's static response, else 200 `{"received": true}`. */
export function acceptedResponse(response: ResponseConfig | null, requestId: string): HookResponse {
  if (response?.status === undefined && response?.body === undefined)
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ received: true, id: requestId }),
    }
  const body = response.body ?? ''
  const isText = typeof body === 'string'
  return {
    status: response.status ?? 200,
    headers: {
      ...(isText ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      ...response.headers,
    },
    body: isText ? body : JSON.stringify(body),
  }
}
