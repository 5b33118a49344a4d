-- Hardening: the audit log of changes to keys, destinations, triggers, settings and credentials.

-- One row per change that succeeded. `id` is a UUIDv7, so ordering by id is ordering by time.
-- No foreign key to the target: the log outlives what it describes (a deleted key stays logged).
create table audit_log (
  id uuid primary key,
  project_id uuid not null references projects (id) on delete cascade,
  -- 'destination.created', 'api_key.revoked'… (src/audit/actions.ts lists them).
  action text not null,
  target_type text not null,
  target_id text,
  -- Who: {"type":"key","id":…,"role":…} or {"type":"instance"}.
  actor jsonb not null,
  -- What: the request body with secrets replaced by "[redacted]", or null.
  changes jsonb,
  request_id text not null,
  ip text,
  created_at timestamptz not null
);
create index audit_log_project_idx on audit_log (project_id, id desc);
create index audit_log_target_idx on audit_log (project_id, target_id, id desc);
