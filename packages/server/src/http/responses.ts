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

/**
 * Sends bytes as they are (a claim-checked body, a record's content) from a typed route: the
 * response schema documents them, nothing serializes them.
 * @example return sendBytes(reply.type('application/pdf'), content)
 */
export function sendBytes<Reply extends { send(payload: never): unknown }>(
  reply: Reply,
  bytes: Buffer,
): Reply {
  ;(reply as { send(payload: Buffer): unknown }).send(bytes)
  return reply
}

/**
 * Answers `204 No Content` from a typed route, whose `send` wants the `null` of
 * `noContentSchema`: sending nothing keeps the answer as it was (no body, no serializer run).
 * @example return sendNoContent(reply)
 */
export function sendNoContent<Reply extends { status(code: 204): unknown }>(reply: Reply): Reply {
  ;(reply.status(204) as { send(): unknown }).send()
  return reply
}
