import {
  wireFormats,
  wireName,
  type CanonicalType,
  type CatalogEvent,
  type WireFormat,
} from '../catalog/index.ts'
import type { EventRow } from '../events/index.ts'

/**
 * The catalog's view of a stored event. Connected-user and credential details are not known
 * to this feature yet; renderers default what is absent.
 */
export function catalogEventOf(
  event: EventRow,
  project: { id: string; name: string },
): CatalogEvent {
  return {
    id: event.id,
    type: event.type as CanonicalType,
    occurredAt: event.occurred_at,
    data: event.data,
    project,
    userId: event.user_id,
    credentialId: event.credential_id,
    integration: event.integration ? { type: event.integration } : null,
  }
}

/**
 * The wire formats that have a name for this type. The fan-out pairs every event with them,
 * so a destination only gets events its format can render.
 * @example renderableFormats('workflow.failed') // ['monitoring', 'standard']
 */
export function renderableFormats(type: string): WireFormat[] {
  return wireFormats.filter((format) => wireName(format, type as CanonicalType) !== null)
}
