/*
 * Response schemas shared by routes of several features, for /openapi.json (and through it the
 * SDK's types). Failures need none here: every documented route answers them with `ApiError`
 * (installErrorHandler).
 */

/** `204 No Content`: a delete or a revoke; no body. */
export const noContentSchema = {
  type: 'null',
  description: 'Done; no body.',
} as const

/**
 * A server-sent event stream (`text/event-stream`): the route writes it itself, so nothing is
 * serialized with this schema; it documents the answer.
 */
export const eventStreamSchema = {
  description: 'Server-sent events, until the client disconnects.',
  content: { 'text/event-stream': { schema: { type: 'string' } } },
} as const
