import { runSandboxed } from '../../sandbox/index.ts'
import type {
  InboundOutcome,
  RequestView,
  SecretRef,
  StoredSecretRef,
  VerificationConfig,
  VerifyResult,
} from '../types.ts'
import { verifyHmac } from './hmac.ts'
import { hmacPresets } from './hmac-presets.ts'
import { specialVerifiers } from './special.ts'

export { hmacPresets } from './hmac-presets.ts'
export { specialVerifiers } from './special.ts'
export { contentTokenProblem, contentTokens } from './hmac.ts'

/**
 * A verification that could not run (custom code threw or timed out) is a fault, not a
 * rejection; `retryAfterSeconds` marks one refused because the project's sandbox queue is full.
 */
export type Verdict =
  VerifyResult | { ok: false; reason: string; fault: true; retryAfterSeconds?: number }

/** A fault of custom code (verify or respond) as the request's outcome: busy (503) or error. */
export function faultOutcome(fault: {
  reason: string
  retryAfterSeconds?: number
}): InboundOutcome {
  return fault.retryAfterSeconds === undefined
    ? { kind: 'error', reason: fault.reason }
    : { kind: 'busy', reason: fault.reason, retryAfterSeconds: fault.retryAfterSeconds }
}

export interface VerifyContext {
  /** Resolves the trigger's secret references to their values. */
  secrets: (refs: readonly (StoredSecretRef | SecretRef)[]) => Promise<string[]>
  now: Date
  /** The trigger's project: its custom code queues fairly with other projects' (src/sandbox). */
  tenant: string
}

/** Every verification preset name (GET /v1/trigger-presets lists them). */
export const verificationPresetNames = [
  'hmac',
  ...Object.keys(hmacPresets),
  ...Object.keys(specialVerifiers),
]

/**
 * Verifies a request with the trigger's verification: the generic HMAC, a named preset from the
 * registry, or custom code. No verification configured accepts every request.
 * @example await verifyRequest({ preset: 'github', secrets, options: {} }, view, ctx)
 */
export async function verifyRequest(
  config: VerificationConfig | null,
  view: RequestView,
  ctx: VerifyContext,
): Promise<Verdict> {
  if (config === null) return { ok: true }
  if ('code' in config)
    return verifyWithCode(config.code, view, await ctx.secrets(config.secrets), ctx)
  if (config.preset === 'hmac' && 'algorithm' in config)
    return verifyHmac(config, view, await ctx.secrets(config.secrets), ctx.now)
  const options = 'options' in config ? config.options : {}
  const hmac = hmacPresets[config.preset]
  if (hmac) {
    const refs = config.secrets.length > 0 ? config.secrets : (hmac.defaultSecrets ?? [])
    return verifyHmac(withOptions(hmac.scheme, options), view, await ctx.secrets(refs), ctx.now)
  }
  const special = specialVerifiers[config.preset]
  // Unknown presets are refused at save time; one that disappears in an upgrade fails closed.
  if (!special) return { ok: false, reason: `unknown verification preset ${config.preset}` }
  return special.verify(view, await ctx.secrets(config.secrets), options)
}

function withOptions(
  scheme: (typeof hmacPresets)[string]['scheme'],
  options: Record<string, unknown>,
) {
  const tolerance = options['toleranceSeconds']
  if (typeof tolerance !== 'number' || !scheme.timestamp) return scheme
  return { ...scheme, timestamp: { ...scheme.timestamp, toleranceSeconds: tolerance } }
}

/** Why custom code did not give an answer, and when to retry if the sandbox was busy. */
export function sandboxFault(failure: { error: string; retryAfterSeconds?: number }) {
  return failure.retryAfterSeconds === undefined
    ? { reason: `custom code failed: ${failure.error}` }
    : { reason: failure.error, retryAfterSeconds: failure.retryAfterSeconds }
}

/** What custom code receives as `request` (plain data; the body as text and base64). */
export function sandboxRequest(view: RequestView) {
  return {
    method: view.method,
    url: view.url,
    path: view.path,
    query: view.query,
    headers: view.headers,
    body: view.body.toString('utf8'),
    bodyBase64: view.body.toString('base64'),
  }
}

async function verifyWithCode(
  code: string,
  view: RequestView,
  secrets: string[],
  { now, tenant }: VerifyContext,
): Promise<Verdict> {
  const request = sandboxRequest(view)
  const result = await runSandboxed(code, 'verify', [request, { secrets, now: now.getTime() }], {
    tenant,
  })
  if (!result.ok) return { ...sandboxFault(result), ok: false, fault: true }
  const value = result.value
  if (value === true) return { ok: true }
  if (value && typeof value === 'object' && 'valid' in value) {
    const { valid, reason } = value as { valid: unknown; reason?: unknown }
    if (valid === true) return { ok: true }
    return {
      ok: false,
      reason: typeof reason === 'string' ? reason : 'custom code rejected the request',
    }
  }
  return { ok: false, reason: 'custom code rejected the request' }
}
