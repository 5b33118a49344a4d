import {
  context,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { failSpan, SpanKind, tracer, tracingOn } from './spans.ts'

const spans = new WeakMap<FastifyRequest, { span: Span; context: Context }>()

// Probes and scrapes every few seconds would each be a trace of one span: noise, not requests.
const untraced = new Set(['/healthz', '/readyz', '/metrics'])
const traced = (request: FastifyRequest) => !untraced.has(request.routeOptions.url ?? '')

/**
 * A SERVER span per HTTP request (`POST /v1/events`, `POST /hooks/:triggerId`…), continuing
 * the caller's W3C `traceparent`/`tracestate`. The handler runs with it active, so what the
 * handler stores (events, inbound requests) carries its trace. Installed only with tracing on.
 * @example buildServer({ hooks: [installTracing] })
 */
export function installTracing(app: FastifyInstance): void {
  if (!tracingOn()) return
  app.addHook('onRequest', (request, _reply, done) => {
    if (traced(request)) spans.set(request, startRequestSpan(request))
    done()
  })
  // The last hook before the handler: the handler, and every promise it starts, sees the span.
  // (Set in onRequest instead, it would have to cross the body's parsing, which runs in the
  // socket's stream events.)
  app.addHook('preHandler', (request, _reply, done) => {
    const traced = spans.get(request)
    if (traced) context.with(traced.context, done)
    else done()
  })
  app.addHook('onError', (request, _reply, error, done) => {
    const traced = spans.get(request)
    if (traced) failSpan(traced.span, error)
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    if (!traced(request)) return done()
    // Answered before this feature's onRequest ran (authentication, rate limits, malformed
    // requests answer in earlier hooks): the span is made now, from when the request came.
    const { span } =
      spans.get(request) ?? startRequestSpan(request, new Date(Date.now() - reply.elapsedTime))
    span.setAttribute('http.response.status_code', reply.statusCode)
    if (reply.statusCode >= 500) failSpan(span, new Error(`HTTP ${reply.statusCode}`))
    span.end()
    spans.delete(request)
    done()
  })
}

function startRequestSpan(
  request: FastifyRequest,
  startTime?: Date,
): { span: Span; context: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers)
  const route = request.routeOptions.url
  // The path without its query: /hooks query values may be the trigger's secrets.
  const path = request.url.split('?', 1)[0]!
  const span = tracer().startSpan(
    route ? `${request.method} ${route}` : request.method,
    {
      kind: SpanKind.SERVER,
      startTime,
      attributes: {
        'http.request.method': request.method,
        'url.path': path,
        ...(route ? { 'http.route': route } : {}),
        'switchyard.request.id': request.id,
      },
    },
    parent,
  )
  return { span, context: trace.setSpan(parent, span) }
}
