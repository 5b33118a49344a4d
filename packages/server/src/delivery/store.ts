import { eventFromJson, eventJsonOf, type EventJson } from '../events/index.ts'
import { countAffected, query, type Queryable, sql } from '../store/index.ts'
import type { AttemptRecord, ClaimedDelivery, DeliveryStatus } from './types.ts'

/*
 * With fan-out-store.ts and metrics-store.ts (reads for /metrics), the only files that name the
 * deliveries and delivery_attempts tables.
 * The two hot-path statements (fan-out and claim) also read destinations: per-destination
 * matching and per-destination claiming cannot be done in one statement otherwise.
 * A destination's configuration is written only through src/destinations, its runtime state
 * only through lifecycle/state-store.ts.
 */

/** What this process is already doing per destination, so a claim takes only what fits. */
export interface DestinationLoad {
  destinationId: string
  inFlight: number
  /** Whole tokens left in its rate-limit bucket (0 while a Retry-After blocks it); null when unlimited. */
  tokens: number | null
  /** Its adaptive (AIMD) concurrency limit; null when this process has not lowered it. */
  limit: number | null
}

/** What this process is sending per project, for the fair share. */
export interface ProjectLoad {
  projectId: string
  inFlight: number
  /** The project's `deliveryWeight` (default 1). */
  weight: number
}

/**
 * Hot path (claim): leases up to `limit` due deliveries in one autocommit statement.
 *
 * Shape: walk the enabled destinations, least-served project first (its sends in flight here
 * divided by its weight), then from a rotating start (`after`, the last destination served, so
 * a full batch never starves the destinations after it), and for each one probe
 * deliveries_due_idx for its oldest due rows, `limit` = its free slots in this process: its
 * adaptive limit (at most max_concurrency) minus its sends in flight, its rate-limit tokens,
 * and its project's `room` (the fair share left). A project with no room is skipped.
 * `for update skip locked` lets concurrent dispatchers take disjoint rows without waiting.
 * A single `order by next_attempt_at` scan would read fewer rows per claim, but a hanging
 * destination's backlog sits at the head of that order and every claim would wade through it;
 * per-destination probes cost one index probe per enabled destination, whatever the backlogs.
 * Measured with 1,000 enabled destinations and 100,000 due deliveries: a claim of 100 takes
 * ~4 ms on PostgreSQL 15 and ~7 ms on PGlite; a claim that finds nothing, ~2 ms and ~4 ms.
 *
 * Ordering: a delivery with an ordering key is due only when no earlier one of its key
 * (lower sequence) is still pending or held; a head being sent stays pending under its lease,
 * so its successors wait for its result. One index probe (deliveries_ordering_idx) per keyed
 * candidate; unkeyed rows skip it.
 * Coalescing: likewise a delivery with a coalesce key is due only when it is the oldest unsent
 * one of its key, so one claim never leases two deliveries that should have been one, and a
 * key's batches go out one at a time, in order; the one claimed folds the later ones in
 * (coalesce-store.ts). One probe (deliveries_coalesce_idx) per candidate with a key. Oldest is
 * (created_at, event_id): deliveries of one fan-out share created_at, and event ids are UUIDv7
 * made in publication order, where delivery ids are random within their millisecond.
 * Retries: with `retries: false` (retries fill their share of the process) only first attempts
 * are taken; the candidates the probe reads are still bounded by the destination's slots.
 *
 * The lease: `locked_until` = now + the destination's timeout + margin, attempts + 1; a row
 * is due when `next_attempt_at` has passed and it has no lease or its lease has ended, so a
 * dispatcher that dies mid-send leaves the row due again when the lease ends. The claim leaves
 * `next_attempt_at` and `status` alone: no column an index names or filters on changes, so
 * PostgreSQL writes it as a HOT update (no index entries; fillfactor 70, migration 0021).
 * The cost: rows in flight stay at the head of deliveries_due_idx, and a claim steps over them
 * (one heap read each, at most the destination's rows in flight, which its allowance bounds).
 * Result: the leased deliveries with their destination's sending configuration and their
 * events (one probe of the events' primary key per row, in place of a read after the claim).
 * Locks: the leased rows, until the statement commits.
 */
export async function claimDue(
  q: Queryable,
  claim: {
    workerId: string
    now: Date
    limit: number
    leaseMarginMs: number
    after: string | null
    load: readonly DestinationLoad[]
    /** Per project with sends in flight here: its fair-share room left. (Default: none) */
    projects?: readonly (ProjectLoad & { room: number })[]
    /** False when retries fill their share: first attempts only. (Default: true) */
    retries?: boolean
    /** Claim depth for settled destinations (see claimAllowance). (Default: 1) */
    depth?: number
  },
): Promise<ClaimedDelivery[]> {
  const { workerId, limit, after, load } = claim
  const depth = claim.depth ?? 1
  const projects = claim.projects ?? []
  const now = claim.now.toISOString()
  // A row claimed past the destination's limit waits for a slot: at most (depth - 1) sends of
  // its own destination before it, each ended by its timeout, so its lease covers that many more.
  const lease = sql`${now}::timestamptz + (c.timeout_ms * c.depth + ${claim.leaseMarginMs}) * interval '1 millisecond'`
  const rows = await query<Omit<ClaimedDelivery, 'event'> & { event: EventJson | null }>(
    q,
    sql`
    update deliveries d
    set attempts = d.attempts + 1, locked_by = ${workerId}, locked_until = ${lease},
        updated_at = ${now}::timestamptz
    from (
      select x.id, dst.type, dst.url, dst.email_to, dst.format, dst.headers, dst.template,
             dst.preset, dst.timeout_ms, dst.max_concurrency, dst.concurrency_limit,
             dst.rate_limit_per_second, dst.secret, dst.previous_secret,
             dst.previous_secret_expires_at, dst.max_payload_bytes, dst.coalesce,
             dst.broker,
             ${claimDepthOf(depth)} as depth
      -- offset 0 keeps this ordered subquery from being flattened: the nested loop then walks
      -- destinations in this order and stops probing once the outer limit is reached.
      from (
        select destinations.*, busy.in_flight, busy.tokens, busy.cap, share.room
        from destinations
        left join unnest(${load.map((l) => l.destinationId)}::uuid[],
                         ${load.map((l) => l.inFlight)}::int[],
                         ${load.map((l) => l.tokens)}::int[],
                         ${load.map((l) => l.limit)}::int[]) as busy(id, in_flight, tokens, cap)
               on busy.id = destinations.id
        left join unnest(${projects.map((p) => p.projectId)}::uuid[],
                         ${projects.map((p) => p.inFlight / p.weight)}::float8[],
                         ${projects.map((p) => p.room)}::int[]) as share(project_id, served, room)
               on share.project_id = destinations.project_id
        where destinations.enabled and coalesce(share.room, 1) > 0
        order by coalesce(share.served, 0), destinations.id <= ${after}::uuid, destinations.id
        offset 0
      ) dst
      cross join lateral (
        select dl.id, dl.attempts from deliveries dl
        where dl.destination_id = dst.id and dl.status = 'pending'
          and dl.next_attempt_at <= ${now}::timestamptz
          and (dl.locked_until is null or dl.locked_until <= ${now}::timestamptz)
          and (dl.ordering_key is null or not exists (
                select 1 from deliveries head
                where head.destination_id = dl.destination_id
                  and head.ordering_key = dl.ordering_key and head.sequence < dl.sequence
                  and head.status in ('pending', 'held')))
          and (dl.coalesce_key is null or not exists (
                select 1 from deliveries head
                where head.destination_id = dl.destination_id
                  and head.coalesce_key = dl.coalesce_key
                  and (head.created_at, head.event_id) < (dl.created_at, dl.event_id)
                  and head.status in ('pending', 'held')))
        order by dl.next_attempt_at
        limit ${claimAllowance(depth)}
        for update skip locked
      ) x
      where x.attempts = 0 or ${claim.retries ?? true}
      limit ${limit}
    ) c,
    -- The claim's commit need not wait for the log flush: see relaxCommit.
    (select set_config('synchronous_commit', 'off', true)) as relaxed
    where d.id = c.id
    returning d.id, d.project_id, d.destination_id, d.event_id, d.event_type, d.attempts,
              d.ordering_key, d.sequence::text as sequence, d.coalesce_key,
              c.type, c.url, c.email_to, c.format, c.headers, c.template, c.preset, c.timeout_ms,
              c.max_concurrency, c.concurrency_limit, c.rate_limit_per_second,
              c.secret, c.previous_secret, c.previous_secret_expires_at, c.max_payload_bytes,
              c.coalesce, c.depth, c.broker, ${eventJsonOf(sql`d.event_id`)} as event`,
  )
  return rows.map((row) => ({ ...row, event: row.event && eventFromJson(row.event) }))
}

/**
 * How many due deliveries a claim takes from one destination, over the claim's `dst` row: its
 * adaptive limit (this process's `cap`, else the stored one; at most max_concurrency) times its
 * depth, less what this process holds of it (sending or waiting for a slot), its rate-limit
 * tokens, its project's fair-share room; never below 0.
 * claim-reach.ts `allowance` judges claims by the same formula in TypeScript;
 * test/delivery/claim-allowance.test.ts keeps the two equal over a table of inputs.
 */
export const claimAllowance = (depth: number) => sql`greatest(least(
    least(coalesce(dst.cap, dst.concurrency_limit, dst.max_concurrency), dst.max_concurrency)
      * ${claimDepthOf(depth)} - coalesce(dst.in_flight, 0),
    coalesce(dst.tokens, dst.rate_limit_per_second, dst.max_concurrency * ${claimDepthOf(depth)}),
    coalesce(dst.room, dst.max_concurrency * ${claimDepthOf(depth)})), 0)`

/**
 * A settled destination (its adaptive limit here and stored at its maximum, no rate limit, no
 * tokens counted: its recent sends delivered) is claimed `depth` times its limit deep: the dispatcher sends at
 * most its limit at once and holds the rest for the next free slot, so one claim serves several
 * rounds of sends. A claim costs PostgreSQL about as much as ten deliveries' writes (~2 ms
 * planning and running, bench/results/deliver-peers-notes.md); at one destination of 20 slots a
 * claim per freed quarter took ~8 rows. Any other destination is claimed 1 deep: a limit that
 * is shrinking or a pace must not be outrun by rows already claimed.
 */
const claimDepthOf = (depth: number) =>
  sql`(case when coalesce(dst.cap, dst.max_concurrency) >= dst.max_concurrency
                 and dst.concurrency_limit is null and dst.tokens is null
                 and dst.rate_limit_per_second is null then ${depth}::int else 1 end)`

/** The result of one claimed delivery, ready to be written. */
export interface Completion {
  deliveryId: string
  destinationId: string
  attempt: number
  status: DeliveryStatus
  nextAttemptAt: Date | null
  /** null when nothing was sent (the event could not be rendered). */
  record: AttemptRecord | null
  error: string | null
  /** The destination's adaptive limit after this attempt (null: at its maximum), for reads. */
  concurrencyLimit?: number | null
}

/**
 * Hot path (batch complete): logs the attempts and moves each delivery to its next state, in
 * one statement (one round trip per batch; it was two, plus one for relaxCommit).
 * The log: one row per completion that sent something. A delivery deleted mid-send (its
 * destination or project went) has no log to add to; the caller locked the destinations first,
 * so none can be deleted after this check.
 * The result: only rows this worker still leases change: when a lease ran out and another
 * worker took the delivery, that worker's result wins (both attempts stay logged). A delivery
 * held while it was in flight stays held unless it succeeded or failed for good.
 * The commit need not wait for the log flush (see relaxCommit): set here, it costs no round trip.
 * Result: the rows changed, with their new status. Locks: those rows, until commit; key share
 * on the logged deliveries (the foreign key check).
 */
export async function writeResults(
  q: Queryable,
  done: readonly Completion[],
  options: { workerId: string; now: Date; newId: () => string },
): Promise<{ id: string; status: DeliveryStatus }[]> {
  if (done.length === 0) return []
  const { workerId } = options
  const now = options.now.toISOString()
  const col = <T>(pick: (c: Completion) => T) => done.map(pick)
  const sent = done.filter((c) => c.record !== null)
  const log = <T>(pick: (c: Completion, r: AttemptRecord) => T) =>
    sent.map((c) => pick(c, c.record!))
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value))
  const rows = await query<{ id: string | null; status: DeliveryStatus | null }>(
    q,
    sql`
    with changed as (
      update deliveries d
      set status = case when d.status = 'held' and u.status = 'pending' then 'held' else u.status end,
          next_attempt_at = case when d.status = 'held' and u.status = 'pending' then null
                                 else u.next_attempt_at end,
          locked_by = null, locked_until = null,
          last_attempt_at = coalesce(u.attempted_at, d.last_attempt_at),
          last_status = u.http_status, last_error = u.error, updated_at = ${now}::timestamptz,
          completed_at = case when u.status in ('succeeded', 'failed') then ${now}::timestamptz end
      from unnest(${col((c) => c.deliveryId)}::uuid[], ${col((c) => c.status)}::text[],
                  ${col((c) => c.nextAttemptAt?.toISOString() ?? null)}::timestamptz[],
                  ${col((c) => c.record?.startedAt.toISOString() ?? null)}::timestamptz[],
                  ${col((c) => c.record?.response?.status ?? null)}::int[], ${col((c) => c.error)}::text[])
           as u(id, status, next_attempt_at, attempted_at, http_status, error)
      where d.id = u.id and d.locked_by = ${workerId}
      returning d.id, d.status
    ), logged as (
      insert into delivery_attempts (id, delivery_id, number, started_at, duration_ms, outcome,
                                     status, error_class, error_message, request_headers,
                                     request_body, response_headers, response_body, url, worker)
      select a.*, ${workerId}::text from unnest(
        ${sent.map(() => options.newId())}::uuid[], ${log((c) => c.deliveryId)}::uuid[],
        ${log((c) => c.attempt)}::int[], ${log((_, r) => r.startedAt.toISOString())}::timestamptz[],
        ${log((_, r) => r.durationMs)}::int[], ${log((_, r) => r.outcome.kind)}::text[],
        ${log((_, r) => r.response?.status ?? null)}::int[],
        ${log((_, r) => (r.outcome.kind === 'failed' ? r.outcome.errorClass : null))}::text[],
        ${log((_, r) => (r.outcome.kind === 'failed' ? r.outcome.message : null))}::text[],
        ${log((_, r) => json(r.requestHeaders))}::jsonb[], ${log((_, r) => r.requestBody)}::text[],
        ${log((_, r) => json(r.response?.headers ?? null))}::jsonb[],
        ${log((_, r) => r.response?.body ?? null)}::text[], ${log((_, r) => r.url ?? null)}::text[])
        as a(id, delivery_id, number, started_at, duration_ms, outcome, status, error_class,
             error_message, request_headers, request_body, response_headers, response_body, url)
      where exists (select 1 from deliveries d where d.id = a.delivery_id)
    )
    -- Always one row at least, so set_config runs even when no delivery changed.
    select c.id, c.status
    from (select set_config('synchronous_commit', 'off', true)) as relaxed
    left join changed c on true`,
  )
  return rows.flatMap((r) => (r.id === null ? [] : [{ id: r.id, status: r.status! }]))
}

/**
 * Hands back claimed deliveries this process never sent (it stopped while they waited for a
 * slot, store.ts claimDepthOf): unleased, so due again at once (their claim left their
 * next_attempt_at, already passed, alone), the attempt their claim counted uncounted.
 * Only rows still pending under this worker's lease: one whose lease ran out and that another
 * worker claimed is left alone. Result: how many. Locks: those rows, until the statement commits.
 */
export async function releaseUnsent(
  q: Queryable,
  unsent: { ids: readonly string[]; workerId: string; now: Date },
): Promise<number> {
  if (unsent.ids.length === 0) return 0
  const now = unsent.now.toISOString()
  return countAffected(
    q,
    sql`
    update deliveries
    set attempts = attempts - 1, locked_by = null, locked_until = null,
        updated_at = ${now}::timestamptz
    where id = any(${unsent.ids}::uuid[]) and locked_by = ${unsent.workerId} and status = 'pending'`,
  )
}

/** A disabled destination's pending deliveries wait, not retried, until it is enabled. */
export async function holdPending(q: Queryable, destinationId: string, now: Date): Promise<number> {
  return countAffected(
    q,
    sql`
    update deliveries set status = 'held', next_attempt_at = null, updated_at = ${now.toISOString()}::timestamptz
    where destination_id = ${destinationId} and status = 'pending'`,
  )
}

/**
 * An enabled destination's held deliveries go out again, in creation order, at most
 * `perSecond` a second (null: all due now): the first `perSecond` are due now, the next ones a second later, and so
 * on (the dispatcher's poll picks up each second's share). Inside a second's share each row is
 * one microsecond after the one created before it, and the first share ends just before now, so
 * the claim's `order by next_attempt_at` sends them in creation order. A row held while it was
 * being sent keeps its lease; the lease is ended here so it is due on that schedule (as when
 * the lease was next_attempt_at), and locked_by kept so that send's result still lands.
 * Result: how many were released. Locks: those rows, until the caller commits.
 */
export async function releaseHeld(
  q: Queryable,
  r: { destinationId: string; now: Date; perSecond: number | null },
): Promise<number> {
  const now = r.now.toISOString()
  return countAffected(
    q,
    sql`
    update deliveries d
    set status = 'pending', updated_at = ${now}::timestamptz, locked_until = null,
        next_attempt_at = ${now}::timestamptz
          + ((o.n - 1) / o.share) * interval '1 second'
          + ((o.n - 1) % o.share - o.share) * interval '1 microsecond'
    from (select id, row_number() over (order by created_at, id) as n,
                 coalesce(${r.perSecond}::int, count(*) over ()) as share
          from deliveries where destination_id = ${r.destinationId} and status = 'held') o
    where d.id = o.id`,
  )
}

/**
 * Failed deliveries created since `since` go again: due now, or held when the destination is
 * disabled. Each gets one more attempt past its schedule (see retryDelayMs).
 */
export async function requeueFailed(
  q: Queryable,
  r: { destinationId: string; since: Date; until: Date | null; hold: boolean; now: Date },
): Promise<number> {
  const now = r.now.toISOString()
  const until = r.until?.toISOString() ?? null
  return countAffected(
    q,
    sql`
    update deliveries
    set status = ${r.hold ? 'held' : 'pending'},
        next_attempt_at = ${r.hold ? null : now}::timestamptz,
        completed_at = null, updated_at = ${now}::timestamptz
    where destination_id = ${r.destinationId} and status = 'failed'
      and created_at >= ${r.since.toISOString()}::timestamptz
      and (${until}::timestamptz is null or created_at < ${until}::timestamptz)`,
  )
}

export interface DeliveryRow {
  id: string
  project_id: string
  destination_id: string
  event_id: string
  event_type: string
  status: DeliveryStatus
  attempts: number
  ordering_key: string | null
  /** bigint: a number from pg, a number or bigint from PGlite. */
  sequence: number | string | bigint | null
  /** The carrier a coalesced delivery was folded into (status `coalesced`). */
  coalesced_into: string | null
  next_attempt_at: Date | null
  locked_until: Date | null
  last_attempt_at: Date | null
  last_status: number | null
  last_error: string | null
  created_at: Date
  updated_at: Date
  completed_at: Date | null
}

/**
 * Makes one delivery due now, whatever its status. One being sent keeps its lease: the retry
 * happens after that attempt if it fails, rather than as a second send in parallel.
 */
export async function retryNow(
  q: Queryable,
  projectId: string,
  id: string,
  now: Date,
): Promise<DeliveryRow | null> {
  const at = now.toISOString()
  const rows = await query<DeliveryRow>(
    q,
    sql`
    update deliveries
    set status = 'pending', completed_at = null, updated_at = ${at}::timestamptz,
        next_attempt_at = case when status = 'pending' and locked_until > ${at}::timestamptz
                               then next_attempt_at else ${at}::timestamptz end,
        locked_until = case when status = 'pending' and locked_until > ${at}::timestamptz
                            then locked_until end
    where project_id = ${projectId} and id = ${id}
    returning *`,
  )
  return rows[0] ?? null
}
