import { runSandboxed } from '../../sandbox/index.ts'
import type {
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

/** A verification that could not run (custom code threw or timed out) is a fault, not a rejection. */
export type Verdict = VerifyResult | { ok: false; reason: string; fault: true }

export interface VerifyContext {
  /** Resolves the trigger's secret references to their values. */
  secrets: (refs: readonly (StoredSecretRef | SecretRef)[]) => Promise<string[]>
  now: Date
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
    return verifyWithCode(config.code, view, await ctx.secrets(config.secrets), ctx.now)
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
  now: Date,
): Promise<Verdict> {
  const result = await runSandboxed(code, 'verify', [
    sandboxRequest(view),
    { secrets, now: now.getTime() },
  ])
  if (!result.ok) return { ok: false, reason: `custom code failed: ${result.error}`, fault: true }
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
