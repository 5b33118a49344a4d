import type { FastifyRequest } from 'fastify'
import { apiError } from '../errors.ts'
import type { DestinationIn, DestinationPatchIn } from './destinations.ts'
import { checkEventFilter } from './validate.ts'

/*
 * What a portal session (portal/, http/auth.ts) may save: a destination scoped to its user (the
 * user filter is set to the session's, whatever the body says) and subscribed only to the
 * session's event types. Other callers' bodies pass through unchanged.
 */

/**
 * The create body as a portal session may save it.
 * @throws event_type_not_allowed naming each type outside the session's list
 */
export function scopedCreate(request: FastifyRequest, input: DestinationIn): DestinationIn {
  const caller = request.caller
  if (caller?.kind !== 'portal') return input
  refuseEventTypes(input.events, caller.eventTypes)
  if (caller.userId === null) return input
  return { ...input, filter: { ...input.filter, userId: caller.userId } }
}

/** The patch as a portal session may apply it (a filter it sends keeps the session's user). */
export function scopedPatch(
  request: FastifyRequest,
  patch: DestinationPatchIn,
): DestinationPatchIn {
  const caller = request.caller
  if (caller?.kind !== 'portal') return patch
  if (patch.events !== undefined) refuseEventTypes(patch.events, caller.eventTypes)
  if (caller.userId === null || patch.filter === undefined) return patch
  return { ...patch, filter: { ...patch.filter, userId: caller.userId } }
}

function refuseEventTypes(events: readonly string[], allowed: readonly string[] | null): void {
  if (allowed === null) return
  const details = events.flatMap((name, i) => {
    const types = checkEventFilter([name], `/events/${i}`)
    const outside = types === null ? ['*'] : types.filter((type) => !allowed.includes(type))
    return outside.length === 0
      ? []
      : [{ path: `/events/${i}`, message: `this portal session may not subscribe to ${name}` }]
  })
  if (details.length > 0)
    throw apiError(
      'event_type_not_allowed',
      `This portal session may subscribe only to ${allowed.join(', ')}.`,
      details,
    )
}
