-- OpenTelemetry (src/tracing/): the W3C trace context an event was accepted in (its carrier as
-- JSON: traceparent, tracestate), so the attempts any worker process makes later are children of
-- that trace; likewise an inbound request's, which routing reads when it publishes the request's
-- events. Null when tracing is off (nothing is stored then). A destination may keep its
-- webhooks free of the `traceparent` header (`traceContext: false`).
alter table events add column trace_context text;
alter table inbound_requests add column trace_context text;
alter table destinations add column trace_context boolean not null default true;
