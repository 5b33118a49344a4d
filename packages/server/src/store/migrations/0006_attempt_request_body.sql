-- The body each attempt sent (first 4 KiB), so the log shows the exact request, not only its
-- headers. Null for attempts logged before this migration.
alter table delivery_attempts add column request_body text;
