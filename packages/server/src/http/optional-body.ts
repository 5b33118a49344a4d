/*
 * Routes whose body is optional (`POST …/disable`, `…/rotate-secret`, `…/expect-handshake`,
 * `…/complete`): a POST without a body validates as `{}` against an optional-fields schema; a
 * JSON `null` is a body, and is refused like any other non-object.
 */

/** The schema of an optional body: an object of optional fields, nothing else. */
export const optionalBody = <const P extends Record<string, object>>(properties: P) =>
  ({ type: 'object', additionalProperties: false, properties }) as const

/** `preValidation` of an optional-body route: no body is `{}`. */
export const emptyBodyAsObject = async (request: { body: unknown }) => {
  if (request.body === undefined) request.body = {}
}
