/**
 * OpenTelemetry traces, configured by the standard OTEL_* variables and off unless an exporter
 * is: the SDK is loaded only then (setup.ts), and every helper here is a plain call without it.
 * Spans: each API request (http.ts), ingest, fan-out, claim, attempt (delivery.ts), inbound
 * routing and sync pages (their features call `inSpan`). The trace context is stored with
 * events and inbound requests (`currentTraceContext`), so later work in any process joins it.
 * @example const tracing = await startTracing(process.env, log); buildServer({ hooks: [installTracing] })
 */
export { startTracing, tracingSettingsOf, type Tracing, type TracingSettings } from './setup.ts'
export { installTracing } from './http.ts'
export { traceRouting } from './inbound.ts'
export {
  currentTraceContext,
  inSpan,
  spanEvent,
  storedContext,
  tracingOn,
  withStoredContext,
  type Attributes,
} from './spans.ts'
export {
  outboundTraceHeaders,
  traceAttempt,
  traceClaim,
  tracedSender,
  tracedStore,
} from './delivery.ts'
