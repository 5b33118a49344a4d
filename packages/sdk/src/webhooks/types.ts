import type { WireFormat, WireFormatEvents } from '../generated/events.ts'

/**
 * A verified webhook body, typed by the destination's wire format. Each format is a
 * discriminated union: narrow `managed-sync` and `workspace` bodies on `event`, `monitoring` and
 * `standard` ones on `type`. Without a format it is the union of all four.
 *
 * @example
 * function onEvent(event: SwitchyardWebhookEvent<'managed-sync'>) {
 *   if (event.event === 'sync_complete') console.log(event.data.numRecords)
 * }
 */
export type SwitchyardWebhookEvent<F extends WireFormat = WireFormat> = WireFormatEvents[F]

/** How far a webhook's timestamp may drift, and the clock to measure it with. */
export interface VerifyOptions {
  /** Seconds the timestamp may be off, in either direction (default 300, the spec's five minutes). */
  toleranceSeconds?: number
  /** The clock (default `() => new Date()`); tests pin it. */
  now?: () => Date
}

/**
 * The three Standard Webhooks headers, as `signWebhook` returns them.
 *
 * @example
 * const headers: WebhookHeaders = {
 *   'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
 *   'webhook-timestamp': '1614265330',
 *   'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
 * }
 */
// A type alias, not an interface, so it passes as a `HeadersLike` record.
export type WebhookHeaders = {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}
