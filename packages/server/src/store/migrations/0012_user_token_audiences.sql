-- Issue #24, item 5: a user token names its project by its audience, so an audience must belong
-- to one project. Before this migration the audiences were a text[] per project and two projects
-- could list the same one: project B registered project A's audience with A's public key, and
-- A's users' tokens resolved to B. A table keyed by the audience lets the database refuse the
-- second project (the API answers 409 audience_taken).
--
-- An installed database may already hold an audience listed by several projects. Which of them
-- owns it cannot be told from the rows (updated_at moves on every save; in the attack above the
-- hijacker saved first and the owner last), so such an audience is given to none of them: it is
-- dropped from every project that listed it, tokens carrying only it are refused (401) and the
-- owner's admin registers it again with PUT /v1/settings. The migration never fails on them.

create table user_token_audiences (
  audience text primary key,
  project_id uuid not null references user_token_keys (project_id) on delete cascade,
  position int not null
);
create index user_token_audiences_project_idx on user_token_audiences (project_id, position);

insert into user_token_audiences (audience, project_id, position)
select listed.audience, min(listed.project_id::text)::uuid, min(listed.position)::int
from (
  select keys.project_id, entry.audience, entry.position
  from user_token_keys keys
  cross join lateral unnest(keys.audiences) with ordinality as entry (audience, position)
) listed
group by listed.audience
having count(distinct listed.project_id) = 1;

-- The table is the one place audiences live now (the array's GIN index goes with it).
alter table user_token_keys drop column audiences;
