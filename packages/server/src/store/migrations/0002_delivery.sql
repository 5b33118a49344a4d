-- Delivery: webhook destinations, one delivery per (event, destination), every attempt logged.

-- A UUIDv7 for the given Unix milliseconds: the fan-out creates delivery ids in SQL (it does not
-- know how many destinations match before it runs), and lists page by id, so ids must sort by
-- time. A v4 with the first 48 bits replaced by the time and version bits 0100 -> 0111.
create function uuid_v7_at(ms bigint) returns uuid language sql volatile as $$
  select encode(
    set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(ms) from 3) from 1 for 6), 52, 1), 53, 1),
    'hex')::uuid
$$;

create table destinations (
  id uuid primary key,
  project_id uuid not null references projects (id) on delete cascade,
  type text not null default 'webhook' check (type in ('webhook', 'email')),
  name text,
  url text,
  -- The filter as the caller wrote it (any vocabulary), shown back on read.
  event_filter text[] not null,
  -- The same filter as canonical types; null means every type ("*").
  event_types text[],
  format text not null check (format in ('managed-sync', 'workspace', 'monitoring', 'standard')),
  headers jsonb not null default '{}'::jsonb,
  -- A body template (a later issue); null sends the rendered event.
  template text,
  timeout_ms int not null check (timeout_ms between 1000 and 30000),
  max_concurrency int not null check (max_concurrency between 1 and 100),
  rate_limit_per_second int check (rate_limit_per_second > 0),
  -- Set on destinations another feature manages: 'settings.webhookUrl' is the project's sync webhook.
  managed_by text,
  -- Standard Webhooks secrets (whsec_…). During a rotation's grace both sign.
  secret text not null,
  previous_secret text,
  previous_secret_expires_at timestamptz,
  enabled boolean not null default true,
  disabled_reason text,
  disabled_at timestamptz,
  -- Auto-disable: failed attempts in a row, and when the first of them happened.
  consecutive_failures int not null default 0,
  failing_since timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check (type <> 'webhook' or url is not null)
);
create index destinations_project_idx on destinations (project_id, id desc);
-- The claim walks enabled destinations in id order.
create index destinations_enabled_idx on destinations (id) where enabled;
create unique index destinations_managed_idx on destinations (project_id, managed_by)
  where managed_by is not null;

-- pending: waiting for its next attempt (next_attempt_at), or being sent while a lease holds;
-- held: its destination is disabled; succeeded and failed are final (until a retry or recover).
create table deliveries (
  -- UUIDv7, and the webhook-id every attempt sends.
  id uuid primary key,
  project_id uuid not null references projects (id) on delete cascade,
  destination_id uuid not null references destinations (id) on delete cascade,
  event_id uuid not null references events (id) on delete cascade,
  event_type text not null,
  status text not null check (status in ('pending', 'held', 'succeeded', 'failed')),
  attempts int not null default 0,
  -- When a pending delivery is due. A claim moves it to the lease's end, so an expired lease
  -- (a worker killed mid-send) makes the delivery due again without a sweeper.
  next_attempt_at timestamptz,
  locked_by text,
  locked_until timestamptz,
  last_attempt_at timestamptz,
  last_status int,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  completed_at timestamptz
);
-- The claim's probe per destination: only pending rows, in due order.
create index deliveries_due_idx on deliveries (destination_id, next_attempt_at)
  where status = 'pending';
create index deliveries_project_idx on deliveries (project_id, id desc);
create index deliveries_destination_idx on deliveries (destination_id, id desc);
create index deliveries_event_idx on deliveries (event_id);

create table delivery_attempts (
  id uuid primary key,
  delivery_id uuid not null references deliveries (id) on delete cascade,
  number int not null,
  started_at timestamptz not null,
  duration_ms int not null,
  outcome text not null check (outcome in ('delivered', 'failed', 'gone')),
  status int,
  error_class text check (error_class in ('timeout', 'dns', 'connect', 'tls', 'http_status')),
  error_message text,
  -- What was sent, custom header values redacted; what came back, the body cut at 4 KiB.
  request_headers jsonb not null,
  response_headers jsonb,
  response_body text,
  worker text
);
create index delivery_attempts_delivery_idx on delivery_attempts (delivery_id, number);
