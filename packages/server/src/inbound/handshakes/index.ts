import { runSandboxed } from '../../sandbox/index.ts'
import { resolveOptions } from '../integration-refs.ts'
import type { HookResponse, RequestView, ResponseConfig } from '../types.ts'
import { sandboxFault, sandboxRequest } from '../verifiers/index.ts'
import { answerProblems } from './answer-policy.ts'
import { handshakePresets, type HandshakeAnswer } from './presets.ts'

export { handshakePresets, type HandshakeAnswer } from './presets.ts'
export { answerProblems, withHookHeaders } from './answer-policy.ts'
export { keepHandshakeValues, type KeepRefusal } from './keep-values.ts'

export type HandshakeResult =
  | { kind: 'none' }
  | { kind: 'answer'; signed: boolean; answer: HandshakeAnswer }
  | { kind: 'refused'; reason: string } // 400 invalid_handshake, the reason shown and logged
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
  if (!answer) return { kind: 'none' }
  if ('refuse' in answer) return { kind: 'refused', reason: answer.refuse }
  return { kind: 'answer', signed: preset.signed, answer }
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
  return typeof answer === 'string'
    ? { kind: 'fault', reason: `respond() returned ${answer}` }
    : { kind: 'answer', signed: false, answer }
}

/**
 * The answer custom code returned, or what is wrong with it. Custom code runs for anonymous
 * senders and answers on the dashboard's origin, so its status and headers are held to
 * answer-policy.ts like a static response; an answer outside it is an error, never sent.
 */
function answerOf(value: unknown): HandshakeAnswer | string {
  const shape = 'something other than {status, headers, body, persist} or null'
  if (typeof value !== 'object' || value === null) return shape
  const { status = 200, headers = {}, body = '', persist = {} } = value as Record<string, unknown>
  if (typeof status !== 'number' || !isStringMap(headers) || !isStringMap(persist)) return shape
  const problems = answerProblems({ status, headers })
  if (problems.length > 0)
    return `an answer that may not be sent: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`
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

/**
 * The answer to an accepted request: the trigger's static response, else 200
 * `{"received": true}`. A static response is checked at save time; one saved before the checks
 * that breaks them (a redirect, a cookie) is not sent, and the default answers instead.
 */
export function acceptedResponse(response: ResponseConfig | null, requestId: string): HookResponse {
  const custom = response?.status !== undefined || response?.body !== undefined
  if (!custom || answerProblems(response).length > 0)
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
