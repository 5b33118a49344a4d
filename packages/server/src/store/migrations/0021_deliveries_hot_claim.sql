-- Room on each deliveries page for a claimed row's new version (issue #31). A claim no longer
-- moves next_attempt_at (delivery/store.ts claimDue: the lease is locked_until alone, which no
-- index names), so it changes no indexed column and PostgreSQL can write it as a HOT update:
-- no new entry in any of the table's indexes, provided the new version fits on the same page.
-- At the default fillfactor (100) a freshly inserted page is full and every claim went to
-- another page through all five always-maintained indexes. 70 leaves ~30 % of each page for
-- those versions; HOT pruning frees the dead ones as pages are read again. Applies to pages
-- written from now on; existing pages keep their layout until rewritten.
alter table deliveries set (fillfactor = 70);
