/**
 * Enough of a secret to tell two apart, never enough to use one.
 * @example maskSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') // '…LaSw'
 */
export function maskSecret(value: string): string {
  return value.length >= 16 ? `…${value.slice(-4)}` : '…'
}
