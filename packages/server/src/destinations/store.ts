import { query, type Queryable, sql } from '../store/index.ts'
import type { StoredBroker } from '../brokers/index.ts'
import type { CoalesceRules } from './coalesce-fields.ts'
import type { StoredFilter } from './filter-fields.ts'
import type { DeliveryOrdering } from './ordering.ts'
import type { StoredPreset } from './templates/index.ts'

/**
 * The only file that writes a destination's configuration. Its runtime state (`enabled` through
 * `concurrency_limit` below) is written only by delivery/lifecycle/state-store.ts; the delivery
 * hot path reads both.
 */

export interface DestinationRow {
  id: string
  project_id: string
  type: DestinationType
  name: string | null
  url: string | null
  /** Broker destinations: the connection (URL sealed) and target; null otherwise. */
  broker: StoredBroker | null
  event_filter: string[]
  event_types: string[] | null
  format: string
  headers: Record<string, string>
  /** A custom body template (JSON text with placeholders). */
  template: string | null
  /** A preset request with its options (secrets included); `url` is its endpoint. */
  preset: StoredPreset | null
  /** Email destinations: the recipients. */
  email_to: string[] | null
  timeout_ms: number
  max_concurrency: number
  rate_limit_per_second: number | null
  managed_by: string | null
  secret: string
  previous_secret: string | null
  previous_secret_expires_at: Date | null
  enabled: boolean
  disabled_reason: string | null
  disabled_at: Date | null
  consecutive_failures: number
  failing_since: Date | null
  /** Set while auto-disable has paused it (enabled is false then): probed, resumed by a 2xx. */
  paused_at: Date | null
  next_probe_at: Date | null
  probe_failures: number
  /** Gets an email when the destination pauses and when it recovers. */
  contact_email: string | null
  ordering: DeliveryOrdering
  max_payload_bytes: number
  /** Whether its webhooks carry `traceparent` (tracing/ reads it per claim). */
  trace_context: boolean
  /** Noise control: coalesced credential failures, record batches; null: none. */
  coalesce: CoalesceRules | null
  /** The adaptive concurrency limit a dispatcher last reported; null when at max_concurrency. */
  concurrency_limit: number | null
  /** Filters (docs/filters.md); null: not filtered on that. */
  filter_user_id: string | null
  filter_credential_id: string | null
  filter_integration: string | null
  filter_expression: string | null
  filter_jsonpath: string | null
  created_at: Date
  updated_at: Date
}

export type { DeliveryOrdering } from './ordering.ts'

/** webhook: HTTP POST; email: SMTP; rabbitmq, nats, redis: a message on the broker (brokers/). */
export type DestinationType = 'webhook' | 'email' | 'rabbitmq' | 'nats' | 'redis'

/** The fields a caller sets; the rest are derived or kept by the store. */
export interface DestinationFields {
  type: DestinationType
  name: string | null
  /** Null for email and broker destinations. */
  url: string | null
  /** Broker destinations' settings; null otherwise. */
  broker: StoredBroker | null
  emailTo: string[] | null
  template: string | null
  preset: StoredPreset | null
  eventFilter: string[]
  eventTypes: string[] | null
  format: string
  headers: Record<string, string>
  timeoutMs: number
  maxConcurrency: number
  rateLimitPerSecond: number | null
  contactEmail: string | null
  ordering: DeliveryOrdering
  maxPayloadBytes: number
  coalesce: CoalesceRules | null
  traceContext: boolean
  filter: StoredFilter
}

export async function insertDestination(
  q: Queryable,
  d: DestinationFields & {
    id: string
    projectId: string
    secret: string
    managedBy: string | null
    now: Date
  },
): Promise<DestinationRow> {
  const rows = await query<DestinationRow>(
    q,
    sql`
    insert into destinations (id, project_id, type, name, url, email_to, event_filter, event_types,
                              format, headers, template, preset, timeout_ms, max_concurrency,
                              rate_limit_per_second, managed_by, secret, contact_email, ordering,
                              max_payload_bytes, coalesce, filter_user_id, filter_credential_id,
                              filter_integration, filter_expression, filter_jsonpath, broker, trace_context,
                              created_at, updated_at)
    values (${d.id}, ${d.projectId}, ${d.type}, ${d.name}, ${d.url}, ${d.emailTo}::text[],
            ${d.eventFilter}::text[], ${d.eventTypes}::text[], ${d.format},
            ${JSON.stringify(d.headers)}::jsonb, ${d.template}, ${jsonOrNull(d.preset)}::jsonb,
            ${d.timeoutMs}, ${d.maxConcurrency}, ${d.rateLimitPerSecond}, ${d.managedBy}, ${d.secret},
            ${d.contactEmail}, ${d.ordering}, ${d.maxPayloadBytes}, ${jsonOrNull(d.coalesce)}::jsonb,
            ${d.filter.userId}, ${d.filter.credentialId}, ${d.filter.integration},
            ${d.filter.expression}, ${d.filter.jsonpath}::jsonpath, ${jsonOrNull(d.broker)}::jsonb, ${d.traceContext},
            ${d.now.toISOString()}::timestamptz, ${d.now.toISOString()}::timestamptz)
    returning *`,
  )
  return rows[0]!
}

function jsonOrNull(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value)
}

/**
 * Writes every caller-set field (the route merges a patch into the current row first). The
 * type never changes: a destination is a webhook or an email destination for its whole life.
 */
export async function updateDestination(
  q: Queryable,
  projectId: string,
  id: string,
  d: DestinationFields & { now: Date },
): Promise<DestinationRow | null> {
  const rows = await query<DestinationRow>(
    q,
    sql`
    update destinations
    set name = ${d.name}, url = ${d.url}, email_to = ${d.emailTo}::text[],
        event_filter = ${d.eventFilter}::text[], event_types = ${d.eventTypes}::text[],
        format = ${d.format}, headers = ${JSON.stringify(d.headers)}::jsonb,
        template = ${d.template}, preset = ${jsonOrNull(d.preset)}::jsonb, timeout_ms = ${d.timeoutMs},
        max_concurrency = ${d.maxConcurrency}, rate_limit_per_second = ${d.rateLimitPerSecond},
        contact_email = ${d.contactEmail}, ordering = ${d.ordering},
        max_payload_bytes = ${d.maxPayloadBytes}, coalesce = ${jsonOrNull(d.coalesce)}::jsonb,
        broker = ${jsonOrNull(d.broker)}::jsonb, trace_context = ${d.traceContext},
        filter_user_id = ${d.filter.userId}, filter_credential_id = ${d.filter.credentialId},
        filter_integration = ${d.filter.integration}, filter_expression = ${d.filter.expression},
        filter_jsonpath = ${d.filter.jsonpath}::jsonpath,
        updated_at = ${d.now.toISOString()}::timestamptz
    where project_id = ${projectId} and id = ${id} and type = ${d.type}
    returning *`,
  )
  return rows[0] ?? null
}

export async function findDestination(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<DestinationRow | null> {
  const rows = await query<DestinationRow>(
    q,
    sql`select * from destinations where project_id = ${projectId} and id = ${id}`,
  )
  return rows[0] ?? null
}

export async function findManagedDestination(
  q: Queryable,
  projectId: string,
  managedBy: string,
): Promise<DestinationRow | null> {
  const rows = await query<DestinationRow>(
    q,
    sql`select * from destinations where project_id = ${projectId} and managed_by = ${managedBy}`,
  )
  return rows[0] ?? null
}

/** Newest first; `before` is the last id of the previous page. */
export async function listDestinations(
  q: Queryable,
  projectId: string,
  page: { before: string | null; limit: number; userScope?: string | null },
): Promise<DestinationRow[]> {
  const userScope = page.userScope ?? null
  return query<DestinationRow>(
    q,
    sql`
    select * from destinations
    where project_id = ${projectId} and (${page.before}::uuid is null or id < ${page.before}::uuid)
      and (${userScope}::text is null or filter_user_id = ${userScope}::text)
    order by id desc limit ${page.limit}`,
  )
}

/** Deletes the destination; its deliveries and their attempts go with it (on delete cascade). */
export async function deleteDestination(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<boolean> {
  const rows = await query<{ id: string }>(
    q,
    sql`delete from destinations where project_id = ${projectId} and id = ${id} returning id`,
  )
  return rows.length > 0
}

/** Replaces the secret; the old one keeps signing until `previousExpiresAt` (null: not at all). */
export async function rotateSecretRow(
  q: Queryable,
  projectId: string,
  id: string,
  s: { secret: string; previousExpiresAt: Date | null; now: Date },
): Promise<DestinationRow | null> {
  const rows = await query<DestinationRow>(
    q,
    sql`
    update destinations
    set previous_secret = case when ${s.previousExpiresAt?.toISOString() ?? null}::timestamptz is null
                               then null else secret end,
        previous_secret_expires_at = ${s.previousExpiresAt?.toISOString() ?? null}::timestamptz,
        secret = ${s.secret}, updated_at = ${s.now.toISOString()}::timestamptz
    where project_id = ${projectId} and id = ${id}
    returning *`,
  )
  return rows[0] ?? null
}
