import type { HmacScheme, SecretRef, VerificationConfig } from '../types.ts'
import { decodeKey } from './hmac.ts'
import { hmacPresets } from './hmac-presets.ts'

/**
 * What is wrong with a literal verification secret, or null. A blank secret, or one that decodes
 * to no bytes (`whsec_`, `====` in base64), keys an HMAC anyone can compute; a Basic secret
 * without a password matches a request that sends none.
 * @example literalSecretProblem('whsec_', { preset: 'standard-webhooks' }) // 'is empty once decoded (whsec): …'
 */
export function literalSecretProblem(
  secret: SecretRef,
  verification: { preset?: string; keyEncoding?: unknown },
): string | null {
  if (typeof secret !== 'string') return null
  if (verification.preset === 'basic' && !/^[^:]*:./s.test(secret))
    return 'must be "user:password" with a password'
  const encoding = keyEncodingOf(verification)
  if (!emptyKey(secret, encoding)) return null
  return `is empty${encoding === 'utf8' ? '' : ` once decoded (${encoding})`}: an empty key lets anyone sign`
}

/** Whether a verification names a secret (Zoom's and X's handshakes answer with the first). */
export function hasSecret(verification: VerificationConfig | null): boolean {
  if (!verification) return false
  if (verification.secrets.length > 0) return true
  return 'preset' in verification && !!hmacPresets[verification.preset]?.defaultSecrets
}

function keyEncodingOf(v: { preset?: string; keyEncoding?: unknown }): HmacScheme['keyEncoding'] {
  if (v.preset === 'hmac') return (v.keyEncoding as HmacScheme['keyEncoding'] | undefined) ?? 'utf8'
  return hmacPresets[v.preset ?? '']?.scheme.keyEncoding ?? 'utf8'
}

function emptyKey(secret: string, encoding: HmacScheme['keyEncoding']): boolean {
  if (secret.trim() === '') return true
  try {
    return decodeKey(secret, encoding).length === 0
  } catch {
    return true
  }
}
