import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api'
import { version } from '../version.ts'

/*
 * The span helpers every feature calls. With tracing off (setup.ts never enabled them) each is
 * a plain call of the function it wraps: no span object, no context lookup, nothing stored.
 */

let on = false

/** Called once the SDK is registered (setup.ts). */
export function enableSpans(): void {
  on = true
}

/** Whether this process records spans. */
export function tracingOn(): boolean {
  return on
}

export function tracer() {
  return trace.getTracer('switchyard', version)
}

export interface SpanOptions {
  kind?: SpanKind
  /** The parent; the active context when not given. */
  parent?: Context
  links?: Link[]
}

/**
 * Runs `fn` in a new active span, ended when `fn` settles; a throw marks it failed.
 * @example await inSpan('switchyard.ingest', { 'switchyard.project.id': id }, () => ingest())
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span | null) => Promise<T>,
  options: SpanOptions = {},
): Promise<T> {
  if (!on) return fn(null)
  const { parent = context.active(), kind = SpanKind.INTERNAL, links } = options
  return tracer().startActiveSpan(name, { kind, attributes, links }, parent, async (span) => {
    try {
      return await fn(span)
    } catch (error) {
      failSpan(span, error)
      throw error
    } finally {
      span.end()
    }
  })
}

/** Records a thrown error on `span` and marks it failed. */
export function failSpan(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error)
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: String((error as Error)?.message ?? error),
  })
}

/** An event on the active span, when tracing is on and there is one. */
export function spanEvent(name: string, attributes?: Attributes): void {
  if (on) trace.getActiveSpan()?.addEvent(name, attributes)
}

/**
 * The active trace context as the W3C carrier, in JSON (`{"traceparent":"00-…","tracestate":…}`):
 * what events and inbound requests store, so that later work in any process joins the trace.
 * @returns null with tracing off or outside any span
 */
export function currentTraceContext(): string | null {
  if (!on || !trace.getSpanContext(context.active())) return null
  const carrier: Record<string, string> = {}
  propagation.inject(context.active(), carrier)
  return carrier['traceparent'] ? JSON.stringify(carrier) : null
}

/** The context a stored carrier (currentTraceContext) continues; the root for null or junk. */
export function storedContext(stored: string | null | undefined): Context {
  if (!on || !stored) return ROOT_CONTEXT
  try {
    const carrier = JSON.parse(stored) as Record<string, string>
    return propagation.extract(ROOT_CONTEXT, carrier)
  } catch {
    return ROOT_CONTEXT
  }
}

/**
 * Runs `fn` with the stored trace context active (routing a stored inbound request, sending a
 * stored event): what it stores or sends then belongs to that trace.
 */
export function withStoredContext<T>(stored: string | null | undefined, fn: () => T): T {
  if (!on || !stored) return fn()
  return context.with(storedContext(stored), fn)
}

export { SpanKind, SpanStatusCode, type Attributes, type Span }
