import type { WireFormat } from '../catalog/index.ts'
import { apiError } from '../errors.ts'
import { isUuid, newId } from '../ids.ts'
import type { Queryable } from '../store/index.ts'
import { maxConcurrencyRange, redactedValue, timeoutMsRange } from './schemas.ts'
import { newSigningSecret } from './secrets.ts'
import {
  findDestination,
  insertDestination,
  updateDestination,
  type DestinationFields,
  type DestinationRow,
} from './store.ts'
import { checkCustomHeaders, checkEventFilter, checkTargetUrl } from './validate.ts'

/**
 * Terminology:
 * - destination: where a project's events go — a webhook URL with an event filter, a wire
 *   format, custom headers and limits; it signs with its own `whsec_` secret.
 * - managed destination: one another feature owns, like the project webhook that
 *   `PUT /v1/settings {webhookUrl}` creates. It is listed, and can be read and tested like any.
 */

/** `POST /v1/destinations` body. */
export interface DestinationIn {
  type?: 'webhook'
  name?: string | null
  url: string
  events: string[]
  format?: WireFormat
  headers?: Record<string, string>
  timeoutMs?: number
  maxConcurrency?: number
  rateLimitPerSecond?: number | null
}

/** `PATCH /v1/destinations/:id` body: any of the fields, the rest are kept. */
export type DestinationPatchIn = Partial<Omit<DestinationIn, 'type'>>

/**
 * Validates a webhook configuration and fills in defaults.
 * @throws invalid_url, invalid_header or unknown_event_name, with the field in `details`
 */
export function webhookFields(input: DestinationIn): DestinationFields {
  return {
    name: input.name ?? null,
    url: checkTargetUrl(input.url, '/url'),
    eventFilter: [...input.events],
    eventTypes: checkEventFilter(input.events, '/events'),
    format: input.format ?? 'standard',
    headers: checkCustomHeaders(input.headers ?? {}, '/headers'),
    timeoutMs: input.timeoutMs ?? timeoutMsRange.default,
    maxConcurrency: input.maxConcurrency ?? maxConcurrencyRange.default,
    rateLimitPerSecond: input.rateLimitPerSecond ?? null,
  }
}

/**
 * Creates a webhook destination with a fresh secret.
 * @returns the row and its secret, which the API shows this once
 * @example const { row, secret } = await createDestination(db.kysely, projectId, { url, events: ['*'] }, { now })
 */
export async function createDestination(
  q: Queryable,
  projectId: string,
  input: DestinationIn,
  options: { now: Date; managedBy?: string },
): Promise<{ row: DestinationRow; secret: string }> {
  const secret = newSigningSecret()
  const row = await insertDestination(q, {
    ...webhookFields(input),
    id: newId(),
    projectId,
    secret,
    managedBy: options.managedBy ?? null,
    now: options.now,
  })
  return { row, secret }
}

/**
 * Applies a patch to a destination. A header sent back with the `[redacted]` value a read
 * showed keeps its stored value, so read-modify-write does not wipe credentials.
 */
export async function patchDestination(
  q: Queryable,
  current: DestinationRow,
  patch: DestinationPatchIn,
  now: Date,
): Promise<DestinationRow | null> {
  const headers = patch.headers
    ? Object.fromEntries(
        Object.entries(patch.headers).map(([name, value]) => [
          name,
          value === redactedValue ? (current.headers[name] ?? value) : value,
        ]),
      )
    : current.headers
  const merged: DestinationIn = {
    name: patch.name === undefined ? current.name : patch.name,
    url: patch.url ?? current.url ?? '',
    events: patch.events ?? current.event_filter,
    format: patch.format ?? (current.format as WireFormat),
    headers,
    timeoutMs: patch.timeoutMs ?? current.timeout_ms,
    maxConcurrency: patch.maxConcurrency ?? current.max_concurrency,
    rateLimitPerSecond:
      patch.rateLimitPerSecond === undefined
        ? current.rate_limit_per_second
        : patch.rateLimitPerSecond,
  }
  return updateDestination(q, current.project_id, current.id, { ...webhookFields(merged), now })
}

/**
 * Reads a destination of the caller's project; another project's, or a non-uuid id, is a 404.
 * @example const row = await destinationOr404(db.kysely, projectId, request.params.id)
 */
export async function destinationOr404(
  q: Queryable,
  projectId: string,
  id: string,
): Promise<DestinationRow> {
  const row = isUuid(id) ? await findDestination(q, projectId, id) : null
  if (!row) throw apiError('not_found', `No destination ${id} in this project.`)
  return row
}
