-- The rest of issue #10: claim checks for bodies above a destination's max_payload_bytes, and
-- coalescing (repeated credential.failed as one delivery, record events as batches).

-- A body too large to send, kept for the signed URL the thin event carries. One row per
-- (delivery, body): retries that render the same bytes share it; expires_at is the latest
-- expiry of the URLs handed out for it, and the pruner deletes it after that.
create table claim_checks (
  -- 128 random bits (base64url): the part of the URL that finds the row.
  id text primary key,
  delivery_id uuid not null references deliveries (id) on delete cascade,
  sha256 text not null,
  body text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null,
  unique (delivery_id, sha256)
);
create index claim_checks_expires_idx on claim_checks (expires_at);

-- Keys the server makes for itself when SWITCHYARD_SECRET_KEY is not set: every process of an
-- installation must sign and verify claim-check URLs with the same one.
create table server_keys (
  name text primary key,
  key text not null,
  created_at timestamptz not null
);

-- {"credentialFailed": {"windowMs"}, "records": {"maxBatchSize", "maxWaitMs"}}; null: none.
alter table destinations add column coalesce jsonb;

-- 'credential:<id>' or 'sync:<id>' on deliveries a coalesce rule applies to. Such a delivery
-- is due when its window ends; the first of a key claimed then takes the later ones in (their
-- status becomes coalesced, coalesced_into its id).
alter table deliveries add column coalesce_key text;
alter table deliveries add column coalesced_into uuid;
alter table deliveries drop constraint deliveries_status_check;
alter table deliveries add constraint deliveries_status_check
  check (status in ('pending', 'held', 'succeeded', 'failed', 'coalesced'));
-- The gather's probe: a key's unsent deliveries in creation order.
create index deliveries_coalesce_idx on deliveries (destination_id, coalesce_key, created_at)
  where coalesce_key is not null and status in ('pending', 'held');
create index deliveries_coalesced_into_idx on deliveries (coalesced_into)
  where coalesced_into is not null;
