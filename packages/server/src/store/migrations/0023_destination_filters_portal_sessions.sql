-- Destination filters (#28 item 1): exact matches on whom an event is about, and a payload
-- expression kept as written (shown back) and compiled to a jsonpath predicate the fan-out
-- evaluates in its insert (destinations/filter-expression.ts). Null columns: no filter, and the
-- fan-out pays nothing for them.
alter table destinations add column filter_user_id text;
alter table destinations add column filter_credential_id text;
alter table destinations add column filter_integration text;
alter table destinations add column filter_expression text;
alter table destinations add column filter_jsonpath jsonpath;

-- Portal sessions (#28 item 2): a one-time link token exchanged for a session credential, both
-- stored as SHA-256 hashes only. A session is scoped to its project, optionally to one user
-- (its destinations carry that user filter), to event types (null: any) and to reading only.
create table portal_sessions (
  id uuid primary key,
  project_id uuid not null references projects (id) on delete cascade,
  user_id text,
  event_types text[],
  read_only boolean not null default false,
  link_hash bytea not null unique,
  credential_hash bytea unique,
  exchanged_at timestamptz,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  created_by jsonb not null,
  created_at timestamptz not null
);
create index portal_sessions_project_idx on portal_sessions (project_id, id desc);
