import { errorCatalog, type ErrorCode } from '../errors.ts'
import { isUuid, newId } from '../ids.ts'
import { inSpan, spanEvent } from '../tracing/index.ts'
import { findCredential, type CredentialRow } from '../users/index.ts'
import { nestsTooDeep, refuseTooDeep } from './body-nesting.ts'
import {
  acceptedResponse,
  keepHandshakeValues,
  runHandshake,
  withHookHeaders,
  type HandshakeAnswer,
} from './handshakes/index.ts'
import { inboundNotice } from './request-store.ts'
import type { IncomingHook, ReceiveDeps, Receiver } from './receiver.ts'
import { storeRedacted } from './redaction.ts'
import { requestView } from './request-view.ts'
import { secretResolver } from './secrets.ts'
import { findTriggerCached, inboundChannel, type InboundOutcomeName } from './store.ts'
import type { HookResponse, InboundOutcome, RequestView, TriggerRow } from './types.ts'
import { faultOutcome, verifyRequest } from './verifiers/index.ts'
import { hmacPresets } from './verifiers/hmac-presets.ts'

// For answers made before a trigger is read (an unknown id answered early): the same headers.
export { withHookHeaders } from './handshakes/index.ts'

/**
 * Receives one provider request: judges it (handshake, verification) over the raw bytes, stores
 * it raw with the verdict, then answers. The row is committed before the answer leaves, so a
 * 2xx is never given for a request that is not stored; a crash while judging leaves the provider
 * unanswered, and it sends again. Routing and events happen later, from the stored row. Every
 * answer leaves through `withHookHeaders` (CSP sandbox, nosniff, allowed headers only): /hooks
 * shares the dashboard's origin.
 * @example const answer = await receiveHook(receiver, { triggerId, method: 'POST', path, queryString: '', headers, body })
 */
export async function receiveHook(deps: Receiver, hook: IncomingHook): Promise<HookResponse> {
  return withHookHeaders(await answerHook(deps, hook))
}

async function answerHook(deps: Receiver, hook: IncomingHook): Promise<HookResponse> {
  const trigger =
    hook.trigger ??
    (isUuid(hook.triggerId) ? await findTriggerCached(deps.db.kysely, hook.triggerId) : null)
  // Unknown triggers store nothing: anyone can send to /hooks, and an id is not a project.
  if (!trigger) {
    deps.observe?.answered('rejected', 'unknown_trigger')
    return errorResponse('not_found', `No trigger ${hook.triggerId}.`)
  }
  if (nestsTooDeep(trigger, hook.body)) {
    deps.observe?.answered('rejected', 'json_too_deep')
    return refuseTooDeep(deps, trigger, hook)
  }
  const id = newId()
  const receivedAt = deps.now()
  const view = requestView(hook, deps.publicUrl)
  const credentialId = trigger.level === 'user' ? (view.query['id'] ?? null) : null
  const tooLarge = hook.body.length > trigger.body_limit_bytes
  const outcome: InboundOutcome = tooLarge
    ? { kind: 'too_large', size: hook.body.length, limit: trigger.body_limit_bytes }
    : await judge(deps, trigger, view, credentialId, id).catch(internalError)
  const settled = settle(outcome)
  await storeRedacted(deps, trigger, outcome, {
    id,
    projectId: trigger.project_id,
    triggerId: trigger.id,
    credentialId,
    method: hook.method,
    path: hook.path,
    queryString: hook.queryString,
    headers: hook.headers,
    body: tooLarge ? Buffer.alloc(0) : hook.body,
    receivedAt,
    outcome: settled.outcome,
    reason: settled.reason,
    responseStatus: settled.response.status,
  })
  deps.observe?.answered(settled.outcome, outcome.kind)
  spanEvent('switchyard.inbound.stored', {
    'switchyard.inbound_request.id': id,
    'switchyard.inbound.outcome': settled.outcome,
    'switchyard.inbound.reason': outcome.kind,
  })
  // Listen streams and idle routers wake on this; routers also poll.
  deps.db.signal(
    inboundChannel,
    inboundNotice({ triggerId: trigger.id, id, outcome: settled.outcome }),
  )
  return settled.response
}

// A store failure while judging is ours, not the provider's: logged as an error, answered 500
// so the provider retries.
function internalError(error: unknown): InboundOutcome {
  return { kind: 'error', reason: `internal: ${(error as Error).message}`, internal: true }
}

async function judge(
  deps: ReceiveDeps,
  trigger: TriggerRow,
  view: RequestView,
  credentialId: string | null,
  requestId: string,
): Promise<InboundOutcome> {
  // Trello and Intercom probe with HEAD before they save the URL; any trigger answers it.
  if (view.method === 'HEAD')
    return { kind: 'handshake', response: { status: 200, headers: {}, body: '' }, persist: {} }
  let credential: CredentialRow | null = null
  if (trigger.level === 'user') {
    credential = credentialId
      ? await findCredential(deps.db.kysely, trigger.project_id, credentialId)
      : null
    if (!credential || credential.integration !== trigger.integration)
      return { kind: 'unknown_credential', credentialId }
  }
  const secrets = secretResolver(deps, trigger, credential)
  const now = deps.now()
  const traced = { 'switchyard.trigger.id': trigger.id }
  const handshake = await inSpan('switchyard.inbound.handshake', traced, async (span) => {
    const result = await runHandshake(trigger.response, view, {
      secret: async () => (await secrets.resolve(verificationSecrets(trigger)))[0] ?? null,
      persisted: secrets.persisted,
      integrationTokens: secrets.integrationTokens,
      now,
      tenant: trigger.project_id,
    })
    span?.setAttribute('switchyard.handshake', result.kind)
    return result
  })
  if (handshake.kind === 'fault') return faultOutcome(handshake)
  if (handshake.kind === 'refused')
    return {
      kind: 'refused',
      code: 'invalid_handshake',
      message: `The handshake is refused: ${handshake.reason}.`,
      reason: `handshake refused: ${handshake.reason}`,
    }
  if (handshake.kind === 'answer' && !handshake.signed)
    return answered(deps, trigger.id, credentialId ?? '', handshake.answer)
  const tenant = trigger.project_id
  const verdict = await inSpan('switchyard.inbound.verify', traced, async (span) => {
    const result = await verifyRequest(trigger.verification, view, {
      secrets: secrets.resolve,
      now,
      tenant,
    })
    span?.setAttribute('switchyard.verified', result.ok)
    return result
  })
  if (!verdict.ok)
    return 'fault' in verdict ? faultOutcome(verdict) : { kind: 'rejected', reason: verdict.reason }
  if (handshake.kind === 'answer')
    return answered(deps, trigger.id, credentialId ?? '', handshake.answer)
  return { kind: 'accepted', response: acceptedResponse(trigger.response, requestId) }
}

/** A handshake's answer, once what it persists is kept (keep-values.ts says when it may be). */
async function answered(
  deps: ReceiveDeps,
  triggerId: string,
  credentialId: string,
  answer: HandshakeAnswer,
): Promise<InboundOutcome> {
  const { persist, ...response } = answer
  if (Object.keys(persist).length > 0) {
    const refusal = await keepHandshakeValues(deps, triggerId, credentialId, persist)
    if (refusal) return { kind: 'refused', ...refusal }
  }
  // What was kept stays on the outcome: the stored request redacts it wherever it appears.
  return { kind: 'handshake', response, persist }
}

function verificationSecrets(trigger: TriggerRow) {
  const v = trigger.verification
  if (!v) return []
  if (v.secrets.length > 0 || 'code' in v) return v.secrets
  return hmacPresets[v.preset]?.defaultSecrets ?? []
}

/** The answer and the log entry for each outcome: the one exhaustive switch. */
function settle(outcome: InboundOutcome): {
  response: HookResponse
  outcome: InboundOutcomeName
  reason: string | null
} {
  switch (outcome.kind) {
    case 'handshake':
      return { response: outcome.response, outcome: 'handshake', reason: null }
    case 'refused':
      return {
        response: errorResponse(outcome.code, outcome.message),
        outcome: 'rejected',
        reason: outcome.reason,
      }
    case 'accepted':
      return { response: outcome.response, outcome: 'accepted', reason: null }
    case 'rejected':
      // The reason stays in the log: telling a forger why its signature failed helps it.
      return {
        response: errorResponse('verification_failed'),
        outcome: 'rejected',
        reason: outcome.reason,
      }
    case 'unknown_credential':
      return {
        response: errorResponse(
          'not_found',
          `No credential ${outcome.credentialId ?? '(missing ?id=)'} for this trigger.`,
        ),
        outcome: 'rejected',
        reason: outcome.credentialId
          ? `unknown credential ${outcome.credentialId}`
          : 'missing ?id= (user-level trigger)',
      }
    case 'too_large':
      return {
        response: errorResponse(
          'payload_too_large',
          `The body is ${outcome.size} bytes; this trigger takes up to ${outcome.limit}.`,
        ),
        outcome: 'rejected',
        reason: `body of ${outcome.size} bytes is over the limit of ${outcome.limit}`,
      }
    case 'error':
      return {
        response: errorResponse(outcome.internal ? 'internal_error' : 'custom_code_failed'),
        outcome: 'error',
        reason: outcome.reason,
      }
    case 'busy': {
      // The project's own backlog of custom code is full; other projects are served meanwhile.
      const busy = errorResponse('sandbox_busy')
      const retryAfter = { 'retry-after': String(outcome.retryAfterSeconds) }
      return {
        response: { ...busy, headers: { ...busy.headers, ...retryAfter } },
        outcome: 'error',
        reason: outcome.reason,
      }
    }
    default:
      return outcome satisfies never
  }
}

function errorResponse(code: ErrorCode, message?: string): HookResponse {
  return {
    status: errorCatalog[code].status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: { code, message: message ?? errorCatalog[code].message } }),
  }
}
