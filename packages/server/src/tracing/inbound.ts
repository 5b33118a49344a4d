import { currentTraceContext, inSpan, storedContext, tracingOn } from './spans.ts'

/**
 * Routing one stored inbound request as a span (`switchyard.route`), a child of the trace the
 * request was received in (`row.trace_context`), whichever process routes it.
 * @returns what `route` returned, and the routing span's context for the events it makes
 */
export async function traceRouting<T>(
  row: { id: string; trigger_id: string; trace_context?: string | null },
  route: () => Promise<T>,
): Promise<{ routed: T; traceContext: string | null }> {
  if (!tracingOn()) return { routed: await route(), traceContext: null }
  const attributes = {
    'switchyard.inbound_request.id': row.id,
    'switchyard.trigger.id': row.trigger_id,
  }
  return inSpan(
    'switchyard.route',
    attributes,
    async () => ({ routed: await route(), traceContext: currentTraceContext() }),
    { parent: storedContext(row.trace_context) },
  )
}
