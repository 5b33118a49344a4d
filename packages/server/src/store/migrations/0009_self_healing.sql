-- Delivery beyond retry-then-disable (issue #10): paused destinations probed back to health,
-- per-key ordering with gapless sequences, an adaptive concurrency limit, a per-destination
-- payload limit (claim check), and a timeline of what happened to each destination.

-- Paused: auto-disable's failure rule fired. Like disabled (enabled = false, new deliveries are
-- held), but probed with a webhook.test at next_probe_at and resumed by the first 2xx.
-- disabled_reason / disabled_at say why and when for both.
alter table destinations add column paused_at timestamptz;
alter table destinations add column next_probe_at timestamptz;
alter table destinations add column probe_failures int not null default 0;
-- Gets an email when the destination pauses and when it recovers.
alter table destinations add column contact_email text;
-- none: deliveries go out in parallel; record / credential: deliveries sharing the event's record
-- id / credential id go out one at a time, in sequence order.
alter table destinations add column ordering text not null default 'none'
  check (ordering in ('none', 'record', 'credential'));
-- Bodies above this go out as a thin event with a signed URL to fetch the full one.
alter table destinations add column max_payload_bytes int not null default 262144
  check (max_payload_bytes between 1024 and 10485760);
-- The adaptive (AIMD) concurrency limit a dispatcher last reported; null: at max_concurrency.
alter table destinations add column concurrency_limit int;
-- The probe walks paused destinations in due order.
create index destinations_probe_idx on destinations (next_probe_at) where paused_at is not null;

-- Per (destination, key): the key and its sequence number (1, 2, … gapless per key).
alter table deliveries add column ordering_key text;
alter table deliveries add column sequence bigint;
-- The claim's "is an earlier delivery of this key still open?" probe.
create index deliveries_ordering_idx on deliveries (destination_id, ordering_key, sequence)
  where ordering_key is not null and status in ('pending', 'held');

-- The last sequence number handed out per (destination, key); the fan-out bumps it.
create table delivery_sequences (
  destination_id uuid not null references destinations (id) on delete cascade,
  ordering_key text not null,
  last_sequence bigint not null,
  primary key (destination_id, ordering_key)
);

-- What happened to a destination, for its operator: paused, probed, resumed, disabled, enabled.
create table destination_timeline (
  id uuid primary key,
  destination_id uuid not null references destinations (id) on delete cascade,
  at timestamptz not null,
  kind text not null,
  message text not null,
  details jsonb not null default '{}'::jsonb
);
create index destination_timeline_destination_idx on destination_timeline (destination_id, id desc);
