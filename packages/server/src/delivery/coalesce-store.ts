import { query, type Queryable, sql } from '../store/index.ts'

/** A claimed delivery that carries its coalesce key's later deliveries. */
export interface Carrier {
  id: string
  /** How far after the carrier's creation a delivery may be to fold in; null: any. */
  windowMs: number | null
  /** Most deliveries it may carry besides itself; null: no limit. */
  maxMembers: number | null
}

/** One delivery a carrier sends for: its event and when it was created. */
export interface Member {
  event_id: string
  created_at: Date
}

// A bigint above every sequence: "no later delivery of the ordering key".
const noLimit = '9223372036854775807'

/**
 * Runs once per claimed delivery that has a coalesce key (never for other destinations'
 * deliveries): folds the key's later unsent deliveries into the carrier and returns every
 * delivery it carries, in creation order, the ones folded by an earlier attempt included.
 * Which fold in: same destination and key, pending or held, never claimed, after the carrier
 * in (created_at, event_id) order (see claimDue) and (credential failures) within its window; on a destination with
 * `ordering`, only those before the key's next delivery that is not coalesced, so a
 * `credential.fixed` between two failures is never overtaken.
 * Their status becomes `coalesced`, `coalesced_into` the carrier, in the claim's wake: they are
 * never due again, and a carrier whose lease runs out finds them on its next claim.
 * Locks: the folded rows (`skip locked`: a row another claim is folding is left to it).
 * Cost: a range probe of deliveries_coalesce_idx, a probe of deliveries_coalesced_into_idx.
 */
export async function gatherCoalesced(
  q: Queryable,
  carrier: Carrier,
  now: Date,
): Promise<Member[]> {
  const at = now.toISOString()
  return query<Member>(
    q,
    sql`
    with c as (
      select id, event_id, destination_id, coalesce_key, ordering_key, sequence, created_at
      from deliveries where id = ${carrier.id}
    ),
    picked as (
      select dl.id from deliveries dl, c
      where dl.destination_id = c.destination_id and dl.coalesce_key = c.coalesce_key
        and dl.status in ('pending', 'held') and dl.attempts = 0 and dl.locked_by is null
        and (dl.created_at, dl.event_id) > (c.created_at, c.event_id)
        and (${carrier.windowMs}::int is null
             or dl.created_at < c.created_at + ${carrier.windowMs}::int * interval '1 millisecond')
        and (c.ordering_key is null or dl.sequence < coalesce(
              (select min(o.sequence) from deliveries o
               where o.destination_id = c.destination_id and o.ordering_key = c.ordering_key
                 and o.sequence > c.sequence and o.coalesce_key is distinct from c.coalesce_key),
              ${noLimit}::bigint))
      order by dl.created_at, dl.event_id
      -- null: no limit (LIMIT NULL); greatest: a batch already full takes none.
      limit case when ${carrier.maxMembers}::int is not null then greatest(0,
              ${carrier.maxMembers}::int
              - (select count(*) from deliveries m where m.coalesced_into = ${carrier.id})) end
      for update of dl skip locked
    ),
    folded as (
      update deliveries d
      set status = 'coalesced', coalesced_into = ${carrier.id}, next_attempt_at = null,
          completed_at = ${at}::timestamptz, updated_at = ${at}::timestamptz
      from picked where d.id = picked.id
      returning d.event_id, d.created_at
    )
    select event_id, created_at from (
      select event_id, created_at from folded
      union all
      select event_id, created_at from deliveries where coalesced_into = ${carrier.id}
    ) members
    order by created_at, event_id`,
  )
}
