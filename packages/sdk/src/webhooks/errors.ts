/**
 * Why a webhook was refused:
 * - `missing_headers`: `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent, or the
 *   timestamp is not Unix seconds;
 * - `invalid_signature`: no `v1` signature matches the body under any of the secrets;
 * - `timestamp_too_old` / `timestamp_in_future`: the timestamp is outside the tolerance (a replay,
 *   or a clock that is off);
 * - `invalid_json`: the signature matches but the body is not JSON;
 * - `invalid_secret`: the receiver's own secret is not `whsec_` + base64 (a setup fault, not the
 *   sender's).
 */
export type WebhookVerificationErrorCode =
  | 'missing_headers'
  | 'invalid_signature'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'invalid_json'
  | 'invalid_secret'

/**
 * The one error `verifyWebhook` throws; `code` says why.
 *
 * @example
 * try {
 *   await verifyWebhook(body, headers, secret)
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError) console.log(error.code) // 'invalid_signature'
 * }
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError'
  readonly code: WebhookVerificationErrorCode

  constructor(code: WebhookVerificationErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}
