import { sql, type RawBuilder } from '../store/index.ts'

/**
 * Hot path (ingest): the fan-out as CTEs of the events insert (`fan_events`, `fan_destinations`,
 * `fan_matched`, `fan_sequences`, `fanned_out`), over the rows it inserted: `events` names them
 * (`insertedEvents` from the events feature: id, project_id, type, user_id, credential_id,
 * integration, occurred_at, data), so
 * accepting events is one statement and one round trip, and the events are sent once, for the
 * insert, instead of again as the fan-out's own document (bench/ingest).
 * Params: the batch's projects and types; the wire formats of each type (`formatsOf`), which the
 * statement pairs them with; destinations to leave out; `now` for the delivery ids (UUIDv7),
 * `created_at` and the due time.
 * Rows: one delivery per matching destination (enabled: pending and due now; paused or
 * disabled: held). On a destination with `ordering` the delivery carries the event's record or
 * credential id as its key and the key's next sequence number: `fan_sequences` bumps the
 * per-key counter by the batch's count in one upsert, and each delivery takes its place in
 * that range in id (publication) order, so numbers are gapless per key. The keys are read from
 * the data: a string `recordId` or `syncId`, else none.
 * Coalescing: on a destination with a `coalesce` rule for the event (credential.failed, or a
 * record.* event with a sync), the delivery carries the rule's key and is due when the rule's
 * window ends; the claim then folds the key's later deliveries into it (coalesce-store.ts).
 * Computed from the destination row already joined: no extra probe, and nothing changes for
 * destinations without rules.
 * Locks: key share on the matched destinations (the foreign key check); the counter rows of
 * the keys it bumps, in (destination, key) order so concurrent batches cannot deadlock.
 * Filters (docs/filters.md): a destination's user, credential and integration filters are
 * equalities on the event's columns; its payload expression is a jsonpath predicate
 * (destinations/filter-expression.ts) matched against the event's standard body, built only
 * for destinations that have one (the `case`), so unfiltered destinations cost nothing. A
 * predicate that is unknown (a type mismatch) does not match.
 * Cost: one probe of destinations_project_idx per project, then a join in memory; an empty
 * upsert when no destination orders.
 */
export function fanOutCtes(
  batch: {
    events: RawBuilder<unknown>
    projectIds: readonly string[]
    types: readonly string[]
  },
  options: FanOutOptions,
): RawBuilder<unknown> {
  const fanEvents = sql`fan_events as (
      select i.id as event_id, i.project_id, i.type,
             case when jsonb_typeof(i.data -> 'recordId') = 'string' then i.data ->> 'recordId' end
               as record_key,
             i.credential_id as credential_key,
             case when jsonb_typeof(i.data -> 'syncId') = 'string' then i.data ->> 'syncId' end
               as sync_key,
             row_number() over (order by i.id) as ord,
             i.user_id, i.credential_id, i.integration,
             -- Built once per event, and only when a destination of the batch has a payload
             -- filter (an init plan over fan_destinations, which comes first).
             case when exists (select 1 from fan_destinations d where d.filter_jsonpath is not null)
                  then ${standardBody} end as body
      from ${batch.events} i
    )`
  return fanOutFrom(fanEvents, { ...options, ...batch })
}

// Whom an event is about, as rendering reads it (delivery/render.ts): the event's own userId
// and integration, else its credential's. The credential is read only for destinations that
// filter on them (the `case`s that use these) and for payload filters' bodies. `alias` names
// a row with project_id, user_id, credential_id and integration.
const credentialOf = (alias: 'e' | 'i', column: 'user_id' | 'integration') =>
  sql`(select c.${sql.raw(column)} from credentials c
        where c.project_id = ${sql.raw(alias)}.project_id and c.id = ${sql.raw(alias)}.credential_id)`
const userIdOf = (alias: 'e' | 'i') =>
  sql`coalesce(${sql.raw(alias)}.user_id, ${credentialOf(alias, 'user_id')})`
const integrationOf = (alias: 'e' | 'i') =>
  sql`coalesce(${sql.raw(alias)}.integration, ${credentialOf(alias, 'integration')})`

/**
 * The event's standard body (catalog/standard-format.ts) as jsonb, which payload filters read:
 * absent fields are left out, as the standard format leaves them out, never null.
 */
const standardBody = sql`jsonb_strip_nulls(jsonb_build_object(
    'id', i.id::text, 'type', i.type,
    'timestamp', to_char(i.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'projectId', i.project_id::text, 'userId', ${userIdOf('i')},
    'credentialId', i.credential_id, 'integration', ${integrationOf('i')}))
    || jsonb_build_object('data', i.data)`

/** What the fan-out takes besides its events. */
export interface FanOutOptions {
  formatsOf: (type: string) => readonly string[]
  excludeDestinationIds: readonly string[]
  now: Date
}

function fanOutFrom(
  fanEvents: RawBuilder<unknown>,
  options: FanOutOptions & { projectIds: readonly string[]; types: readonly string[] },
): RawBuilder<unknown> {
  const formats = options.types.flatMap((type) =>
    options.formatsOf(type).map((format) => ({ type, format })),
  )
  const now = options.now.toISOString()
  // The batch's projects' destinations first, once: usually a handful, often none, and then
  // the events are never unpacked (the insert pays for the rest of a batch already).
  return sql`
    fan_destinations as materialized (
      select d.id, d.project_id, d.format, d.event_types, d.enabled, d.ordering, d.coalesce,
             d.filter_user_id, d.filter_credential_id, d.filter_integration, d.filter_jsonpath
      from destinations d
      where d.project_id = any(${options.projectIds}::uuid[])
        and d.id <> all(${options.excludeDestinationIds}::uuid[])
    ),
    ${fanEvents},
    fan_matched as (
      select e.event_id, e.project_id, e.type, e.ord, d.id as destination_id, d.enabled,
             case d.ordering when 'record' then e.record_key
                             when 'credential' then e.credential_key end as ordering_key,
             case when e.type = 'credential.failed' and d.coalesce -> 'credentialFailed' is not null
                    then 'credential:' || e.credential_key
                  when e.type like 'record.%' and d.coalesce -> 'records' is not null
                    then 'sync:' || e.sync_key end as coalesce_key,
             case when e.type = 'credential.failed'
                    then (d.coalesce -> 'credentialFailed' ->> 'windowMs')::int
                  else (d.coalesce -> 'records' ->> 'maxWaitMs')::int end as coalesce_wait_ms
      from fan_destinations d
      join unnest(${formats.map((f) => f.type)}::text[], ${formats.map((f) => f.format)}::text[])
             as f(type, format) on f.format = d.format
      join fan_events e on e.project_id = d.project_id and e.type = f.type
      where (d.event_types is null or e.type = any(d.event_types))
        and case when d.filter_user_id is null then true
                 else d.filter_user_id = ${userIdOf('e')} end
        and (d.filter_credential_id is null or e.credential_id = d.filter_credential_id)
        and case when d.filter_integration is null then true
                 else d.filter_integration = ${integrationOf('e')} end
        and case when d.filter_jsonpath is null then true
                 else coalesce(jsonb_path_match(e.body, d.filter_jsonpath, '{}', true),
                               false) end
    ),
    fan_sequences as (
      insert into delivery_sequences (destination_id, ordering_key, last_sequence)
      select destination_id, ordering_key, count(*) from fan_matched
      where ordering_key is not null
      group by destination_id, ordering_key order by destination_id, ordering_key
      on conflict (destination_id, ordering_key)
        do update set last_sequence = delivery_sequences.last_sequence + excluded.last_sequence
      returning destination_id, ordering_key, last_sequence
    ),
    fanned_out as (
      insert into deliveries (id, project_id, destination_id, event_id, event_type, status,
                              next_attempt_at, created_at, updated_at, ordering_key, sequence,
                              coalesce_key)
      select uuid_v7_at(${options.now.getTime()}), m.project_id, m.destination_id, m.event_id, m.type,
             case when m.enabled then 'pending' else 'held' end,
             case when m.enabled then ${now}::timestamptz
                    + case when m.coalesce_key is not null
                           then m.coalesce_wait_ms * interval '1 millisecond'
                           else interval '0' end end,
             ${now}::timestamptz, ${now}::timestamptz,
             m.ordering_key,
             s.last_sequence - count(*) over keyed + row_number() over (keyed order by m.ord),
             m.coalesce_key
      from fan_matched m
      left join fan_sequences s on s.destination_id = m.destination_id
                               and s.ordering_key = m.ordering_key
      window keyed as (partition by m.destination_id, m.ordering_key)
      returning 1
    )`
}
