import { context, createContextKey, propagation, trace, type SpanContext } from '@opentelemetry/api'
import { query, sql, type Queryable } from '../store/index.ts'
import { failSpan, inSpan, SpanKind, storedContext, tracer, tracingOn } from './spans.ts'

/*
 * The delivery side's spans, wrapped around the dispatcher's own functions: one span per claim
 * that leased rows, one CLIENT span per attempt (a child of the trace its event was accepted
 * in, linked to the claim), the `traceparent` header on the webhook. Shapes are structural:
 * this feature sits below delivery and imports nothing of it.
 */

/** What a claim leased that tracing reads (delivery's ClaimedDelivery). */
interface ClaimedRow {
  id: string
  destination_id: string
}

/** Per claimed row: its claim's span, and whether its destination takes `traceparent`. */
const claims = new WeakMap<object, { claim: SpanContext; propagate: Promise<boolean> }>()

/**
 * Set inside an attempt span: true when its destination takes `traceparent`. Only attempts
 * send it: a test send made inside an API request must not hand out the request's trace, nor
 * bypass a destination's opt-out.
 */
const propagating = createContextKey('switchyard.attempt-propagates')

/**
 * Times a claim, and when it leased rows records it as a span (`switchyard.claim`, a root: a
 * claim serves many traces) — empty polls make no span. Which destinations opted out of
 * `traceparent` is read beside it, not in the claim loop's way: the attempts wait for it
 * (it is back long before the batch's own reads), and a destination's answer is kept for
 * `optOutTtlMs`, so most claims read nothing.
 */
export async function traceClaim<R extends { rows: readonly ClaimedRow[] }>(
  q: Queryable,
  info: { workerId: string; limit: number },
  claim: () => Promise<R>,
): Promise<R> {
  if (!tracingOn()) return claim()
  const startTime = new Date()
  const result = await claim()
  const { rows } = result
  if (rows.length === 0) return result
  const destinationIds = [...new Set(rows.map((r) => r.destination_id))]
  const span = tracer().startSpan('switchyard.claim', {
    kind: SpanKind.INTERNAL,
    root: true,
    startTime,
    attributes: {
      'switchyard.worker.id': info.workerId,
      'switchyard.claim.limit': info.limit,
      'switchyard.claim.rows': rows.length,
      'switchyard.claim.destinations': destinationIds.length,
    },
  })
  span.end()
  const claimContext = span.spanContext()
  const propagating = propagatingDestinations(q, destinationIds)
  for (const row of rows)
    claims.set(row, {
      claim: claimContext,
      propagate: propagating.then((ids) => ids.has(row.destination_id)),
    })
  return result
}

/** How long a destination's `traceContext` is taken as read: a PATCH applies within this. */
const optOutTtlMs = 5_000
const optOuts = new Map<string, { propagate: boolean; until: number }>()

/**
 * The destinations of `ids` whose webhooks carry `traceparent`. A failed read marks none (its
 * attempts then send no header) and is tried again by the next claim.
 */
async function propagatingDestinations(q: Queryable, ids: string[]): Promise<Set<string>> {
  const now = Date.now()
  const unknown = ids.filter((id) => (optOuts.get(id)?.until ?? 0) <= now)
  if (unknown.length > 0) {
    try {
      const rows = await query<{ id: string; trace_context: boolean }>(
        q,
        sql`select id, trace_context from destinations where id = any(${unknown}::uuid[])`,
      )
      for (const row of rows)
        optOuts.set(row.id, { propagate: row.trace_context, until: now + optOutTtlMs })
    } catch {
      return new Set()
    }
  }
  return new Set(ids.filter((id) => optOuts.get(id)?.propagate === true))
}

/** An attempt's result as the dispatcher records it (delivery's AttemptRecord). */
interface AttemptResult {
  outcome: { kind: string; status?: number; errorClass?: string }
  response: { status: number } | null
}

/**
 * One attempt as a CLIENT span (`switchyard.attempt`): the child of the stored trace context
 * of its event (`storedTrace`), linked to the claim that leased it, whichever process claims
 * it. Webhooks sent inside it carry its `traceparent` unless the destination turned that off.
 */
export async function traceAttempt<T extends AttemptResult>(
  row: ClaimedRow & { event_id: string; attempts: number; type: string; format: string },
  storedTrace: string | null | undefined,
  send: () => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return send()
  const claimed = claims.get(row)
  const parent = storedContext(storedTrace)
  return inSpan(
    'switchyard.attempt',
    {
      'switchyard.delivery.id': row.id,
      'switchyard.destination.id': row.destination_id,
      'switchyard.destination.type': row.type,
      'switchyard.event.id': row.event_id,
      'switchyard.attempt.number': row.attempts,
      'switchyard.format': row.format,
      ...(row.type === 'webhook' ? { 'http.request.method': 'POST' } : {}),
    },
    async (span) => {
      const propagate = (await claimed?.propagate) === true
      const result = await context.with(context.active().setValue(propagating, propagate), send)
      if (!span) return result
      const status = result.response?.status ?? result.outcome.status
      if (status !== undefined) span.setAttribute('http.response.status_code', status)
      span.setAttribute('switchyard.outcome', result.outcome.kind)
      if (result.outcome.kind !== 'delivered') {
        span.setAttribute('error.type', result.outcome.errorClass ?? result.outcome.kind)
        failSpan(span, new Error(`attempt ${result.outcome.kind}`))
      }
      return result
    },
    {
      kind: SpanKind.CLIENT,
      parent,
      links: claimed ? [{ context: claimed.claim }] : [],
    },
  )
}

/**
 * The `traceparent` (and `tracestate`) of the active attempt span, for an outbound webhook's
 * headers; empty with tracing off, outside an attempt, or for a destination that opted out.
 */
export function outboundTraceHeaders(): Record<string, string> {
  if (!tracingOn()) return {}
  const active = context.active()
  if (active.getValue(propagating) !== true || !trace.getSpanContext(active)) return {}
  const carrier: Record<string, string> = {}
  // The global propagator: W3C trace context (and baggage) by default, OTEL_PROPAGATORS else.
  propagation.inject(active, carrier)
  return carrier
}

/** The sender's shape (delivery's Sender). */
interface SenderLike<O extends { headers: Record<string, string> }, P, R> {
  send(request: O, options: P): Promise<R>
  close(): Promise<void>
}

/**
 * The sender, adding `traceparent` to each webhook sent inside an attempt span (and to the
 * headers its attempt log shows). The sender itself unchanged with tracing off.
 */
export function tracedSender<
  O extends { headers: Record<string, string> },
  P extends { requestHeaders: Record<string, string> },
  R,
>(sender: SenderLike<O, P, R>): SenderLike<O, P, R> {
  if (!tracingOn()) return sender
  return {
    send: (request, options) => {
      const headers = outboundTraceHeaders()
      if (!headers['traceparent']) return sender.send(request, options)
      return sender.send(
        { ...request, headers: { ...request.headers, ...headers } },
        { ...options, requestHeaders: { ...options.requestHeaders, ...headers } },
      )
    },
    close: () => sender.close(),
  }
}

/**
 * The publisher's store as a span (`switchyard.fanout`): the events' insert and their
 * deliveries, one statement. Its parent is the producer's span (the ingest, a routing, a sync
 * page); a single event that joined concurrent ones in one statement (events/routes.ts) is
 * stored under the span of the request that flushed them, but its own row keeps its own trace.
 */
export function tracedStore<Q, Row extends { projectId: string; type: string }, O, R>(
  store: (q: Q, rows: readonly Row[], options?: O) => Promise<R[]>,
): (q: Q, rows: readonly Row[], options?: O) => Promise<R[]> {
  if (!tracingOn()) return store
  return (q, rows, options) =>
    inSpan(
      'switchyard.fanout',
      {
        'switchyard.project.id': rows[0]?.projectId ?? '',
        'switchyard.events': rows.length,
        'switchyard.event.type': rows[0]?.type ?? '',
      },
      () => store(q, rows, options),
    )
}
