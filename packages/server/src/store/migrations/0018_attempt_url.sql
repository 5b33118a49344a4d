-- The URL each attempt was sent to, as the destination's reads show it (a Slack preset's only
-- as its origin). Destinations change their URL; the log must say where each request went.
-- Null for email attempts and for attempts logged before this migration.
alter table delivery_attempts add column url text;
