/**
 * The error catalogue. Every error the API answers has a snake_case `code`, an HTTP status,
 * a default message that says what to do, and a row in docs/errors.md (a test keeps them equal).
 */
export const errorCatalog = {
  validation_failed: {
    status: 400,
    message: 'The request does not match the schema; see details for each field.',
  },
  invalid_json: {
    status: 400,
    message: 'The request body is not valid JSON; send a JSON document.',
  },
  json_too_deep: {
    status: 400,
    message: 'The JSON body nests arrays and objects more than 512 deep; send a flatter document.',
  },
  unsupported_value: {
    status: 400,
    message:
      'A value in the body cannot be stored as sent: a string with \\u0000 or a lone UTF-16 surrogate, or a number beyond ±1.8e308; see details for where.',
  },
  invalid_request: {
    status: 400,
    message:
      'The request line is malformed: bad percent-encoding, a NUL (%00) in the path or query, or an over-long path segment.',
  },
  invalid_event_data: {
    status: 400,
    message: "The event's data does not match its type's schema; see details.",
  },
  invalid_url: {
    status: 400,
    message: 'The URL must be an absolute http(s) URL without credentials.',
  },
  invalid_header: {
    status: 400,
    message: 'A custom header is not allowed; see details for each header.',
  },
  invalid_template: {
    status: 400,
    message:
      'The destination template does not parse, or reads a path its events never have; see details for the line and column.',
  },
  invalid_filter: {
    status: 400,
    message:
      "The destination's filter does not parse; see details for the column and offset in filter.payload.",
  },
  invalid_preset: {
    status: 400,
    message:
      'The destination preset or one of its options is not valid (unknown preset, bad DSN, unknown site); see details.',
  },
  invalid_email: {
    status: 400,
    message: 'An email destination needs "to" addresses that are email addresses; see details.',
  },
  invalid_broker: {
    status: 400,
    message:
      'The broker settings are not valid for this destination type (URL scheme, exchange, queue, subject or stream); see details.',
  },
  invalid_trigger: {
    status: 400,
    message: 'The trigger definition is not valid; see details for the field.',
  },
  verification_failed: {
    status: 401,
    message: 'The webhook signature or credentials did not verify; nothing was emitted.',
  },
  invalid_handshake: {
    status: 400,
    message:
      'The handshake is not one this trigger answers: a challenge of the wrong length or characters, an empty value, or no secret to answer with; see the message.',
  },
  invalid_cursor: {
    status: 400,
    message: 'The cursor is not one this API returned; start again without it.',
  },
  duplicate_external_id: {
    status: 400,
    message: 'A page carries the same externalId twice; send each record once per page.',
  },
  unsupported_media_type: {
    status: 415,
    message: 'Send the body as application/json.',
  },
  unauthorized: {
    status: 401,
    message: 'Send a valid key as "Authorization: Bearer <key>".',
  },
  metrics_token_required: {
    status: 401,
    message:
      'Send the metrics token (SWITCHYARD_METRICS_TOKEN) or the instance admin token as "Authorization: Bearer <token>".',
  },
  user_token_ambiguous: {
    status: 401,
    message:
      "The user token's aud names audiences of more than one project; sign it with one project's audience.",
  },
  forbidden: { status: 403, message: 'This key does not have the role this action needs.' },
  instance_token_required: {
    status: 403,
    message:
      'This route takes the instance admin token (SWITCHYARD_ADMIN_TOKEN), not a project key or user token.',
  },
  project_key_required: {
    status: 403,
    message: 'This route takes a project API key, not the instance admin token or a user token.',
  },
  connector_disabled: {
    status: 403,
    message:
      'The filesystem connector is off; the operator enables it with SWITCHYARD_FS_CONNECTOR_ROOTS (the directories syncs may read).',
  },
  instance_admin_required: {
    status: 403,
    message: 'Only the instance admin token may change this setting; ask the instance operator.',
  },
  portal_session_expired: {
    status: 401,
    message: 'The portal session has expired; ask the platform for a new portal link.',
  },
  portal_session_revoked: {
    status: 401,
    message: 'The portal session was revoked; ask the platform for a new portal link.',
  },
  portal_token_used: {
    status: 401,
    message:
      'This portal link was already exchanged for a session; a link works once. Ask the platform for a new one.',
  },
  portal_read_only: {
    status: 403,
    message: 'This portal session is read-only; it may look but not change anything.',
  },
  portal_route_not_allowed: {
    status: 403,
    message:
      'A portal session may only use the portal routes (destinations, deliveries, event types); use a project API key.',
  },
  event_type_not_allowed: {
    status: 403,
    message: 'This portal session may not subscribe to that event type; see details.',
  },
  not_found: { status: 404, message: 'No such resource in this project.' },
  route_not_found: { status: 404, message: 'No such route; see /openapi.json for the API.' },
  claim_check_not_found: {
    status: 404,
    message: 'No body behind this claim-check URL; use the URL exactly as the delivery sent it.',
  },
  method_not_allowed: { status: 405, message: 'This route does not accept that method.' },
  request_timeout: {
    status: 408,
    message: 'The request was not sent in full within the time allowed; send it faster or smaller.',
  },
  idempotency_conflict: {
    status: 409,
    message: 'This Idempotency-Key was used with a different body; use a new key.',
  },
  conflict: { status: 409, message: 'The resource is in a state that does not allow this.' },
  audience_taken: {
    status: 409,
    message:
      'Another project already uses this user-token audience (or it names another project); choose another audience.',
  },
  claim_check_expired: {
    status: 410,
    message: 'This claim-check URL has expired; ask for the delivery to be sent again.',
  },
  integration_token_in_use: {
    status: 409,
    message: 'A trigger still uses this developer token; change the trigger first.',
  },
  handshake_not_expected: {
    status: 409,
    message:
      'This trigger already has the value this handshake would set; open a window with POST /v1/triggers/:id/expect-handshake, then repeat the provider setup.',
  },
  destination_disabled: {
    status: 409,
    message: 'The destination is disabled; enable it first.',
  },
  sync_not_runnable: {
    status: 409,
    message: 'The sync is disabled or errored; re-enable it before starting a run.',
  },
  sync_run_in_progress: {
    status: 409,
    message: 'The sync already has an open run; complete or fail it first.',
  },
  sync_run_not_allowed: {
    status: 409,
    message: 'This run type is not allowed now: INITIAL once, INCREMENTAL and FULL after it.',
  },
  sync_run_finished: {
    status: 409,
    message: 'The run is already completed, failed or cancelled; start a new run.',
  },
  content_too_large: {
    status: 413,
    message: "A record's content is larger than the limit (25 MiB); leave it out or split it.",
  },
  payload_too_large: {
    status: 413,
    message: 'The body is larger than the limit (1 MiB by default); send less per request.',
  },
  unknown_event_type: {
    status: 422,
    message: 'Unknown event type; GET /v1/event-types lists the types.',
  },
  unknown_event_name: {
    status: 422,
    message:
      'The event filter names an event that is not in the catalog; GET /v1/event-types lists them.',
  },
  event_not_in_format: {
    status: 400,
    message:
      "The event filter names an event the destination's format has no name for, so it would never be delivered; remove it or pick a format that carries it.",
  },
  headers_too_large: {
    status: 431,
    message:
      'The request headers are larger than the server accepts (16 KiB); send fewer or shorter headers.',
  },
  rate_limited: { status: 429, message: 'Too many requests; retry after the Retry-After delay.' },
  internal_error: {
    status: 500,
    message: 'Something went wrong on our side; the request id in the logs tells where.',
  },
  secret_key_missing: {
    status: 500,
    message: 'Set SWITCHYARD_SECRET_KEY: secrets cannot be stored on PostgreSQL without it.',
  },
  secret_key_unknown: {
    status: 500,
    message:
      'A stored secret opens with neither SWITCHYARD_SECRET_KEY nor SWITCHYARD_PREVIOUS_SECRET_KEYS: set the key it was sealed with.',
  },
  custom_code_failed: {
    status: 500,
    message:
      "The trigger's custom code threw, timed out or ran out of memory; see the request log.",
  },
  subscription_failed: {
    status: 502,
    message: "The provider refused the trigger's subscribe or unsubscribe request; see details.",
  },
  server_busy: {
    status: 503,
    message:
      'Too many request bodies are being received at once; retry after the Retry-After delay.',
  },
  store_unavailable: {
    status: 503,
    message: 'The database is not reachable; retry shortly.',
  },
  sandbox_busy: {
    status: 503,
    message:
      "This project's custom code has too many requests waiting to run; retry after the Retry-After delay.",
  },
  storage_full: {
    status: 507,
    message: "The database's disk is full, so nothing was stored; retry once space is freed.",
  },
} as const satisfies Record<string, { status: number; message: string }>

export type ErrorCode = keyof typeof errorCatalog

export interface ErrorDetail {
  path?: string
  message: string
  [key: string]: unknown
}

/** An error the API answers with its catalogue status and code. */
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly details: unknown

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? errorCatalog[code].message)
    this.name = 'ApiError'
    this.code = code
    this.status = errorCatalog[code].status
    this.details = details
  }
}

/**
 * Builds a catalogue error.
 * @example throw apiError('not_found', `No destination ${id} in this project.`)
 */
export function apiError(code: ErrorCode, message?: string, details?: unknown): ApiError {
  return new ApiError(code, message, details)
}

/** SQLSTATE codes we branch on (never on message text). */
export const sqlState = {
  diskFull: '53100',
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  invalidTextRepresentation: '22P02',
} as const

/** @example isSqlState(err, sqlState.uniqueViolation) */
export function isSqlState(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code
}
