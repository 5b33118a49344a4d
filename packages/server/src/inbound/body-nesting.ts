import { errorCatalog } from '../errors.ts'
import { newId } from '../ids.ts'
import type { IncomingHook, Receiver } from './receiver.ts'
import { storeRedacted } from './redaction.ts'
import { inboundNotice } from './request-store.ts'
import { inboundChannel } from './store.ts'
import type { HookResponse, TriggerRow } from './types.ts'

/**
 * The deepest nesting of arrays and objects a /hooks JSON body may have. Every body is parsed
 * and written again by recursive code: JSON.stringify (the event insert, every renderer) runs out
 * of stack at about 4,400 levels on Node 24's default stack, less when called deep, and the
 * router's JSONPath walks recurse too. Provider payloads nest ten to twenty levels (a GitHub
 * push, a Stripe event, a HubSpot batch); 512 keeps a wide margin on both sides, and the
 * event's wrappers (`data.payload`, a wire format's envelope) add only a few levels.
 */
export const maxJsonNesting = 512

/**
 * Whether the body is JSON nested deeper than `maxJsonNesting` (and within the trigger's body
 * limit: a larger one gets its 413 instead). One pass over the raw bytes, before anything
 * parses them: brackets count unless they are inside a string, and nothing recurses, so a body
 * of ten million `[` costs a loop, not the stack. Only a body that starts like a JSON array or
 * object is scanned (request-view.ts parses any body that parses, whatever its content type).
 * @example nestsTooDeep(trigger, Buffer.from('['.repeat(10_000) + ']'.repeat(10_000))) // true
 */
export function nestsTooDeep(trigger: TriggerRow, body: Buffer, limit = maxJsonNesting): boolean {
  // A deeper document has at least limit + 1 brackets to open and as many to close.
  if (body.length < 2 * (limit + 1) || body.length > trigger.body_limit_bytes) return false
  let i = 0
  while (i < body.length && isJsonSpace(body[i]!)) i++
  if (body[i] !== 0x5b && body[i] !== 0x7b) return false
  let depth = 0
  let inString = false
  for (; i < body.length; i++) {
    const byte = body[i]!
    if (inString) {
      if (byte === 0x5c)
        i++ // an escape: the next byte is never the string's end
      else if (byte === 0x22) inString = false
    } else if (byte === 0x22) inString = true
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > limit) return true
    } else if (byte === 0x5d || byte === 0x7d) depth--
  }
  return false
}

const isJsonSpace = (byte: number) =>
  byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d

/**
 * Answers a too-deep body `400 json_too_deep` and logs it as `rejected`, with the excerpt and
 * redaction every stored request gets. Not a 2xx, so the provider keeps the delivery and may
 * retry; nothing is acknowledged that could not be routed.
 */
export async function refuseTooDeep(
  deps: Receiver,
  trigger: TriggerRow,
  hook: IncomingHook,
): Promise<HookResponse> {
  const { status, message } = errorCatalog.json_too_deep
  const response: HookResponse = {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: { code: 'json_too_deep', message } }),
  }
  const id = newId()
  const reason = `JSON nested deeper than ${maxJsonNesting} levels`
  const credentialId =
    trigger.level === 'user' ? new URLSearchParams(hook.queryString).get('id') : null
  const row = {
    ...hook,
    id,
    projectId: trigger.project_id,
    triggerId: trigger.id,
    credentialId,
    receivedAt: deps.now(),
    outcome: 'rejected' as const,
    reason,
    responseStatus: status,
  }
  await storeRedacted(deps, trigger, { kind: 'rejected', reason }, row)
  deps.db.signal(inboundChannel, inboundNotice({ triggerId: trigger.id, id, outcome: 'rejected' }))
  return response
}
