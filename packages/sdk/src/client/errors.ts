/** What a `SwitchyardApiError` carries. */
export interface ApiErrorFields {
  /** The HTTP status; 0 when the server could not be reached. */
  status: number
  /** The API's snake_case error code (`not_found`, `validation_failed`…), or `network_error`. */
  code: string
  message: string
  /** Per-field problems for `validation_failed`, and other structured detail. */
  details?: unknown
  /** The `x-request-id` the server answered with; quote it when reading the server's logs. */
  requestId?: string | null
}

/**
 * The one error the client throws: the API answered `{"error":{code,message,details}}` with a
 * 4xx/5xx (after retries, for a 5xx), or the server could not be reached (`status` 0,
 * `code` `network_error`).
 *
 * @example
 * try {
 *   await client.events.get('evt_missing')
 * } catch (error) {
 *   if (error instanceof SwitchyardApiError && error.code === 'not_found') return null
 *   throw error
 * }
 */
export class SwitchyardApiError extends Error {
  override readonly name = 'SwitchyardApiError'
  readonly status: number
  readonly code: string
  readonly details: unknown
  readonly requestId: string | null

  constructor(fields: ApiErrorFields, options?: ErrorOptions) {
    super(fields.message, options)
    this.status = fields.status
    this.code = fields.code
    this.details = fields.details
    this.requestId = fields.requestId ?? null
  }
}
