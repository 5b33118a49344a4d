-- Connected users, their credentials, and inbound triggers with their request log.

-- A connected user: a customer of the project's own product, named by the project's id for them.
create table users (
  project_id uuid not null references projects (id) on delete cascade,
  id text not null,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (project_id, id)
);

-- A credential: one user's connection to one integration. The caller names it (text or uuid).
create table credentials (
  project_id uuid not null,
  id text not null,
  user_id text not null,
  integration text not null,
  -- The tenant id at the provider (Slack team, HubSpot portal…): app-level triggers route on it.
  provider_account_id text,
  status text not null check (status in ('VALID', 'INVALID', 'PENDING')),
  error text,
  external_state jsonb,
  metadata jsonb not null default '{}'::jsonb,
  -- AES-256-GCM of the tokens object: 'v1.' || base64(iv ‖ tag ‖ ciphertext). Text, not bytea,
  -- so both stores read it back the same way.
  tokens_ciphertext text,
  -- The first time the credential was VALID (integration.installed is emitted once).
  installed_at timestamptz,
  -- Outbox: the status events (a JSON array) this row still owes ingest; cleared once stored.
  pending_events jsonb,
  status_version int not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (project_id, id),
  foreign key (project_id, user_id) references users (project_id, id) on delete cascade
);
create index credentials_user_idx on credentials (project_id, user_id);
create index credentials_account_idx on credentials (project_id, integration, provider_account_id);
create index credentials_pending_idx on credentials (project_id) where pending_events is not null;

create table triggers (
  id uuid primary key,
  project_id uuid not null references projects (id) on delete cascade,
  integration text not null,
  name text not null,
  level text not null check (level in ('user', 'app')),
  setup jsonb not null,
  response jsonb,
  verification jsonb,
  routing jsonb,
  body_limit_bytes int not null check (body_limit_bytes between 1 and 10485760),
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index triggers_project_idx on triggers (project_id, id desc);

-- Values a handshake or an API setup saved (Asana's X-Hook-Secret, a webhook id), per trigger and
-- credential ('' when the value belongs to the whole trigger). Encrypted like tokens.
create table trigger_values (
  trigger_id uuid not null references triggers (id) on delete cascade,
  credential_id text not null default '',
  key text not null,
  value_ciphertext text not null,
  updated_at timestamptz not null,
  primary key (trigger_id, credential_id, key)
);

create table trigger_subscriptions (
  trigger_id uuid not null references triggers (id) on delete cascade,
  credential_id text not null,
  project_id uuid not null,
  status text not null check (status in ('active', 'failed')),
  response_status int,
  error text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (trigger_id, credential_id)
);

-- Every request to /hooks/:triggerId, stored before it is handshaken, verified or answered.
-- outcome: received (stored, not yet judged) → handshake | rejected | error | accepted;
-- accepted → routed | unrouted once the router has emitted its events.
create table inbound_requests (
  id uuid primary key,
  project_id uuid not null,
  trigger_id uuid not null references triggers (id) on delete cascade,
  credential_id text,
  method text not null,
  path text not null,
  query_string text not null,
  headers jsonb not null,
  body bytea not null,
  outcome text not null check (
    outcome in ('received', 'handshake', 'rejected', 'error', 'accepted', 'routed', 'unrouted')),
  reason text,
  response_status int,
  event_ids uuid[],
  routed_credential_ids text[],
  locked_until timestamptz,
  received_at timestamptz not null,
  processed_at timestamptz
);
create index inbound_requests_project_idx on inbound_requests (project_id, id desc);
create index inbound_requests_trigger_idx on inbound_requests (trigger_id, id desc);
-- The router's claim probe: only accepted rows wait for it.
create index inbound_requests_accepted_idx on inbound_requests (id) where outcome = 'accepted';
