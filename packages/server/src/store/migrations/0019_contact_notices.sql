-- Issue #30: a paused or resumed destination's contact email is owed by its timeline entry and
-- sent after the commit; a process that dies in between leaves the entry due, and the prober's
-- sweep sends it (src/delivery/lifecycle/contact-email.ts). Null: no email owed (or sent).
alter table destination_timeline add column contact_due_at timestamptz;
create index destination_timeline_contact_idx on destination_timeline (contact_due_at)
  where contact_due_at is not null;
