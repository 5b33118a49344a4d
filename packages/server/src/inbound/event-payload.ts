import { isUtf8 } from 'node:buffer'
import type { EventIn } from '../events/index.ts'
import type { InboundRequestRow } from './store.ts'
import { jsonbHolds, storableString } from './storable-json.ts'
import type { RouteTarget } from './routing.ts'
import type { RequestView, TriggerRow } from './types.ts'

// Headers that carry the sender's credentials are not forwarded to destinations (they are
// redacted when stored as well: redaction.ts).
const withheldHeaders = new Set(['authorization', 'cookie', 'proxy-authorization'])

/**
 * The `trigger.received` events of a routed request, one per target.
 * @example eventsOf(trigger, row, view, targets)[0].data.payload // { type: 'event_callback', … }
 */
export function eventsOf(
  trigger: TriggerRow,
  row: InboundRequestRow,
  view: RequestView,
  targets: RouteTarget[],
): EventIn[] {
  const headers = Object.fromEntries(
    Object.entries(view.headers).filter(([k]) => !withheldHeaders.has(k)),
  )
  return targets.map((t) =>
    dropUndefined({
      type: 'trigger.received',
      userId: t.credential?.user_id,
      credentialId: t.credential?.id,
      integration: trigger.integration,
      occurredAt: row.received_at.toISOString(),
      data: {
        triggerId: trigger.id,
        trigger: trigger.name,
        inboundRequestId: row.id,
        ...forwardedPayload(t.payload, t.whole ? view : null),
        headers,
        method: row.method,
        ...forwardedQuery(view),
      },
    }),
  )
}

/**
 * The payload as the event carries it: parsed JSON, a form as an object or the body as text
 * when the store holds that exactly; otherwise, so that nothing the provider sent is lost or
 * stops the request from routing, the bytes in base64 with `payloadEncoding: "base64"`. Those
 * bytes are the body as received, or for an item of a split payload its JSON text.
 * Not exact are: a string with U+0000 or an unpaired surrogate (jsonb refuses both), a number
 * JSON.parse cannot hold (`1e400`), a body that is not UTF-8, a form escape that does not
 * decode as UTF-8 (`%FF`, which URLSearchParams turns into U+FFFD).
 * @param whole the request's view when `payload` is its whole body; null for a split item
 */
export function forwardedPayload(
  payload: unknown,
  whole: RequestView | null,
): { payload: unknown; payloadEncoding?: 'base64' } {
  if (!whole) {
    if (jsonbHolds(payload)) return { payload }
    return { payload: Buffer.from(JSON.stringify(payload)).toString('base64'), payloadEncoding }
  }
  const { body } = whole
  const exact =
    isUtf8(body) && jsonbHolds(payload) && (!isForm(payload, whole) || formDecodesExactly(body))
  if (exact) return { payload }
  return { payload: body.toString('base64'), payloadEncoding }
}

const payloadEncoding = 'base64' as const

// A form payload is the object payloadOf built from the body (request-view.ts).
function isForm(payload: unknown, view: RequestView): boolean {
  return typeof payload === 'object' && payload !== null && view.json() === undefined
}

// Each run of escapes must be UTF-8: URLSearchParams decodes `%FF` to U+FFFD, and keeps a `%`
// that starts no escape as it is.
function formDecodesExactly(body: Buffer): boolean {
  for (const [run] of body.toString('latin1').matchAll(/(?:%[0-9a-f]{2})+/gi)) {
    try {
      decodeURIComponent(run)
    } catch {
      return false
    }
  }
  return true
}

/**
 * `query` as parsed; when a name or value holds what jsonb cannot (`?x=%00`), those entries
 * are left out and `queryString` carries the query as received, percent-encoded.
 */
function forwardedQuery(view: RequestView): {
  query: Record<string, string>
  queryString?: string
} {
  const entries = Object.entries(view.query)
  const storable = entries.filter(([k, v]) => storableString(k) && storableString(v))
  if (storable.length === entries.length) return { query: view.query }
  return { query: Object.fromEntries(storable), queryString: view.queryString }
}

function dropUndefined(event: EventIn): EventIn {
  return Object.fromEntries(
    Object.entries(event).filter(([, v]) => v !== undefined),
  ) as unknown as EventIn
}
