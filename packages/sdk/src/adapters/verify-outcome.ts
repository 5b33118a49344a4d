import type { WireFormat } from '../generated/events.ts'
import { WebhookVerificationError } from '../webhooks/errors.ts'
import type { HeadersLike } from '../webhooks/headers.ts'
import type { SwitchyardWebhookEvent, VerifyOptions } from '../webhooks/types.ts'
import { verifyWebhook } from '../webhooks/verify.ts'

/** The JSON an adapter answers a refused webhook with; the API's error shape. */
export interface WebhookErrorBody {
  error: { code: WebhookVerificationError['code']; message: string }
}

/**
 * A verification's result as a value, for adapters to turn into a response:
 * - `ok`: the handler runs with the event;
 * - 400: the request is at fault (bad or missing signature, stale, not JSON), so the sender
 *   should not retry it as is;
 * - 500: the receiver's own secret is malformed; the sender retries, and succeeds once it is fixed.
 */
export type VerifyOutcome<F extends WireFormat> =
  | { ok: true; event: SwitchyardWebhookEvent<F> }
  | { ok: false; status: 400 | 500; body: WebhookErrorBody }

/**
 * `verifyWebhook`, with refusals as values instead of exceptions (other errors still throw).
 *
 * @example
 * const outcome = await verifyOutcome(rawBody, headers, secret)
 * if (!outcome.ok) return Response.json(outcome.body, { status: outcome.status })
 */
export async function verifyOutcome<F extends WireFormat = WireFormat>(
  rawBody: string | Uint8Array,
  headers: HeadersLike,
  secret: string | readonly string[],
  options?: VerifyOptions,
): Promise<VerifyOutcome<F>> {
  try {
    return { ok: true, event: await verifyWebhook<F>(rawBody, headers, secret, options) }
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error
    return {
      ok: false,
      status: error.code === 'invalid_secret' ? 500 : 400,
      body: { error: { code: error.code, message: error.message } },
    }
  }
}
