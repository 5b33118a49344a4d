/** Per-call options for POSTs. */
export interface PostOptions {
  /** Sent as `Idempotency-Key`; a random one is used when absent. Reuse it to retry safely. */
  idempotencyKey?: string
}

/**
 * One path segment, escaped.
 *
 * @example `/v1/events/${segment(id)}`
 */
export const segment = (value: string): string => encodeURIComponent(value)
