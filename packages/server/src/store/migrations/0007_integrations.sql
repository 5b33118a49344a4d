-- Integrations: a project's own app at each provider (display name, API base URL) and its
-- developer tokens (client id and secret, signing secrets, verify tokens, API keys).

create table integrations (
  project_id uuid not null references projects (id) on delete cascade,
  -- The integration's key as triggers and credentials name it (`slack`, `hubspot`).
  type text not null,
  name text not null,
  base_url text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (project_id, type)
);

-- One row per developer token, sealed like credential tokens (AES-256-GCM, bound to its row), so
-- rotating one token rewrites one row and every trigger naming it reads the new value.
create table integration_tokens (
  project_id uuid not null,
  integration text not null,
  name text not null,
  value_ciphertext text not null,
  updated_at timestamptz not null,
  primary key (project_id, integration, name),
  foreign key (project_id, integration) references integrations (project_id, type) on delete cascade
);

-- What to do with requests routed to an INVALID credential: 'deliver' (as before) or 'hold'
-- until the credential is VALID again.
alter table triggers add column invalid_credentials text not null default 'deliver'
  check (invalid_credentials in ('deliver', 'hold'));

-- Held requests: the credentials still waiting (routed ones are in routed_credential_ids).
alter table inbound_requests add column held_credential_ids text[];
alter table inbound_requests drop constraint inbound_requests_outcome_check;
alter table inbound_requests add constraint inbound_requests_outcome_check check (
  outcome in ('received', 'handshake', 'rejected', 'error', 'accepted', 'routed', 'unrouted', 'held'));
create index inbound_requests_held_idx on inbound_requests (project_id) where outcome = 'held';

-- A deleted credential's subscriptions are found by credential, not by trigger.
create index trigger_subscriptions_credential_idx on trigger_subscriptions (project_id, credential_id);
