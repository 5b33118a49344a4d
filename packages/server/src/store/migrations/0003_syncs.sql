-- Sync change feed: syncs, their runs and records, the events waiting to be published, and the
-- public keys that sign connected users' tokens.

create table syncs (
  id uuid primary key,
  project_id uuid not null references projects (id) on delete cascade,
  user_id text not null,
  credential_id text,
  integration text not null,
  pipeline text not null,
  configuration jsonb not null default '{}'::jsonb,
  configuration_name text,
  status text not null
    check (status in ('INITIALIZING', 'ACTIVE', 'IDLE', 'DISABLED', 'ERRORED')),
  -- {code, message} of the permanent failure that set ERRORED.
  error jsonb,
  initial_completed_at timestamptz,
  last_synced_at timestamptz,
  last_full_at timestamptz,
  latest_cursor text,
  -- The last change number handed to one of its records. A page reserves its range while it
  -- holds this row's lock, so change numbers commit in order and a reader's cursor never skips.
  record_seq bigint not null default 0,
  incremental_every_seconds int not null,
  full_every_seconds int not null,
  -- When the scheduler (built-in connectors) or an external worker should run it next.
  next_run_at timestamptz,
  transient_failures int not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index syncs_project_idx on syncs (project_id, id desc);
create index syncs_due_idx on syncs (next_run_at) where next_run_at is not null;

create table sync_runs (
  id uuid primary key,
  sync_id uuid not null references syncs (id) on delete cascade,
  type text not null check (type in ('INITIAL', 'INCREMENTAL', 'FULL')),
  status text not null check (status in ('running', 'completed', 'failed', 'cancelled')),
  started_at timestamptz not null,
  -- Last page or start: an open run untouched for an hour may be superseded by a new one.
  touched_at timestamptz not null,
  finished_at timestamptz,
  cursor text,
  error jsonb
);
create unique index sync_runs_one_open_idx on sync_runs (sync_id) where status = 'running';
create index sync_runs_sync_idx on sync_runs (sync_id, id desc);

-- One row per distinct page a run received: a re-sent page (same body) is answered from here.
create table sync_run_pages (
  run_id uuid not null references sync_runs (id) on delete cascade,
  page_hash text not null,
  created int not null,
  updated int not null,
  unchanged int not null,
  errored int not null,
  primary key (run_id, page_hash)
);

-- Records are keyed by UUIDv5(sync id, external id). A deleted record keeps a sparse tombstone.
create table sync_records (
  id uuid primary key,
  sync_id uuid not null references syncs (id) on delete cascade,
  external_id text not null,
  seq bigint not null,
  deleted boolean not null default false,
  name text,
  mime_type text,
  size bigint,
  data jsonb,
  -- sha256 over data, name, MIME type and content: equal hash, unchanged record.
  hash text,
  -- The last FULL run that saw the record; FULL tombstones the ones it did not see.
  seen_run_id uuid,
  synced_at timestamptz not null
);
create index sync_records_feed_idx on sync_records (sync_id, seq);

create table sync_record_contents (
  record_id uuid primary key references sync_records (id) on delete cascade,
  content bytea not null
);

-- The outbox: events a page or run produced, written in its transaction and published right
-- after it commits (and by the scheduler if the process died in between).
create table sync_event_batches (
  id uuid primary key,
  project_id uuid not null references projects (id) on delete cascade,
  sync_id uuid not null references syncs (id) on delete cascade,
  events jsonb not null,
  created_at timestamptz not null
);

create table user_token_keys (
  project_id uuid primary key references projects (id) on delete cascade,
  public_key text not null,
  audiences text[] not null,
  updated_at timestamptz not null
);
create index user_token_keys_audiences_idx on user_token_keys using gin (audiences);
