-- Held deliveries by destination: /metrics counts them per interval (delivery/metrics-store.ts)
-- and a destination's release reads them. Without it both read the whole deliveries table: with
-- a million held and a million delivered rows on PostgreSQL 15, the backlog read went from
-- 0.76 s (a sequential scan) to 0.34 s (an index-only scan of this index). Partial: only held
-- rows, which a healthy installation has few of, so deliveries that are never held cost nothing.
create index deliveries_held_idx on deliveries (destination_id) where status = 'held';
