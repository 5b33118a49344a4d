-- Foundation: the instance, projects, API keys and events.

create table instance_settings (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);

create table projects (
  id uuid primary key,
  name text not null,
  owner_email text,
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create table api_keys (
  id uuid primary key,
  project_id uuid not null references projects (id) on delete cascade,
  name text not null,
  role text not null check (role in ('admin', 'member', 'viewer')),
  -- The first characters of the key, shown in lists so a person can tell keys apart.
  prefix text not null,
  -- sha256 of the key: keys are 32 random bytes, so a slow hash buys nothing.
  key_hash bytea not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_keys_project_idx on api_keys (project_id, created_at);

-- Events are append-only facts. `id` is a UUIDv7, so ordering by id is ordering by arrival.
create table events (
  id uuid primary key,
  project_id uuid not null references projects (id) on delete cascade,
  type text not null,
  user_id text,
  credential_id text,
  integration text,
  occurred_at timestamptz not null,
  received_at timestamptz not null default now(),
  data jsonb not null,
  idempotency_key text,
  -- sha256 of the request that created the event, to tell a retry from a conflicting reuse.
  request_hash text
);
create index events_project_id_idx on events (project_id, id desc);
create index events_project_type_idx on events (project_id, type, id desc);
create unique index events_idempotency_idx on events (project_id, idempotency_key)
  where idempotency_key is not null;
