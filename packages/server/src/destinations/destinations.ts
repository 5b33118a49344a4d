import type { WireFormat } from '../catalog/index.ts'
import { apiError } from '../errors.ts'
import { isUuid, newId } from '../ids.ts'
import type { Queryable } from '../store/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { destinationFields, type DestinationIn } from './destination-fields.ts'
import { filterOut } from './filter-fields.ts'
import { redactedValue } from './schemas.ts'
import { openDestination, sealDestination } from './sealed-secrets.ts'
import { newSigningSecret } from './secrets.ts'
import {
  findDestination,
  insertDestination,
  updateDestination,
  type DestinationRow,
} from './store.ts'

/**
 * Terminology:
 * - destination: where a project's events go. A `webhook` destination is a URL with an event
 *   filter, a wire format, custom headers, limits and optionally a template or a preset (Slack,
 *   Datadog, New Relic, Sentry); it signs with its own `whsec_` secret. An `email` destination
 *   mails each event to its `to` addresses over SMTP.
 * - managed destination: one another feature owns, like the project webhook that
 *   `PUT /v1/settings {webhookUrl}` creates. It is listed, and can be read and tested like any.
 */

export type { DestinationIn } from './destination-fields.ts'

/** `PATCH /v1/destinations/:id` body: any of the fields, the rest are kept. */
export type DestinationPatchIn = Partial<Omit<DestinationIn, 'type'>>

/**
 * Creates a destination with a fresh secret, its secrets sealed (see sealed-secrets.ts).
 * @returns the row as stored (sealed) and its secret, which the API shows this once
 * @example const { row, secret } = await createDestination(db.kysely, projectId, { url, events: ['*'] }, { now, box })
 */
export async function createDestination(
  q: Queryable,
  projectId: string,
  input: DestinationIn,
  options: { now: Date; box: SecretBox; managedBy?: string },
): Promise<{ row: DestinationRow; secret: string }> {
  const secret = newSigningSecret()
  const fields = destinationFields(input)
  const id = newId()
  const sealed = await sealDestination(options.box, id, { ...fields, secret })
  const row = await insertDestination(q, {
    ...sealed,
    id,
    projectId,
    managedBy: options.managedBy ?? null,
    now: options.now,
  })
  return { row, secret }
}

/**
 * Applies a patch to a destination. A header or preset secret sent back with the `[redacted]`
 * value a read showed keeps its stored value, so read-modify-write does not wipe credentials.
 * The stored row is opened to merge and sealed again to write (a legacy plain one gets sealed).
 */
export async function patchDestination(
  q: Queryable,
  box: SecretBox,
  stored: DestinationRow,
  patch: DestinationPatchIn,
  now: Date,
): Promise<DestinationRow | null> {
  const current = await openDestination(box, stored.id, stored)
  const merged =
    current.type === 'email'
      ? emailMerge(current, patch)
      : current.type === 'webhook'
        ? webhookMerge(current, patch)
        : brokerMerge(current, patch)
  // A filter saved before formats were checked against it keeps working until events or
  // format change (docs/destinations.md, "Events a format cannot carry").
  const keepStoredEvents = patch.events === undefined && patch.format === undefined
  const fields = await sealDestination(
    box,
    current.id,
    destinationFields(merged, {
      currentPreset: current.preset,
      currentBroker: current.broker,
      keepStoredEvents,
    }),
  )
  return updateDestination(q, current.project_id, current.id, { ...fields, now })
}

function sharedMerge(current: DestinationRow, patch: DestinationPatchIn) {
  return {
    name: patch.name === undefined ? current.name : patch.name,
    events: patch.events ?? current.event_filter,
    format: patch.format ?? (current.format as WireFormat),
    timeoutMs: patch.timeoutMs ?? current.timeout_ms,
    maxConcurrency: patch.maxConcurrency ?? current.max_concurrency,
    rateLimitPerSecond:
      patch.rateLimitPerSecond === undefined
        ? current.rate_limit_per_second
        : patch.rateLimitPerSecond,
    contactEmail: patch.contactEmail === undefined ? current.contact_email : patch.contactEmail,
    ordering: patch.ordering ?? current.ordering,
    maxPayloadBytes: patch.maxPayloadBytes ?? current.max_payload_bytes,
    traceContext: patch.traceContext ?? current.trace_context,
    coalesce: patch.coalesce === undefined ? current.coalesce : patch.coalesce,
    // Replaced whole when sent (null clears it), like headers.
    filter: patch.filter === undefined ? filterOut(current) : patch.filter,
  }
}

function webhookMerge(current: DestinationRow, patch: DestinationPatchIn): DestinationIn {
  const template =
    patch.template === undefined ? (current.preset ?? current.template) : patch.template
  const hasPreset = template !== null && typeof template === 'object'
  const headers = patch.headers
    ? Object.fromEntries(
        Object.entries(patch.headers).map(([name, value]) => [
          name,
          value === redactedValue ? (current.headers[name] ?? value) : value,
        ]),
      )
    : current.headers
  return {
    ...sharedMerge(current, patch),
    type: 'webhook',
    // With a preset the URL is the preset's; without one the stored URL stays unless replaced.
    url: patch.url ?? (hasPreset ? undefined : (current.url ?? undefined)),
    headers,
    template,
    ...(patch.to === undefined ? {} : { to: patch.to }),
  }
}

function emailMerge(current: DestinationRow, patch: DestinationPatchIn): DestinationIn {
  // url, template and headers pass through so that sending them is refused, not ignored.
  const { url, template, headers } = patch
  return {
    ...sharedMerge(current, patch),
    type: 'email',
    to: patch.to ?? current.email_to ?? [],
    ...(url === undefined ? {} : { url }),
    ...(template === undefined ? {} : { template }),
    ...(headers === undefined ? {} : { headers }),
  }
}

function brokerMerge(current: DestinationRow, patch: DestinationPatchIn): DestinationIn {
  // url, to, template and headers pass through so that sending them is refused, not ignored.
  const { url, to, template, headers } = patch
  return {
    ...sharedMerge(current, patch),
    type: current.type,
    // A patch's broker replaces the settings whole; its URL as a read showed it keeps the stored one.
    broker: patch.broker ?? current.broker ?? undefined,
    ...(url === undefined ? {} : { url }),
    ...(to === undefined ? {} : { to }),
    ...(template === undefined ? {} : { template }),
    ...(headers === undefined ? {} : { headers }),
  }
}

/**
 * Reads a destination of the caller's project; another project's, or a non-uuid id, is a 404.
 * @example const row = await destinationOr404(db.kysely, projectId, request.params.id)
 */
export async function destinationOr404(
  q: Queryable,
  projectId: string,
  id: string,
  /** A portal session's user (http/auth.ts portalUserOf): another user's destination is 404. */
  userScope: string | null = null,
): Promise<DestinationRow> {
  const found = isUuid(id) ? await findDestination(q, projectId, id) : null
  const row = userScope !== null && found?.filter_user_id !== userScope ? null : found
  if (!row) throw apiError('not_found', `No destination ${id} in this project.`)
  return row
}
