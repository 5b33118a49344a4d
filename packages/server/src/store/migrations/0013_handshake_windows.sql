-- Issue #24: an unsigned handshake (Asana's X-Hook-Secret, Notion's verification_token) may set
-- a value that later verifies events only when none is set for the trigger and credential, or
-- while the project expects one: an API setup in flight (kind 'setup', src/inbound/setup.ts) or
-- a window opened with POST /v1/triggers/:id/expect-handshake (kind 'api'). Windows are rows so
-- that every process sees them: the provider's handshake may reach another process than the one
-- that opened the window. A handshake that persists a value deletes the trigger's and
-- credential's windows in the same transaction (the window closes).
create table handshake_windows (
  id uuid primary key,
  trigger_id uuid not null references triggers (id) on delete cascade,
  credential_id text not null default '',
  kind text not null check (kind in ('setup', 'api')),
  opened_at timestamptz not null,
  expires_at timestamptz not null
);
create index handshake_windows_trigger_idx on handshake_windows (trigger_id, credential_id);
