-- Issue #24, items 6, 7 and 12: inbound requests that cannot be routed end, redacted secrets,
-- bounded rejected bodies.

-- How many times the router tried a request and failed (a crash or a rolled-back batch does not
-- count: only a failure the router recorded). At the router's limit the request ends as
-- 'failed' with the last error in `reason`, instead of being retried forever.
alter table inbound_requests add column routing_attempts int not null default 0;
alter table inbound_requests drop constraint inbound_requests_outcome_check;
alter table inbound_requests add constraint inbound_requests_outcome_check check (
  outcome in ('received', 'handshake', 'rejected', 'error', 'accepted', 'routed', 'unrouted',
              'held', 'failed'));

-- The size of the body as received, when `body` keeps only its first bytes (requests that were
-- not accepted keep 4 KiB: anyone can send those, and they are never routed). Null: `body` is
-- the whole body.
alter table inbound_requests add column body_size int;

-- Header and query parameter names whose values a trigger wants kept out of the request log
-- and its events, beyond those its verification reads: {"headers": [...], "query": [...]}.
alter table triggers add column redact jsonb;
