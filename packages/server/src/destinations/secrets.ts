import { randomBytes } from 'node:crypto'
import type { DestinationRow } from './store.ts'

/**
 * A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes (the spec asks
 * for 24 to 64).
 * @example newSigningSecret() // 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw…'
 */
export function newSigningSecret(): string {
  return 'whsec_' + randomBytes(32).toString('base64')
}

/**
 * The secrets that sign a request at `now`: the current one, then the previous one while its
 * rotation grace lasts. Receivers verify against any of the space-separated signatures.
 * @example signingSecrets(destination, new Date()) // ['whsec_new…', 'whsec_old…']
 */
export function signingSecrets(
  destination: Pick<DestinationRow, 'secret' | 'previous_secret' | 'previous_secret_expires_at'>,
  now: Date,
): string[] {
  const { secret, previous_secret: previous, previous_secret_expires_at: until } = destination
  return previous && until && until.getTime() > now.getTime() ? [secret, previous] : [secret]
}
