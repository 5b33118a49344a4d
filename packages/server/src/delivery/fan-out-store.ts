import { sql, type RawBuilder } from 'kysely'
import { query, type Queryable } from '../store/index.ts'

/** One (event, wire format) pair to fan out: an event once per format that can render it. */
export interface FanOutPair {
  eventId: string
  projectId: string
  type: string
  format: string
  /** The ordering keys the event offers: its record id, its credential id (or null). */
  recordKey: string | null
  credentialKey: string | null
  /** The sync a record event is about: the key its batches are coalesced by. */
  syncKey: string | null
}

/**
 * Hot path (ingest): the data-modifying part of the fan-out, as CTEs (`fan_matched`,
 * `fan_sequences`, `fanned_out`) that `insertFanOut` wraps, and that ingest appends to its
 * event insert so accepting an event is one statement and one round trip.
 * Params: the pairs as parallel arrays; destinations to leave out; `now` for the delivery ids
 * (UUIDv7), `created_at` and the due time.
 * Rows: one delivery per matching destination (enabled: pending and due now; paused or
 * disabled: held). On a destination with `ordering` the delivery carries the event's record or
 * credential id as its key and the key's next sequence number: `fan_sequences` bumps the
 * per-key counter by the batch's count in one upsert, and each delivery takes its place in
 * that range in batch order, so numbers are gapless per key.
 * Coalescing: on a destination with a `coalesce` rule for the event (credential.failed, or a
 * record.* event with a sync), the delivery carries the rule's key and is due when the rule's
 * window ends; the claim then folds the key's later deliveries into it (coalesce-store.ts).
 * Computed from the destination row already joined: no extra probe, and nothing changes for
 * destinations without rules.
 * Locks: key share on the matched destinations (the foreign key check); the counter rows of
 * the keys it bumps, in (destination, key) order so concurrent batches cannot deadlock.
 * Cost: one probe of destinations_project_idx per pair; an empty upsert when no destination
 * orders.
 */
export function fanOutCtes(
  pairs: readonly FanOutPair[],
  options: { excludeDestinationIds: readonly string[]; now: Date },
): RawBuilder<unknown> {
  const col = <T>(pick: (p: FanOutPair) => T) => pairs.map(pick)
  const now = options.now.toISOString()
  return sql`fan_matched as (
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
      from unnest(${col((p) => p.eventId)}::uuid[], ${col((p) => p.projectId)}::uuid[],
                  ${col((p) => p.type)}::text[], ${col((p) => p.format)}::text[],
                  ${col((p) => p.recordKey)}::text[], ${col((p) => p.credentialKey)}::text[],
                  ${col((p) => p.syncKey)}::text[])
           with ordinality as e(event_id, project_id, type, format, record_key, credential_key,
                                sync_key, ord)
      join destinations d on d.project_id = e.project_id and d.format = e.format
                         and (d.event_types is null or e.type = any(d.event_types))
      where d.id <> all(${options.excludeDestinationIds}::uuid[])
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

/**
 * The fan-out on its own, inside a caller's transaction (events already stored).
 * Result: how many deliveries it created.
 */
export async function insertFanOut(
  q: Queryable,
  pairs: readonly FanOutPair[],
  options: { excludeDestinationIds: readonly string[]; now: Date },
): Promise<number> {
  const rows = await query<{ n: number }>(
    q,
    sql`with ${fanOutCtes(pairs, options)} select count(*)::int as n from fanned_out`,
  )
  return rows[0]?.n ?? 0
}
